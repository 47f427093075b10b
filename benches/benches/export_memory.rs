//! Resident memory of one process rendering 1,000 exports in a row (100 events each): after the
//! first 10 and after all 1,000. typst's caches are evicted after each render, so the two should
//! be close. Prints the figures; `cargo bench -p gdprkit-benches --bench export_memory`.

#![allow(clippy::unwrap_used, missing_docs)]

fn resident_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

fn main() {
    // `cargo bench` passes `--bench`; a filter that excludes this benchmark skips it.
    if std::env::args().skip(1).any(|a| !a.starts_with("--") && !"export_memory".contains(a.as_str())) {
        return;
    }
    let renderer = gdprkit_pdf::PdfRenderer::new();
    let exports: Vec<_> = (0..4).map(|i| gdprkit_benches::export_of(100 + i)).collect();
    let started = std::time::Instant::now();
    let mut after_10 = 0;
    for n in 1..=1000 {
        renderer.render(&exports[n % exports.len()]).unwrap();
        if n == 10 {
            after_10 = resident_kib();
        }
    }
    let after_1000 = resident_kib();
    let ratio = after_1000 as f64 / after_10 as f64;
    println!(
        "export_memory: resident {after_10} KiB after 10 exports, {after_1000} KiB after 1,000 ({ratio:.3}×; target ≤ 1.10), {:.1} s",
        started.elapsed().as_secs_f64()
    );
}
