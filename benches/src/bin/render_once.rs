//! Renders one sample export of N events to PDF and exits: `render-once N [plain | attached |
//! TEMPLATE [OUT]]`. With `plain`, the raw baseline (a plain typst table of the same rows); with
//! `attached`, the default of `gdprkit export` (PDF/A-3b carrying the JSON export); with the path of a
//! `.typ` file, that template (to measure an integrator's), writing the PDF to OUT if given.
//! Prints the PDF's size. `render-once N json OUT` writes the same export's JSON instead, for the
//! comparison with WeasyPrint (`benches/python/export_vs_weasyprint.sh`).

#![allow(clippy::unwrap_used)]

fn main() {
    let mut args = std::env::args().skip(1);
    let events: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(1000);
    let mut renderer = gdprkit_pdf::PdfRenderer::new();
    let export = gdprkit_benches::export_of(events);
    match args.next().as_deref() {
        Some("json") => {
            let out = args.next().expect("render-once N json OUT");
            std::fs::write(out, gdprkit::export::json::to_json(&export).unwrap()).unwrap();
            return;
        }
        Some("plain") => renderer = renderer.with_template(gdprkit_benches::PLAIN_TABLE),
        Some("attached") => renderer = renderer.with_json_attached(true),
        Some(path) => renderer = renderer.with_template(std::fs::read_to_string(path).unwrap()),
        None => {}
    }
    let pdf = renderer.render(&export).unwrap();
    if let Some(out) = args.next() {
        std::fs::write(out, &pdf).unwrap();
    }
    println!("{}", pdf.len());
}
