//! The reads behind decisions: one statement per subject for a few subjects, merged range scans
//! for a list over a large share of a tenant, and a campaign's page read with its subjects.

use chrono::{DateTime, Utc};
use gdprkit::raw::FactsFold;
use gdprkit::raw::ledger::{FactAction, INFORMATION_CHANNEL, RESTRICTION_SCOPE};
use gdprkit::raw::{Scope, SubjectFacts};
use gdprkit::{ConsentAction, Error, Regime, Result, SubjectId, TenantId};
use rusqlite::types::ValueRef;
use rusqlite::{Connection, OptionalExtension, Row};

use crate::db_err;

/// Lists shorter than this are answered subject by subject.
const SCAN_MIN_SUBJECTS: usize = 64;
/// A list is answered by scanning when it names at least 1/`SCAN_SHARE` of the tenant's subjects
/// between its first and last id (a whole tenant's list, or a page of a campaign's walk).
const SCAN_SHARE: usize = 16;

pub(crate) fn decision_facts(
    conn: &Connection,
    tenant: &TenantId,
    subjects: &[SubjectId],
    scopes: &[Scope],
    at: DateTime<Utc>,
) -> Result<Vec<Option<SubjectFacts>>> {
    if subjects.len() >= SCAN_MIN_SUBJECTS {
        let (first, last) = bounds(subjects);
        let limit = subjects.len().saturating_mul(SCAN_SHARE);
        let total: Option<i64> = conn
            .prepare_cached("SELECT subjects FROM gdprkit_tenants WHERE tenant = ?1")
            .and_then(|mut st| st.query_row([tenant.as_str()], |r| r.get(0)).optional())
            .map_err(db_err("count subjects"))?;
        if usize::try_from(total.unwrap_or(0)).unwrap_or(usize::MAX) <= limit {
            return scan(conn, tenant, subjects, scopes, at, (first, last));
        }
        // The tenant's subjects in the list's range, counted up to the share that still pays.
        let in_range: i64 = conn
            .prepare_cached(
                "SELECT count(*) FROM (SELECT 1 FROM gdprkit_subjects WHERE tenant = ?1 AND id BETWEEN ?2 AND ?3 \
                 LIMIT ?4)",
            )
            .and_then(|mut st| {
                st.query_row(
                    rusqlite::params![tenant.as_str(), first, last, i64::try_from(limit).unwrap_or(i64::MAX)],
                    |r| r.get(0),
                )
            })
            .map_err(db_err("count subjects"))?;
        if usize::try_from(in_range).unwrap_or(usize::MAX) < limit {
            return scan(conn, tenant, subjects, scopes, at, (first, last));
        }
    }
    subjects.iter().map(|s| point(conn, tenant, s, scopes, at)).collect()
}

/// The subject's events, read from the subject index alone and folded here; only when no event
/// applies, the subject's row for its regime. Most decisions in a CRM's ledger come from an
/// event, and cost one index seek.
fn point(
    conn: &Connection,
    tenant: &TenantId,
    subject: &SubjectId,
    scopes: &[Scope],
    at: DateTime<Utc>,
) -> Result<Option<SubjectFacts>> {
    let mut st = conn
        .prepare_cached(
            "SELECT purpose, channel, occurred_at, seq, action FROM gdprkit_ledger INDEXED BY gdprkit_ledger_by_subject \
             WHERE tenant = ?1 AND subject = ?2",
        )
        .map_err(db_err("prepare a decision"))?;
    let mut rows = st.query([tenant.as_str(), subject.as_str()]).map_err(db_err("read a decision"))?;
    let mut fold = FactsFold::new(scopes, at);
    while let Some(row) = rows.next().map_err(db_err("read a decision"))? {
        if let Some((purpose, channel, occurred_at, seq, action)) = event_row(row).map_err(db_err("read a decision"))? {
            fold.offer(purpose, channel, occurred_at, seq, action);
        }
    }
    fold.finish(|| {
        let mut st = conn
            .prepare_cached("SELECT regime, registered_at FROM gdprkit_subjects WHERE tenant = ?1 AND id = ?2")
            .map_err(db_err("read a subject's regime"))?;
        let row = st
            .query_row([tenant.as_str(), subject.as_str()], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))
            .optional()
            .map_err(db_err("read a subject's regime"))?;
        row.map(|(regime, registered_at)| Ok((regime.parse()?, gdprkit::time::from_micros(registered_at)?)))
            .transpose()
            .map_err(Error::unreadable("subject"))
    })
}

/// Purpose, channel, occurred_at, seq and action, borrowed from a row.
type EventColumns<'r> = (&'r str, &'r str, i64, u64, &'r str);

/// The columns of an event row: purpose, channel, occurred_at, seq and action; `None` for an
/// entry without a fact (a subject's registration).
fn event_row<'r>(row: &'r Row<'_>) -> rusqlite::Result<Option<EventColumns<'r>>> {
    let Some(action) = row.get_ref(4)?.as_str_or_null()? else { return Ok(None) };
    Ok(Some((
        row.get_ref(0)?.as_str()?,
        row.get_ref(1)?.as_str()?,
        row.get_ref(2)?.as_i64()?,
        row.get_ref(3)?.as_i64()? as u64,
        action,
    )))
}

/// The smallest and the greatest id of a list that is not empty.
fn bounds(subjects: &[SubjectId]) -> (&str, &str) {
    let mut ids = subjects.iter().map(SubjectId::as_str);
    let first = ids.next().unwrap_or_default();
    ids.fold((first, first), |(lo, hi), id| (lo.min(id), hi.max(id)))
}

/// Range scans in subject order between `range`'s ids, merged with the sorted list.
fn scan(
    conn: &Connection,
    tenant: &TenantId,
    subjects: &[SubjectId],
    scopes: &[Scope],
    at: DateTime<Utc>,
    (first, last): (&str, &str),
) -> Result<Vec<Option<SubjectFacts>>> {
    let mut order: Vec<usize> = (0..subjects.len()).collect();
    order.sort_unstable_by(|&a, &b| subjects[a].as_str().cmp(subjects[b].as_str()));
    // Per position in the list: the subject's regime and registration, when it exists.
    let mut known: Vec<Option<(Regime, i64)>> = vec![None; subjects.len()];

    let mut st = conn
        .prepare_cached(
            "SELECT id, regime, registered_at FROM gdprkit_subjects WHERE tenant = ?1 AND id BETWEEN ?2 AND ?3 \
             ORDER BY id",
        )
        .map_err(db_err("scan subjects"))?;
    let mut rows = st.query([tenant.as_str(), first, last]).map_err(db_err("scan subjects"))?;
    let mut merge = Merge::new(subjects, &order);
    while let Some(row) = rows.next().map_err(db_err("scan subjects"))? {
        let id = row.get_ref(0).and_then(|v| v.as_bytes().map_err(Into::into)).map_err(db_err("scan subjects"))?;
        let matches = merge.find(id);
        if matches.is_empty() {
            continue;
        }
        let (_, regime, registered_at) = subject_row(row)?;
        for &i in matches {
            known[i] = Some((regime, registered_at));
        }
    }
    let folds = fold_facts(conn, tenant, (subjects, &order), scopes, at, (first, last))?;
    known
        .into_iter()
        .zip(folds)
        .map(|(known, fold)| match known {
            // An erased or unknown subject has no facts, even if entries name it.
            None => Ok(None),
            Some(known) => fold.finish(|| registration(known)),
        })
        .collect()
}

/// A page of the tenant's subjects after `after` in id order, each with its facts: one read of
/// the subjects table for the ids, regimes and registrations, then the range scans of
/// [`fold_facts`] over exactly the page's ids.
pub(crate) fn decision_page(
    conn: &Connection,
    tenant: &TenantId,
    after: Option<&SubjectId>,
    limit: usize,
    scopes: &[Scope],
    at: DateTime<Utc>,
) -> Result<Vec<(SubjectId, Option<SubjectFacts>)>> {
    // `id > ''` starts at the first id: no id is empty.
    let mut st = conn
        .prepare_cached(
            "SELECT id, regime, registered_at FROM gdprkit_subjects WHERE tenant = ?1 AND id > ?2 ORDER BY id LIMIT ?3",
        )
        .map_err(db_err("list the subjects"))?;
    let mut rows = st
        .query(rusqlite::params![
            tenant.as_str(),
            after.map_or("", SubjectId::as_str),
            i64::try_from(limit).unwrap_or(i64::MAX)
        ])
        .map_err(db_err("list the subjects"))?;
    let capacity = limit.min(gdprkit::MAX_CAMPAIGN_PAGE);
    let (mut ids, mut known) = (Vec::with_capacity(capacity), Vec::with_capacity(capacity));
    while let Some(row) = rows.next().map_err(db_err("list the subjects"))? {
        let (id, regime, registered_at) = subject_row(row)?;
        ids.push(stored_subject(id)?);
        known.push((regime, registered_at));
    }
    let (Some(first), Some(last)) = (ids.first(), ids.last()) else { return Ok(Vec::new()) };
    // Read in id order: the list is its own sorted order.
    let order: Vec<usize> = (0..ids.len()).collect();
    let folds = fold_facts(conn, tenant, (&ids, &order), scopes, at, (first.as_str(), last.as_str()))?;
    let facts = known
        .into_iter()
        .zip(folds)
        .map(|(known, fold)| fold.finish(|| registration(known)))
        .collect::<Result<Vec<_>>>()?;
    Ok(ids.into_iter().zip(facts).collect())
}

/// A row of the subjects table: its id, regime and registration (µs), which only a subject
/// without an event needs as an instant.
fn subject_row<'r>(row: &'r Row<'_>) -> Result<(&'r str, Regime, i64)> {
    let text = |i| row.get_ref(i).and_then(|v| v.as_str().map_err(Into::into)).map_err(db_err("scan subjects"));
    let id = text(0)?;
    let regime: Regime = text(1)?.parse().map_err(Error::unreadable("subject"))?;
    let registered_at = row.get(2).map_err(db_err("scan subjects"))?;
    Ok((id, regime, registered_at))
}

/// A subject id read back from `gdprkit_subjects`, which only holds valid ones.
pub(crate) fn stored_subject(id: &str) -> Result<SubjectId> {
    SubjectId::new(id).map_err(|_| Error::Corrupt(format!("subject id {id:?} in gdprkit_subjects")))
}

/// A subject's regime and registration instant, for a fold that found no event.
fn registration((regime, registered_at): (Regime, i64)) -> Result<Option<(Regime, DateTime<Utc>)>> {
    Ok(Some((regime, gdprkit::time::from_micros(registered_at)?)))
}

/// Each listed subject's facts folded from the range scans of every scope, its restrictions
/// and its information facts, between the ids of `range`: one fold per position in the list.
fn fold_facts<'s>(
    conn: &Connection,
    tenant: &TenantId,
    (subjects, order): (&[SubjectId], &[usize]),
    scopes: &'s [Scope],
    at: DateTime<Utc>,
    (first, last): (&str, &str),
) -> Result<Vec<FactsFold<'s>>> {
    let micros = gdprkit::time::to_micros(at);
    let mut folds: Vec<FactsFold<'_>> = vec![FactsFold::new(scopes, at); subjects.len()];
    let mut st = conn
        .prepare_cached(
            "SELECT subject, occurred_at, seq, action FROM gdprkit_ledger INDEXED BY gdprkit_ledger_decisions \
             WHERE tenant = ?1 AND purpose = ?2 AND channel = ?3 AND subject BETWEEN ?5 AND ?6 \
             AND occurred_at <= ?4 ORDER BY subject, occurred_at, seq",
        )
        .map_err(db_err("scan decisions"))?;
    let list = (subjects, order);
    for (scope_index, scope) in scopes.iter().enumerate() {
        let purpose = scope.purpose.as_ref().map_or("", |p| p.as_str());
        let channel = scope.channel.as_ref().map_or("", |c| c.as_str());
        let range = (tenant, purpose, channel, micros, first, last);
        scan_facts(&mut st, range, list, "scan decisions", &mut |matches, occurred_at, seq, action| {
            match FactAction::from_name(action).and_then(FactAction::consent) {
                Some((a, inherited)) if a.is_decisive() => {
                    for &i in matches {
                        folds[i].offer_fact(scope_index, occurred_at, seq, a, inherited);
                    }
                }
                // Offers count in the first scope only: exactly the purpose and channel asked.
                Some((ConsentAction::SoftOptInOffered, _)) if scope_index == 0 => {
                    for &i in matches {
                        folds[i].offer_soft_opt_in(occurred_at, seq);
                    }
                }
                _ => {}
            }
        })?;
    }
    // Restrictions, in the same subject order: the latest per subject decides whether it holds.
    let range = (tenant, RESTRICTION_SCOPE, RESTRICTION_SCOPE, micros, first, last);
    scan_facts(&mut st, range, list, "scan restrictions", &mut |matches, occurred_at, seq, action| {
        let restricts = match FactAction::from_name(action) {
            Some(FactAction::Restrict) => true,
            Some(FactAction::LiftRestriction) => false,
            _ => return,
        };
        for &i in matches {
            folds[i].offer_restriction(occurred_at, seq, restricts);
        }
    })?;
    // Information facts, likewise: whether a message must carry the notice.
    let range = (tenant, RESTRICTION_SCOPE, INFORMATION_CHANNEL, micros, first, last);
    scan_facts(&mut st, range, list, "scan information", &mut |matches, occurred_at, seq, action| {
        if let Some(FactAction::Information(fact)) = FactAction::from_name(action) {
            for &i in matches {
                folds[i].offer_information(occurred_at, seq, fact);
            }
        }
    })?;
    Ok(folds)
}

/// A fact range of a page: tenant, purpose, channel, instant (µs) and the first and last ids.
type FactRange<'a> = (&'a TenantId, &'a str, &'a str, i64, &'a str, &'a str);

/// What a page's scan does with a fact: the positions in the list that hold its subject, when it
/// happened (µs), its entry number and its action.
type FactVisit<'v> = dyn FnMut(&[usize], i64, u64, &str) + 'v;

/// The facts of one purpose and channel in `range`, in subject order: each row of a subject in
/// the list (the ids and their sorted positions) goes to `visit` with the positions that hold
/// its subject, with when it happened, its entry number and its action.
fn scan_facts(
    st: &mut rusqlite::CachedStatement<'_>,
    (tenant, purpose, channel, micros, first, last): FactRange<'_>,
    (subjects, order): (&[SubjectId], &[usize]),
    what: &'static str,
    visit: &mut FactVisit<'_>,
) -> Result<()> {
    let mut rows =
        st.query(rusqlite::params![tenant.as_str(), purpose, channel, micros, first, last]).map_err(db_err(what))?;
    let mut merge = Merge::new(subjects, order);
    while let Some(row) = rows.next().map_err(db_err(what))? {
        let Some((subject, occurred_at, seq, action)) = scan_row(row).map_err(db_err(what))? else { continue };
        let matches = merge.find(subject);
        if !matches.is_empty() {
            visit(matches, occurred_at, seq, action);
        }
    }
    Ok(())
}

/// Subject (its bytes), occurred_at, seq and action, borrowed from a row of a scan.
type FactColumns<'r> = (&'r [u8], i64, u64, &'r str);

/// A row of the campaign scan: subject, occurred_at, seq and action; `None` for an entry whose
/// subject was erased.
fn scan_row<'r>(row: &'r Row<'_>) -> rusqlite::Result<Option<FactColumns<'r>>> {
    // The subject is only compared with the list's ids, byte for byte: never read as text.
    let subject = match row.get_ref(0)? {
        ValueRef::Null => return Ok(None),
        value => value.as_bytes()?,
    };
    Ok(Some((subject, row.get_ref(1)?.as_i64()?, row.get_ref(2)?.as_i64()? as u64, row.get_ref(3)?.as_str()?)))
}

/// Walks a sorted list alongside a stream of ids in the same order.
struct Merge<'a> {
    subjects: &'a [SubjectId],
    order: &'a [usize],
    pos: usize,
}

impl<'a> Merge<'a> {
    fn new(subjects: &'a [SubjectId], order: &'a [usize]) -> Self {
        Self { subjects, order, pos: 0 }
    }

    /// The positions in the list that hold `id` (its UTF-8 bytes, which order as the text does);
    /// ids must be asked in non-decreasing order.
    fn find(&mut self, id: &[u8]) -> &'a [usize] {
        let at = |i: usize| self.subjects[self.order[i]].as_str().as_bytes();
        while self.pos < self.order.len() && at(self.pos) < id {
            self.pos += 1;
        }
        let start = self.pos;
        let mut end = start;
        while end < self.order.len() && at(end) == id {
            end += 1;
        }
        &self.order[start..end]
    }
}
