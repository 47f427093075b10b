//! Verifying a chain on two cores: the store's rows are read on the calling thread and copied,
//! a few thousand at a time, into batches that a second thread checks (hashes, commitments) and
//! folds into the model of the registries. Reading the rows and checking them take about the same
//! time, so the two overlap instead of adding up.
//!
//! The chain is still checked in entry order, by one [`Verifier`]: only the reading is moved off
//! its thread. Memory stays bounded: at most [`IN_FLIGHT`] batches wait between the threads, and
//! their buffers are handed back to be filled again.

use std::ops::Range;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;

use crate::derived::{Answers, Model};
use crate::error::{Error, Result};
use crate::ids::TenantId;
use crate::raw::Store;
use crate::raw::ledger::{Fact, StoredEntry, Verifier};

/// Entries in a batch before it is handed over.
const BATCH_ENTRIES: usize = 2_048;
/// Batches read ahead of the checking thread at most.
const IN_FLIGHT: usize = 4;
/// Entries between two progress events in the log.
const PROGRESS_EVERY: u64 = 100_000;

/// What one pass over the chain found: the verifier's state at its end (to be finished against
/// the head) and the model rebuilt from the entries it accepted.
pub(crate) struct Scanned {
    pub verifier: Verifier,
    pub model: Model,
    /// The head the store recorded, read in the same snapshot as the entries.
    pub head: Option<(u64, [u8; 32])>,
}

/// [`scan`], while a third thread reads what the store answers for its registries and decision
/// index, to compare with the model once both are done. When the chain turns out broken, the
/// answers are not read to the end (they are not compared then).
pub(crate) fn scan_beside(
    store: &dyn Store,
    tenant: &TenantId,
    also: &mut dyn FnMut(&StoredEntry<'_>),
) -> (Result<Scanned>, Result<Answers>) {
    let wanted = AtomicBool::new(true);
    std::thread::scope(|s| {
        let reader = s.spawn(|| Answers::read(store, tenant, &wanted));
        let scanned = scan(store, tenant, also);
        if !scanned.as_ref().is_ok_and(|s| !s.verifier.is_broken()) {
            wanted.store(false, Ordering::Relaxed);
        }
        let answers = reader.join().unwrap_or_else(|_| Err(Error::internal("ledger verification stopped", Stopped)));
        (scanned, answers)
    })
}

/// Reads the tenant's chain from `store`, showing every entry to `also` on this thread, while a
/// second thread checks the entries in order and rebuilds the model from them.
pub(crate) fn scan(store: &dyn Store, tenant: &TenantId, also: &mut dyn FnMut(&StoredEntry<'_>)) -> Result<Scanned> {
    let broken = AtomicBool::new(false);
    let (full_tx, full_rx) = mpsc::sync_channel::<Batch>(IN_FLIGHT);
    let (empty_tx, empty_rx) = mpsc::channel::<Batch>();
    std::thread::scope(|s| {
        let stop = &broken;
        let checker = s.spawn(move || {
            let mut verifier = Verifier::new(tenant.clone());
            let mut model = Model::default();
            for batch in full_rx {
                for e in batch.entries() {
                    if !verifier.check(&e) {
                        stop.store(true, Ordering::Relaxed);
                        break;
                    }
                    model.add(&e);
                }
                // The reader may be gone already: the buffer is then simply dropped.
                let _ = empty_tx.send(batch.cleared());
            }
            (verifier, model)
        });
        let mut batch = Batch::default();
        let mut handed_over = true;
        let head = store.scan_ledger(tenant, &mut |e| {
            if e.seq.is_multiple_of(PROGRESS_EVERY) {
                tracing::debug!(tenant = %tenant, entries = e.seq, "verifying the ledger");
            }
            also(e);
            batch.push(e);
            if batch.len() == BATCH_ENTRIES {
                let next = empty_rx.try_recv().unwrap_or_default();
                handed_over = full_tx.send(std::mem::replace(&mut batch, next)).is_ok();
            }
            handed_over && !broken.load(Ordering::Relaxed)
        });
        if !batch.is_empty() {
            // A checker that stopped early has nothing more to check.
            let _ = full_tx.send(batch);
        }
        drop(full_tx);
        let checked = checker.join().map_err(|_| Error::internal("ledger verification stopped", Stopped))?;
        let (verifier, model) = checked;
        Ok(Scanned { verifier, model, head: head? })
    })
}

/// The checking thread ended without a result.
#[derive(Debug)]
struct Stopped;

impl std::fmt::Display for Stopped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a thread verifying the ledger panicked")
    }
}

impl std::error::Error for Stopped {}

/// Entries copied out of the store's rows: their text in one string, their bytes in one buffer,
/// and for each entry where its parts lie.
#[derive(Default)]
struct Batch {
    text: String,
    bytes: Vec<u8>,
    slots: Vec<Slot>,
}

/// Where one entry's parts lie in its batch.
struct Slot {
    seq: u64,
    prev_hash: Range<usize>,
    hash: Range<usize>,
    kind: Range<usize>,
    subject: Option<Range<usize>>,
    fact: Option<FactSlot>,
    body: Range<usize>,
    commitments: Range<usize>,
    personal: Option<Range<usize>>,
}

/// Where a fact's purpose, channel and action lie, and its instant.
type FactSlot = (Range<usize>, Range<usize>, Range<usize>, i64);

impl Batch {
    fn len(&self) -> usize {
        self.slots.len()
    }

    fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// The same buffers, emptied, for the next batch.
    fn cleared(mut self) -> Self {
        self.text.clear();
        self.bytes.clear();
        self.slots.clear();
        self
    }

    fn push(&mut self, e: &StoredEntry<'_>) {
        let mut text = |s: &str| {
            let start = self.text.len();
            self.text.push_str(s);
            start..self.text.len()
        };
        let kind = text(e.kind);
        let subject = e.subject.map(&mut text);
        let fact = e.fact.map(|f| (text(f.purpose), text(f.channel), text(f.action), f.occurred_at));
        let body = text(e.body);
        let mut bytes = |b: &[u8]| {
            let start = self.bytes.len();
            self.bytes.extend_from_slice(b);
            start..self.bytes.len()
        };
        let slot = Slot {
            seq: e.seq,
            prev_hash: bytes(e.prev_hash),
            hash: bytes(e.hash),
            kind,
            subject,
            fact,
            body,
            commitments: bytes(e.commitments),
            personal: e.personal.map(bytes),
        };
        self.slots.push(slot);
    }

    /// The entries, as a store would have shown them.
    fn entries(&self) -> impl Iterator<Item = StoredEntry<'_>> {
        let (text, bytes) = (self.text.as_str(), self.bytes.as_slice());
        self.slots.iter().map(move |s| StoredEntry {
            seq: s.seq,
            prev_hash: &bytes[s.prev_hash.clone()],
            hash: &bytes[s.hash.clone()],
            kind: &text[s.kind.clone()],
            subject: s.subject.clone().map(|r| &text[r]),
            fact: s.fact.clone().map(|(purpose, channel, action, occurred_at)| Fact {
                purpose: &text[purpose],
                channel: &text[channel],
                action: &text[action],
                occurred_at,
            }),
            body: &text[s.body.clone()],
            commitments: &bytes[s.commitments.clone()],
            personal: s.personal.clone().map(|r| &bytes[r]),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_batch_gives_back_the_entries_it_was_given() {
        let prev = [1u8; 32];
        let hash = [2u8; 32];
        let entries = [
            StoredEntry {
                seq: 7,
                prev_hash: &prev,
                hash: &hash,
                kind: "consent",
                subject: Some("é-42"),
                fact: Some(Fact { purpose: "newsletter", channel: "", action: "opt_in", occurred_at: -3 }),
                body: "{\"recorded_at\":\"x\"}",
                commitments: &[9, 9],
                personal: Some(&[]),
            },
            StoredEntry {
                seq: 8,
                prev_hash: &hash,
                hash: &prev,
                kind: "erasure",
                subject: None,
                fact: None,
                body: "{}",
                commitments: &[],
                personal: None,
            },
        ];
        let mut batch = Batch::default();
        for e in &entries {
            batch.push(e);
        }
        let back: Vec<String> = batch.entries().map(|e| format!("{e:?}")).collect();
        let want: Vec<String> = entries.iter().map(|e| format!("{e:?}")).collect();
        assert_eq!(back, want);
        let batch = batch.cleared();
        assert!(batch.is_empty() && batch.text.is_empty() && batch.bytes.is_empty());
    }
}
