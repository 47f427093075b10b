//! The reads behind decisions: one statement per subject for a few subjects, merged range scans
//! for a campaign over a large share of a tenant.

use chrono::{DateTime, Utc};
use gdprkit::{ConsentAction, EventRef, Regime, Result, Scope, SubjectFacts, SubjectId, TenantId};
use rusqlite::{Connection, OptionalExtension, Row};

use crate::db_err;
use crate::store::DECISIVE_SQL;

/// Lists shorter than this are answered subject by subject.
const SCAN_MIN_SUBJECTS: usize = 64;
/// A list is answered by scanning when it names at least 1/`SCAN_SHARE` of the tenant's subjects.
const SCAN_SHARE: usize = 16;

pub(crate) fn decision_facts(
    conn: &Connection,
    tenant: &TenantId,
    subjects: &[SubjectId],
    scopes: &[Scope],
    at: DateTime<Utc>,
) -> Result<Vec<Option<SubjectFacts>>> {
    let at = gdprkit::time::to_micros(at);
    if subjects.len() >= SCAN_MIN_SUBJECTS {
        let count: Option<i64> = conn
            .prepare_cached("SELECT subjects FROM gdprkit_tenants WHERE tenant = ?1")
            .and_then(|mut st| st.query_row([tenant.as_str()], |r| r.get(0)).optional())
            .map_err(db_err("count subjects"))?;
        if subjects.len() * SCAN_SHARE >= count.unwrap_or(0) as usize {
            return scan(conn, tenant, subjects, scopes, at);
        }
    }
    subjects.iter().map(|s| point(conn, tenant, s, scopes, at)).collect()
}

/// One statement: the subject's row joined with its decisive events, read from the subject index
/// alone; the scopes and the instant are applied here.
fn point(
    conn: &Connection,
    tenant: &TenantId,
    subject: &SubjectId,
    scopes: &[Scope],
    at: i64,
) -> Result<Option<SubjectFacts>> {
    let mut st = conn
        .prepare_cached(&format!(
            "SELECT s.regime, s.registered_at, l.purpose, l.channel, l.occurred_at, l.seq, l.action \
             FROM gdprkit_subjects s LEFT JOIN gdprkit_ledger l INDEXED BY gdprkit_ledger_by_subject \
             ON l.tenant = s.tenant AND l.subject = s.id AND l.action IN {DECISIVE_SQL} \
             WHERE s.tenant = ?1 AND s.id = ?2"
        ))
        .map_err(db_err("prepare a decision"))?;
    let mut rows = st.query([tenant.as_str(), subject.as_str()]).map_err(db_err("read a decision"))?;
    let mut facts: Option<SubjectFacts> = None;
    // The best event so far: (occurred_at, seq, scope index, action).
    let mut best: Option<(i64, u64, usize, String)> = None;
    while let Some(row) = rows.next().map_err(db_err("read a decision"))? {
        if facts.is_none() {
            let regime: String = row.get(0).map_err(db_err("read a decision"))?;
            let registered_at: i64 = row.get(1).map_err(db_err("read a decision"))?;
            facts = Some(SubjectFacts {
                regime: regime.parse()?,
                registered_at: gdprkit::time::from_micros(registered_at)?,
                latest: None,
            });
        }
        let Some((purpose, channel, occurred_at, seq)) = event_row(row).map_err(db_err("read a decision"))? else {
            continue;
        };
        if occurred_at > at || best.as_ref().is_some_and(|b| (b.0, b.1) >= (occurred_at, seq)) {
            continue;
        }
        let scope = scopes.iter().position(|s| {
            s.purpose.as_ref().map_or("", |p| p.as_str()) == purpose
                && s.channel.as_ref().map_or("", |c| c.as_str()) == channel
        });
        if let Some(scope) = scope {
            let action: String = row.get(6).map_err(db_err("read a decision"))?;
            best = Some((occurred_at, seq, scope, action));
        }
    }
    if let (Some(f), Some((occurred_at, seq, scope, action))) = (facts.as_mut(), best) {
        f.latest = Some(EventRef {
            seq,
            action: action.parse()?,
            occurred_at: gdprkit::time::from_micros(occurred_at)?,
            purpose: scopes[scope].purpose.clone(),
            channel: scopes[scope].channel.clone(),
        });
    }
    Ok(facts)
}

/// The event columns of a decision row, or `None` when the subject has no decisive event.
fn event_row<'r>(row: &'r Row<'_>) -> rusqlite::Result<Option<(&'r str, &'r str, i64, u64)>> {
    let Some(seq) = row.get_ref(5)?.as_i64_or_null()? else { return Ok(None) };
    Ok(Some((row.get_ref(2)?.as_str()?, row.get_ref(3)?.as_str()?, row.get_ref(4)?.as_i64()?, seq as u64)))
}

/// Range scans in subject order, merged with the sorted list.
fn scan(
    conn: &Connection,
    tenant: &TenantId,
    subjects: &[SubjectId],
    scopes: &[Scope],
    at: i64,
) -> Result<Vec<Option<SubjectFacts>>> {
    let mut order: Vec<usize> = (0..subjects.len()).collect();
    order.sort_unstable_by(|&a, &b| subjects[a].as_str().cmp(subjects[b].as_str()));
    let mut facts: Vec<Option<SubjectFacts>> = vec![None; subjects.len()];

    let mut st = conn
        .prepare_cached("SELECT id, regime, registered_at FROM gdprkit_subjects WHERE tenant = ?1 ORDER BY id")
        .map_err(db_err("scan subjects"))?;
    let mut rows = st.query([tenant.as_str()]).map_err(db_err("scan subjects"))?;
    let mut merge = Merge::new(subjects, &order);
    while let Some(row) = rows.next().map_err(db_err("scan subjects"))? {
        let id = row.get_ref(0).and_then(|v| v.as_str().map_err(Into::into)).map_err(db_err("scan subjects"))?;
        let matches = merge.find(id);
        if matches.is_empty() {
            continue;
        }
        let regime: Regime =
            row.get_ref(1).and_then(|v| v.as_str().map_err(Into::into)).map_err(db_err("scan subjects"))?.parse()?;
        let registered_at = gdprkit::time::from_micros(row.get(2).map_err(db_err("scan subjects"))?)?;
        for &i in matches {
            facts[i] = Some(SubjectFacts { regime, registered_at, latest: None });
        }
    }

    let mut st = conn
        .prepare_cached(&format!(
            "SELECT subject, occurred_at, seq, action FROM gdprkit_ledger \
             WHERE tenant = ?1 AND purpose = ?2 AND channel = ?3 AND subject IS NOT NULL AND occurred_at <= ?4 \
             AND action IN {DECISIVE_SQL} ORDER BY subject, occurred_at, seq"
        ))
        .map_err(db_err("scan decisions"))?;
    for scope in scopes {
        let purpose = scope.purpose.as_ref().map_or("", |p| p.as_str());
        let channel = scope.channel.as_ref().map_or("", |c| c.as_str());
        let mut rows =
            st.query(rusqlite::params![tenant.as_str(), purpose, channel, at]).map_err(db_err("scan decisions"))?;
        let mut merge = Merge::new(subjects, &order);
        while let Some(row) = rows.next().map_err(db_err("scan decisions"))? {
            let (subject, occurred_at, seq) = scan_row(row).map_err(db_err("scan decisions"))?;
            for &i in merge.find(subject) {
                let Some(f) = facts[i].as_mut() else { continue };
                // Rows come oldest first within a subject, so the last one wins; across scopes
                // the greater (occurred_at, seq) wins.
                if f.latest
                    .as_ref()
                    .is_none_or(|l| (gdprkit::time::to_micros(l.occurred_at), l.seq) < (occurred_at, seq))
                {
                    let action: ConsentAction = row
                        .get_ref(3)
                        .and_then(|v| v.as_str().map_err(Into::into))
                        .map_err(db_err("scan decisions"))?
                        .parse()?;
                    f.latest = Some(EventRef {
                        seq,
                        action,
                        occurred_at: gdprkit::time::from_micros(occurred_at)?,
                        purpose: scope.purpose.clone(),
                        channel: scope.channel.clone(),
                    });
                }
            }
        }
    }
    Ok(facts)
}

fn scan_row<'r>(row: &'r Row<'_>) -> rusqlite::Result<(&'r str, i64, u64)> {
    Ok((row.get_ref(0)?.as_str()?, row.get_ref(1)?.as_i64()?, row.get_ref(2)?.as_i64()? as u64))
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
