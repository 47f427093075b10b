//! The seam for readable exports: a renderer turns an export into a PDF. `gdprkit-pdf` provides
//! one with typst.

use crate::error::Result;

use super::model::Export;

/// Turns an export into a PDF.
pub trait Renderer: Send + Sync {
    /// The PDF of `export`, in the export's language.
    fn render_pdf(&self, export: &Export) -> Result<Vec<u8>>;
}
