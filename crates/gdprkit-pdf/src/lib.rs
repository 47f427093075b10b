//! Renders gdprkit's export of a person's data (rule E2) to PDF/A with typst, as a library.
//!
//! The template is a typst file (`templates/export.typ` unless the integrator passes their own,
//! with their logo and wording); the export reaches it only as JSON through `sys.inputs`, so no
//! value a person or a CRM user typed is ever read as markup; the World serves the template and
//! the embedded fonts and refuses every other file (a logo is passed as bytes). The PDF is PDF/A-2b, or PDF/A-3b carrying the
//! JSON export as an attached file when asked (one file for reading and portability alike). The
//! same export gives the same bytes. After each render typst's caches are evicted, so that the
//! memory of a long-running server stays flat.
//!
//! ```no_run
//! # fn demo(export: &gdprkit::export::model::Export) -> gdprkit::Result<()> {
//! let renderer = gdprkit_pdf::PdfRenderer::new().with_json_attached(true);
//! let pdf: Vec<u8> = renderer.render(export)?;
//! # Ok(()) }
//! ```

mod world;

use chrono::{Datelike, Timelike};
use gdprkit::export::json::to_json;
use gdprkit::export::model::Export;
use gdprkit::export::render::Renderer;
use gdprkit::{Error, Result};
use typst::World;
use typst::foundations::{Bytes, Datetime, Smart, Value};
use typst_kit::fonts::FontStore;
use typst_layout::PagedDocument;
use typst_pdf::{PdfOptions, PdfStandard, PdfStandards, Timestamp};

use world::ExportWorld;

/// The template gdprkit ships: a cover, one section per category, the CRM events, the consent
/// history, the requests, the processing information and the person's rights, in French or
/// English.
pub const DEFAULT_TEMPLATE: &str = include_str!("../templates/export.typ");

/// The template an information notice is laid out with (`templates/notice.typ`).
pub const NOTICE_TEMPLATE: &str = include_str!("../templates/notice.typ");

/// Renders exports to PDF/A with typst.
pub struct PdfRenderer {
    template: String,
    fonts: FontStore,
    attach_json: bool,
    logo: Option<Bytes>,
}

impl Default for PdfRenderer {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for PdfRenderer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PdfRenderer").field("attach_json", &self.attach_json).finish_non_exhaustive()
    }
}

impl PdfRenderer {
    /// A renderer with gdprkit's template and the fonts embedded in typst.
    pub fn new() -> Self {
        let mut fonts = FontStore::new();
        fonts.extend(typst_kit::fonts::embedded());
        Self { template: DEFAULT_TEMPLATE.to_owned(), fonts, attach_json: false, logo: None }
    }

    /// The same with the integrator's own template: typst source that reads the export with
    /// `json(bytes(sys.inputs.data))` (see `templates/export.typ`). It can read no file, so a
    /// logo is given inline (for example as an SVG string passed to `image(bytes(...))`).
    pub fn with_template(mut self, template: impl Into<String>) -> Self {
        self.template = template.into();
        self
    }

    /// The same with the controller's logo (PNG, JPEG or SVG) on the cover. A template reads it
    /// as `sys.inputs.logo` (bytes), when given.
    pub fn with_logo(mut self, image: Vec<u8>) -> Self {
        self.logo = Some(Bytes::new(image));
        self
    }

    /// The same, attaching the JSON export to each PDF (PDF/A-3b instead of PDF/A-2b).
    pub fn with_json_attached(mut self, attach: bool) -> Self {
        self.attach_json = attach;
        self
    }

    /// The PDF of `export`, in the export's language.
    pub fn render(&self, export: &Export) -> Result<Vec<u8>> {
        let json = to_json(export)?;
        let json =
            String::from_utf8(json).map_err(|e| Error::render("the export is not UTF-8 JSON", Some(Box::new(e))))?;
        let datetime = datetime_of(export.generated_at);
        // The export's values in the person's words: its instants and dates written out in its
        // language and the controller's zone, its consent history as sentences.
        let words = serde_json::to_string(&gdprkit::export::words::words(export))
            .map_err(|e| Error::render("the export's words could not be written", Some(Box::new(e))))?;
        let mut inputs = vec![
            ("data", Value::Str(json.into())),
            ("words", Value::Str(words.into())),
            ("attach", Value::Str(if self.attach_json { "true" } else { "false" }.into())),
        ];
        if let Some(logo) = &self.logo {
            inputs.push(("logo", Value::Bytes(logo.clone())));
        }
        let world = ExportWorld::new(&self.template, inputs, &self.fonts, datetime)?;
        let result = render_world(&world, datetime, self.attach_json, "gdprkit-export");
        // typst memoizes across compilations; without this a server's memory would grow with
        // every export.
        typst::comemo::evict(0);
        result
    }
}

impl PdfRenderer {
    /// The PDF/A-2b of an information notice (rule I1), laid out by [`NOTICE_TEMPLATE`] from
    /// `document`'s parts, with `notice`'s version and SHA-256 in its footer, dated `at`.
    pub fn render_notice(
        &self,
        document: &gdprkit::information::NoticeDocument,
        notice: &gdprkit::information::InformationNotice,
        at: chrono::DateTime<chrono::Utc>,
    ) -> Result<Vec<u8>> {
        let json = serde_json::to_string(document)
            .map_err(|e| Error::render("the notice could not be written", Some(Box::new(e))))?;
        let inputs = vec![
            ("notice", Value::Str(json.into())),
            ("version", Value::Str(notice.version.as_str().into())),
            ("sha256", Value::Str(notice.sha256.as_str().into())),
        ];
        let datetime = datetime_of(at);
        let world = ExportWorld::new(NOTICE_TEMPLATE, inputs, &self.fonts, datetime)?;
        let result = render_world(&world, datetime, false, "gdprkit-notice");
        typst::comemo::evict(0);
        result
    }
}

impl Renderer for PdfRenderer {
    fn render_pdf(&self, export: &Export) -> Result<Vec<u8>> {
        self.render(export)
    }

    fn render_notice_pdf(
        &self,
        document: &gdprkit::information::NoticeDocument,
        notice: &gdprkit::information::InformationNotice,
        at: chrono::DateTime<chrono::Utc>,
    ) -> Result<Vec<u8>> {
        self.render_notice(document, notice, at)
    }
}

/// An instant as typst's document date.
fn datetime_of(at: chrono::DateTime<chrono::Utc>) -> Option<Datetime> {
    Datetime::from_ymd_hms(
        at.year(),
        u8::try_from(at.month()).unwrap_or(1),
        u8::try_from(at.day()).unwrap_or(1),
        u8::try_from(at.hour()).unwrap_or(0),
        u8::try_from(at.minute()).unwrap_or(0),
        u8::try_from(at.second()).unwrap_or(0),
    )
}

fn render_world(world: &ExportWorld<'_>, datetime: Option<Datetime>, attach: bool, ident: &str) -> Result<Vec<u8>> {
    let document: PagedDocument = typst::compile(world).output.map_err(|errors| explain(world, &errors))?;
    let standard = if attach { PdfStandard::A_3b } else { PdfStandard::A_2b };
    let standards = PdfStandards::new(&[standard]).map_err(|e| Error::render(e.message().to_string(), None))?;
    let options = PdfOptions {
        // Fixed, so that the same export gives the same bytes.
        ident: Smart::Custom(ident.into()),
        timestamp: datetime.map(Timestamp::new_utc),
        standards,
        ..PdfOptions::default()
    };
    typst_pdf::pdf(&document, &options).map_err(|errors| explain(world, &errors))
}

/// typst's errors, each with the template line it points at.
fn explain(world: &ExportWorld<'_>, errors: &[typst::diag::SourceDiagnostic]) -> Error {
    use typst::WorldExt;
    let main = world.main();
    let lines = world.source(main).ok();
    let messages: Vec<String> = errors
        .iter()
        .map(|e| {
            let line = world
                .range(e.span)
                .zip(lines.as_ref())
                .and_then(|(range, source)| source.lines().byte_to_line(range.start));
            match line {
                Some(line) => format!("template line {}: {}", line + 1, e.message),
                None => e.message.to_string(),
            }
        })
        .collect();
    Error::render(messages.join("; "), None)
}
