//! The seam for readable exports: a renderer turns an export into a PDF. `gdprkit-pdf` provides
//! one with typst.

use crate::error::Result;

use super::model::Export;

/// Turns an export, and an information notice, into a PDF.
pub trait Renderer: Send + Sync {
    /// The PDF of `export`, in the export's language.
    fn render_pdf(&self, export: &Export) -> Result<Vec<u8>>;

    /// The PDF of an information notice (rule I1), laid out from `document`'s parts, naming
    /// `notice`'s version, made at `at`. The default refuses: a renderer for exports only.
    fn render_notice_pdf(
        &self,
        document: &crate::information::NoticeDocument,
        notice: &crate::information::InformationNotice,
        at: chrono::DateTime<chrono::Utc>,
    ) -> Result<Vec<u8>> {
        let _ = (document, notice, at);
        Err(crate::Error::config("renderer", "this renderer lays out exports only, not information notices"))
    }
}
