//! Group commit: appends that arrive while another group is being written wait, then go out
//! together in the next transaction, so that the writers of a process share one commit and its
//! flush to disk instead of taking turns at the tenant's lock for one flush each.

use std::collections::HashMap;
use std::sync::{Condvar, Mutex, MutexGuard};

use gdprkit::raw::Append;
use gdprkit::{Error, Result, TenantId};

/// One waiting append: its tenant and entries.
pub(crate) type Waiting = (TenantId, Vec<Append>);

/// The appends of one process waiting to be written, and the results of those written.
#[derive(Default)]
pub(crate) struct Group {
    state: Mutex<State>,
    written: Condvar,
}

#[derive(Default)]
struct State {
    next: u64,
    waiting: Vec<(u64, Waiting)>,
    results: HashMap<u64, Result<Vec<u64>>>,
    /// Whether a writer is out with a group.
    writing: bool,
}

impl Group {
    /// Appends `entries` for `tenant` and returns their entry numbers. The caller either waits for
    /// the writer of the group it joined, or, when no writer is out, becomes the writer of every
    /// append waiting: `write` gets them in arrival order and returns one result for each.
    pub fn append(
        &self,
        tenant: &TenantId,
        entries: &[Append],
        write: impl Fn(&[Waiting]) -> Vec<Result<Vec<u64>>>,
    ) -> Result<Vec<u64>> {
        let mut state = self.lock();
        let ticket = state.next;
        state.next += 1;
        state.waiting.push((ticket, (tenant.clone(), entries.to_vec())));
        loop {
            if let Some(result) = state.results.remove(&ticket) {
                return result;
            }
            if state.writing {
                state = self.written.wait(state).unwrap_or_else(|e| e.into_inner());
                continue;
            }
            state.writing = true;
            let (tickets, batch): (Vec<u64>, Vec<Waiting>) = std::mem::take(&mut state.waiting).into_iter().unzip();
            drop(state);
            let mut out = Out { group: self, tickets, results: None };
            out.results = Some(write(&batch));
            drop(out);
            state = self.lock();
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A writer's group on its way: when dropped, its results are handed out and the next writer may
/// go. Should the writer unwind instead, each append of its group gets an error, so that no one
/// waits forever.
struct Out<'g> {
    group: &'g Group,
    tickets: Vec<u64>,
    results: Option<Vec<Result<Vec<u64>>>>,
}

impl Drop for Out<'_> {
    fn drop(&mut self) {
        let mut results = self.results.take().unwrap_or_default().into_iter();
        let mut state = self.group.lock();
        for ticket in self.tickets.drain(..) {
            let result = results.next().unwrap_or_else(|| {
                Err(Error::Storage {
                    message: "the write of this append's group failed".into(),
                    retryable: true,
                    source: None,
                })
            });
            state.results.insert(ticket, result);
        }
        state.writing = false;
        drop(state);
        self.group.written.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tenant(s: &str) -> TenantId {
        TenantId::new(s).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn a_lone_append_is_written_by_its_own_caller() {
        let group = Group::default();
        let calls = std::sync::atomic::AtomicUsize::new(0);
        let seqs = group.append(&tenant("t"), &[], |batch| {
            calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            assert_eq!(batch.len(), 1);
            vec![Ok(vec![7])]
        });
        assert_eq!(seqs.ok(), Some(vec![7]));
        assert_eq!(calls.into_inner(), 1);
    }

    #[test]
    fn concurrent_appends_share_writes_and_each_gets_its_own_result() {
        let group = Group::default();
        let names = ["a", "bb", "ccc", "bad", "eeeee", "ffffff", "ggggggg", "hhhhhhhh"];
        let groups = std::sync::atomic::AtomicUsize::new(0);
        let write = |batch: &[Waiting]| {
            // The first writer goes out only once every other append is waiting behind it.
            if groups.fetch_add(1, std::sync::atomic::Ordering::SeqCst) == 0 {
                while group.lock().waiting.len() < names.len() - 1 {
                    std::thread::yield_now();
                }
            }
            batch
                .iter()
                .map(|(t, _)| match t.as_str() {
                    "bad" => Err(Error::invalid("test", "refused")),
                    other => Ok(vec![other.len() as u64]),
                })
                .collect()
        };
        let results: Vec<_> = std::thread::scope(|s| {
            let handles: Vec<_> = names
                .iter()
                .map(|n| s.spawn(|| group.append(&tenant(n), &[], write).map_err(|e| e.to_string())))
                .collect();
            handles.into_iter().map(|h| h.join().unwrap_or_else(|_| Err("panicked".into()))).collect()
        });
        for (n, r) in names.iter().zip(&results) {
            match *n {
                "bad" => assert!(r.as_ref().is_err_and(|e| e.contains("refused")), "{r:?}"),
                _ => assert_eq!(r, &Ok(vec![n.len() as u64])),
            }
        }
        assert_eq!(groups.into_inner(), 2, "the seven appends that waited were written together");
    }

    #[test]
    fn a_writer_that_fails_midway_lets_the_others_go() {
        let group = Group::default();
        let failed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let _ = group.append(&tenant("t"), &[], |_| panic!("a writer's bug"));
        }));
        assert!(failed.is_err());
        let next = group.append(&tenant("t"), &[], |batch| batch.iter().map(|_| Ok(vec![1])).collect());
        assert_eq!(next.ok(), Some(vec![1]), "the next append is not stuck behind the failed writer");
    }
}
