//! The JSON form of an export (rule E2): the portability format.

use crate::error::{Error, Result};

use super::model::{Export, FORMAT, VERSION};

/// The export as pretty-printed JSON, in UTF-8.
pub fn to_json(export: &Export) -> Result<Vec<u8>> {
    serde_json::to_vec_pretty(export).map_err(|e| Error::internal("could not write the export as JSON", e))
}

/// Reads an export back from its JSON form, refusing another format or a newer version.
pub fn from_json(bytes: &[u8]) -> Result<Export> {
    #[derive(serde::Deserialize)]
    struct Header {
        format: String,
        version: u32,
    }
    let header: Header = serde_json::from_slice(bytes).map_err(|e| Error::invalid("export", e))?;
    if header.format != FORMAT {
        return Err(Error::invalid("export", format!("the format is {:?}, not {FORMAT:?}", header.format)));
    }
    if header.version > VERSION {
        return Err(Error::invalid(
            "export",
            format!("version {} is newer than the newest this gdprkit reads ({VERSION})", header.version),
        ));
    }
    serde_json::from_slice(bytes).map_err(|e| Error::invalid("export", e))
}
