//! Renders one sample export of N events to PDF and exits: `render-once N [plain | TEMPLATE [OUT]]`.
//! With `plain`, the raw baseline (a plain typst table of the same rows); with the path of a
//! `.typ` file, that template (to measure an integrator's), writing the PDF to OUT if given.
//! Prints the PDF's size.

#![allow(clippy::unwrap_used)]

fn main() {
    let mut args = std::env::args().skip(1);
    let events: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(1000);
    let mut renderer = gdprkit_pdf::PdfRenderer::new();
    match args.next().as_deref() {
        Some("plain") => renderer = renderer.with_template(gdprkit_benches::PLAIN_TABLE),
        Some(path) => renderer = renderer.with_template(std::fs::read_to_string(path).unwrap()),
        None => {}
    }
    let pdf = renderer.render(&gdprkit_benches::export_of(events)).unwrap();
    if let Some(out) = args.next() {
        std::fs::write(out, &pdf).unwrap();
    }
    println!("{}", pdf.len());
}
