//! An information notice's parts, in order, and their forms: the plain text (whose SHA-256 is
//! the notice's identity), HTML for an e-mail, and the parts themselves for a renderer that lays
//! the notice out as a PDF.

use serde::{Deserialize, Serialize};

use crate::raw::ledger::sha256_hex;
use crate::subject::Language;

use super::notice::InformationNotice;

/// A notice's parts, in order, in one language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoticeDocument {
    /// Its language.
    pub language: Language,
    /// Its title.
    pub title: String,
    /// Its parts.
    pub blocks: Vec<NoticeBlock>,
}

/// A part of a notice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum NoticeBlock {
    /// A section's heading.
    Heading {
        /// Its text.
        text: String,
    },
    /// A paragraph.
    Paragraph {
        /// Its text.
        text: String,
    },
    /// A purpose: its label and what is said of it, one line each.
    Purpose {
        /// The purpose's label.
        label: String,
        /// What is said of it.
        lines: Vec<String>,
    },
    /// A list.
    List {
        /// Its items.
        lines: Vec<String>,
    },
}

impl NoticeDocument {
    /// The notice as text and HTML, with its version and SHA-256: the same parts always give the
    /// same text, hence the same version.
    pub fn notice(&self) -> InformationNotice {
        let text = self.plain();
        let sha256 = sha256_hex(text.as_bytes());
        InformationNotice {
            language: self.language.as_str().into(),
            version: format!("notice-{}", &sha256[..12]),
            sha256,
            html: self.html(),
            text,
        }
    }

    fn plain(&self) -> String {
        let mut out = format!("{}\n", self.title);
        for b in &self.blocks {
            match b {
                NoticeBlock::Heading { text } | NoticeBlock::Paragraph { text } => out.push_str(&format!("\n{text}\n")),
                NoticeBlock::Purpose { label, lines } => {
                    out.push_str(&format!("\n{label}\n"));
                    for l in lines {
                        out.push_str(&format!("  - {l}\n"));
                    }
                }
                NoticeBlock::List { lines } => {
                    for l in lines {
                        out.push_str(&format!("- {l}\n"));
                    }
                }
            }
        }
        out
    }

    fn html(&self) -> String {
        let e = crate::text::escape_html;
        let mut out = format!("<article lang=\"{}\">\n<h1>{}</h1>\n", self.language.as_str(), e(&self.title));
        let list = |out: &mut String, lines: &[String]| {
            out.push_str("<ul>\n");
            for l in lines {
                out.push_str(&format!("<li>{}</li>\n", e(l)));
            }
            out.push_str("</ul>\n");
        };
        for b in &self.blocks {
            match b {
                NoticeBlock::Heading { text } => out.push_str(&format!("<h2>{}</h2>\n", e(text))),
                NoticeBlock::Paragraph { text } => out.push_str(&format!("<p>{}</p>\n", e(text))),
                NoticeBlock::Purpose { label, lines } => {
                    out.push_str(&format!("<h3>{}</h3>\n", e(label)));
                    list(&mut out, lines);
                }
                NoticeBlock::List { lines } => list(&mut out, lines),
            }
        }
        out.push_str("</article>\n");
        out
    }
}
