//! [`FileJournal`]: the erasure journal as a file of JSON lines, appended and synced line by
//! line, readable by its owner only.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use gdprkit::{ErasureJournal, Error, JournalEntry, Result};

/// An erasure journal in a file, one JSON document per line. Keep it outside the database it
/// protects: on another disk, or in a directory that backups of the database do not restore.
#[derive(Debug)]
pub struct FileJournal {
    path: PathBuf,
    /// One writer at a time within the process; each line is one `write` on a file opened to
    /// append, which the system keeps whole between processes.
    lock: Mutex<()>,
}

impl FileJournal {
    /// The journal at `path`, created (empty, mode 0600) when missing. Its directory must exist.
    pub fn open(path: impl Into<PathBuf>) -> Result<Self> {
        let path = path.into();
        open_append(&path)?;
        Ok(Self { path, lock: Mutex::new(()) })
    }

    /// Where it is.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

fn open_append(path: &Path) -> Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.append(true).create(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path).map_err(|e| Error::config("erasure_journal", format!("cannot open {}: {e}", path.display())))
}

impl ErasureJournal for FileJournal {
    fn append(&self, entry: &JournalEntry) -> Result<()> {
        let _guard = self.lock.lock().unwrap_or_else(|e| e.into_inner());
        let mut line = serde_json::to_vec(entry).map_err(|e| Error::internal("encode a journal line", e))?;
        line.push(b'\n');
        let mut file = open_append(&self.path)?;
        file.write_all(&line)
            .and_then(|()| file.sync_data())
            .map_err(|e| Error::storage(format!("could not append to the erasure journal {}", self.path.display()), e))
    }

    fn entries(&self) -> Result<Vec<JournalEntry>> {
        let text = std::fs::read_to_string(&self.path)
            .map_err(|e| Error::storage(format!("could not read the erasure journal {}", self.path.display()), e))?;
        let complete = match text.rfind('\n') {
            // A last line without its newline was cut short by a crash: it was never reported
            // written, and is left out.
            Some(end) => &text[..end],
            None => "",
        };
        complete
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
            .map(|(i, l)| {
                serde_json::from_str(l).map_err(|e| {
                    Error::Corrupt(format!(
                        "line {} of the erasure journal {} is unreadable: {e}",
                        i + 1,
                        self.path.display()
                    ))
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use gdprkit::{JournalKind, SubjectId, TenantId};

    fn line(subject: &str) -> JournalEntry {
        JournalEntry {
            kind: JournalKind::Erasure,
            tenant: TenantId::new("default").unwrap(),
            subject: Some(SubjectId::new(subject).unwrap()),
            at: gdprkit::time::parse("at", "2026-12-01T10:00:00Z").unwrap(),
            map_sha256: "00".repeat(32),
        }
    }

    #[test]
    fn lines_are_appended_kept_and_read_back_and_a_torn_last_line_is_left_out() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("erasures.jsonl");
        let journal = FileJournal::open(&path).unwrap();
        journal.append(&line("a")).unwrap();
        journal.append(&line("b")).unwrap();
        assert_eq!(FileJournal::open(&path).unwrap().entries().unwrap(), [line("a"), line("b")]);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        }
        // A crash in the middle of a line.
        std::fs::OpenOptions::new().append(true).open(&path).unwrap().write_all(b"{\"kind\":\"era").unwrap();
        assert_eq!(journal.entries().unwrap().len(), 2, "the torn line is left out");
        // A line damaged in the middle is an error naming it.
        std::fs::write(&path, "not json\n").unwrap();
        let err = journal.entries().unwrap_err().to_string();
        assert!(err.contains("line 1"), "{err}");
        let err = FileJournal::open(dir.path().join("missing/dir/j.jsonl")).unwrap_err();
        assert_eq!(err.field(), Some("erasure_journal"));
    }
}
