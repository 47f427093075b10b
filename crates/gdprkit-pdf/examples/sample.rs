//! Writes the PDF of a sample export: `cargo run -p gdprkit-pdf --example sample -- OUT.pdf [en|fr]`.

fn main() -> gdprkit::Result<()> {
    let mut args = std::env::args().skip(1);
    let out = args.next().unwrap_or_else(|| "sample-export.pdf".into());
    let language = args.next().unwrap_or_else(|| "fr".into());
    let at = gdprkit::time::parse("at", "2026-11-29T09:30:00Z")?;
    let export = gdprkit::export::sample::sample_export("Jeanne", "Martin", "Prefers calls.", 30, 8, at, &language);
    let pdf = gdprkit_pdf::PdfRenderer::new().render(&export)?;
    std::fs::write(&out, pdf)
        .map_err(|e| gdprkit::Error::render(format!("could not write {out}"), Some(Box::new(e))))?;
    println!("{out}");
    Ok(())
}
