//! The reads behind decisions: one statement per subject for a few subjects, merged range scans
//! for a campaign over a large share of a tenant.

use chrono::{DateTime, Utc};
use gdprkit::raw::FactsFold;
use gdprkit::raw::ledger::{FactAction, INFORMATION_CHANNEL, RESTRICTION_SCOPE};
use gdprkit::raw::{Scope, SubjectFacts};
use gdprkit::{ConsentAction, Error, Regime, Result, SubjectId, TenantId};
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
    let micros = gdprkit::time::to_micros(at);
    let mut order: Vec<usize> = (0..subjects.len()).collect();
    order.sort_unstable_by(|&a, &b| subjects[a].as_str().cmp(subjects[b].as_str()));
    // Per position in the list: the subject's regime and registration, when it exists.
    let mut known: Vec<Option<(Regime, DateTime<Utc>)>> = vec![None; subjects.len()];

    let mut st = conn
        .prepare_cached(
            "SELECT id, regime, registered_at FROM gdprkit_subjects WHERE tenant = ?1 AND id BETWEEN ?2 AND ?3 \
             ORDER BY id",
        )
        .map_err(db_err("scan subjects"))?;
    let mut rows = st.query([tenant.as_str(), first, last]).map_err(db_err("scan subjects"))?;
    let mut merge = Merge::new(subjects, &order);
    while let Some(row) = rows.next().map_err(db_err("scan subjects"))? {
        let id = row.get_ref(0).and_then(|v| v.as_str().map_err(Into::into)).map_err(db_err("scan subjects"))?;
        let matches = merge.find(id);
        if matches.is_empty() {
            continue;
        }
        let regime: Regime = row
            .get_ref(1)
            .and_then(|v| v.as_str().map_err(Into::into))
            .map_err(db_err("scan subjects"))?
            .parse()
            .map_err(Error::unreadable("subject"))?;
        let registered_at = gdprkit::time::from_micros(row.get(2).map_err(db_err("scan subjects"))?)?;
        for &i in matches {
            known[i] = Some((regime, registered_at));
        }
    }

    let mut folds: Vec<FactsFold<'_>> = vec![FactsFold::new(scopes, at); subjects.len()];
    let mut st = conn
        .prepare_cached(
            "SELECT subject, occurred_at, seq, action FROM gdprkit_ledger INDEXED BY gdprkit_ledger_decisions \
             WHERE tenant = ?1 AND purpose = ?2 AND channel = ?3 AND subject BETWEEN ?5 AND ?6 \
             AND occurred_at <= ?4 ORDER BY subject, occurred_at, seq",
        )
        .map_err(db_err("scan decisions"))?;
    let list = (subjects, order.as_slice());
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
    known
        .into_iter()
        .zip(folds)
        .map(|(known, fold)| match known {
            // An erased or unknown subject has no facts, even if entries name it.
            None => Ok(None),
            Some(known) => fold.finish(|| Ok(Some(known))),
        })
        .collect()
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

/// A row of the campaign scan: subject, occurred_at, seq and action; `None` for an entry whose
/// subject was erased.
fn scan_row<'r>(row: &'r Row<'_>) -> rusqlite::Result<Option<(&'r str, i64, u64, &'r str)>> {
    let Some(subject) = row.get_ref(0)?.as_str_or_null()? else { return Ok(None) };
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

    /// The positions in the list that hold `id`; ids must be asked in non-decreasing order.
    fn find(&mut self, id: &str) -> &'a [usize] {
        while self.pos < self.order.len() && self.subjects[self.order[self.pos]].as_str() < id {
            self.pos += 1;
        }
        let start = self.pos;
        let mut end = start;
        while end < self.order.len() && self.subjects[self.order[end]].as_str() == id {
            end += 1;
        }
        &self.order[start..end]
    }
}
