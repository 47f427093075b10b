//! Renders one sample export of N events to PDF and exits: `render-once N [plain]`. With `plain`,
//! the raw baseline (a plain typst table of the same rows). Prints the PDF's size.

#![allow(clippy::unwrap_used)]

fn main() {
    let mut args = std::env::args().skip(1);
    let events: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(1000);
    let mut renderer = gdprkit_pdf::PdfRenderer::new();
    if args.next().as_deref() == Some("plain") {
        renderer = renderer.with_template(gdprkit_benches::PLAIN_TABLE);
    }
    let pdf = renderer.render(&gdprkit_benches::export_of(events)).unwrap();
    println!("{}", pdf.len());
}
