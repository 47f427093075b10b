//! The typst World of one export: it serves the template as `/main.typ`, the embedded fonts, and
//! nothing else. The data reach the template only through `sys.inputs`, as one JSON string: a
//! name such as `#read("/etc/passwd")` is then text to print, never markup to run.

use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime, Dict, Duration, Value};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};
use typst_kit::fonts::FontStore;

/// The World of one render.
pub(crate) struct ExportWorld<'a> {
    library: LazyHash<Library>,
    fonts: &'a FontStore,
    main: Source,
    today: Option<Datetime>,
}

impl<'a> ExportWorld<'a> {
    /// A World compiling `template` with `inputs` in `sys.inputs`, whose `today` is `today`.
    pub(crate) fn new(
        template: &str,
        inputs: Vec<(&str, Value)>,
        fonts: &'a FontStore,
        today: Option<Datetime>,
    ) -> gdprkit::Result<Self> {
        let mut dict = Dict::new();
        for (key, value) in inputs {
            dict.insert(key.into(), value);
        }
        let library = LazyHash::new(Library::builder().with_inputs(dict).build());
        Ok(Self { library, fonts, main: Source::new(main_id()?, template.to_owned()), today })
    }
}

/// The id of `/main.typ`. File ids are interned for the life of the process, so every render
/// reuses this one path.
fn main_id() -> gdprkit::Result<FileId> {
    let path = VirtualPath::new("/main.typ").map_err(|e| gdprkit::Error::render(format!("{e:?}"), None))?;
    Ok(RootedPath::new(VirtualRoot::Project, path).intern())
}

impl World for ExportWorld<'_> {
    fn library(&self) -> &LazyHash<Library> {
        &self.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        self.fonts.book()
    }

    fn main(&self) -> FileId {
        self.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() { Ok(self.main.clone()) } else { Err(FileError::AccessDenied) }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        // The template reads no file, not even itself.
        let _ = id;
        Err(FileError::AccessDenied)
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.fonts.font(index)
    }

    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        self.today
    }
}
