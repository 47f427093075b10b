//! Exports to PDF: a subject with 1,000 events (consent events and CRM events) in a fresh process
//! and in a warm one, and 10,000 events warm; each as PDF/A-2b and as the default PDF/A-3b with the
//! JSON export attached, against a plain typst table of the same rows in the same run.

#![allow(clippy::unwrap_used, missing_docs)]

use std::process::Command;

use criterion::{Criterion, criterion_group, criterion_main};
use gdprkit_benches::{PLAIN_TABLE, export_of};
use gdprkit_pdf::PdfRenderer;

fn fresh_process(c: &mut Criterion) {
    let mut group = c.benchmark_group("export_pdf_fresh_process_1000_events");
    group.sample_size(20);
    for (name, mode) in
        [("gdprkit", None), ("gdprkit_pdf_a3b_json_attached", Some("attached")), ("plain_typst_table", Some("plain"))]
    {
        group.bench_function(name, |b| {
            b.iter(|| {
                let mut cmd = Command::new(env!("CARGO_BIN_EXE_render-once"));
                cmd.arg("1000");
                cmd.args(mode);
                let out = cmd.output().unwrap();
                assert!(out.status.success());
            })
        });
    }
    group.finish();
}

fn warm(c: &mut Criterion) {
    for (events, samples) in [(1_000, 20), (10_000, 10)] {
        let export = export_of(events);
        let mut group = c.benchmark_group(format!("export_pdf_warm_{events}_events"));
        group.sample_size(samples);
        let ours = PdfRenderer::new();
        let attached = PdfRenderer::new().with_json_attached(true);
        let plain = PdfRenderer::new().with_template(PLAIN_TABLE);
        // Warm: one render before timing, as in a server that has answered a request already.
        ours.render(&export).unwrap();
        attached.render(&export).unwrap();
        plain.render(&export).unwrap();
        group.bench_function("gdprkit", |b| b.iter(|| ours.render(&export).unwrap()));
        group.bench_function("gdprkit_pdf_a3b_json_attached", |b| b.iter(|| attached.render(&export).unwrap()));
        group.bench_function("plain_typst_table", |b| b.iter(|| plain.render(&export).unwrap()));
        group.finish();
    }
}

criterion_group!(benches, fresh_process, warm);
criterion_main!(benches);
