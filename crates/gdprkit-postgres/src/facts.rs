//! The reads behind decisions: each listed subject's regime joined to its facts in the scopes
//! asked about (with its restrictions and information facts), folded here, in one statement for
//! a list or for a page of a campaign's walk.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use gdprkit::raw::{FactsFold, Scope, SubjectFacts};
use gdprkit::{Error, Regime, Result, SubjectId, TenantId};

use crate::db_err;
use crate::pool::Connection;

/// A statement of the facts joined to each subject of `s`, the list its `WITH` clause names
/// (`tenant, id, regime, registered_at` of the tenant `$1`): only the facts a decision at `$2`
/// over the scopes' purposes `$3` and channels `$4` reads, and the restrictions and information
/// facts (purpose `*`); a subject without one comes once, with NULL facts. In the order of ids as
/// the database collates them (the order `id > $after` pages by), so a subject's rows are
/// together. A literal, so that each connection prepares it once.
macro_rules! facts_of {
    ($with:literal) => {
        concat!(
            $with,
            " SELECT s.id, s.regime, s.registered_at, l.purpose, l.channel, l.occurred_at, l.seq, l.action \
             FROM s LEFT JOIN gdprkit_ledger l \
             ON l.tenant = s.tenant AND l.subject = s.id AND l.action IS NOT NULL AND l.occurred_at <= $2 \
             AND (l.purpose = '*' OR (l.purpose = ANY($3) AND l.channel = ANY($4))) ORDER BY s.id",
        )
    };
}

/// The facts of the listed subjects `$5`.
const FACTS_OF_LIST: &str = facts_of!(
    "WITH s AS (SELECT tenant, id, regime, registered_at FROM gdprkit_subjects WHERE tenant = $1 AND id = ANY($5))"
);

/// The facts of the `$6` subjects after `$5`, in the order of ids.
const FACTS_OF_PAGE: &str = facts_of!(
    "WITH s AS (SELECT tenant, id, regime, registered_at FROM gdprkit_subjects WHERE tenant = $1 AND id > $5 \
     ORDER BY id LIMIT $6)"
);

/// For each subject, in the order given, its facts, or `None` when it is not registered.
pub(crate) fn decision_facts(
    client: &mut Connection,
    tenant: &TenantId,
    subjects: &[SubjectId],
    scopes: &[Scope],
    at: DateTime<Utc>,
) -> Result<Vec<Option<SubjectFacts>>> {
    let ids: Vec<&str> = subjects.iter().map(SubjectId::as_str).collect();
    let (purposes, channels) = scope_names(scopes);
    let rows = client
        .query(FACTS_OF_LIST, &[&tenant.as_str(), &gdprkit::time::to_micros(at), &purposes, &channels, &ids])
        .map_err(db_err("read decisions"))?;
    let folded = fold(&rows, scopes, at)?;
    let by_id: HashMap<&str, usize> = folded.iter().enumerate().map(|(i, (id, _, _))| (*id, i)).collect();
    // A subject listed twice gets the same answer twice.
    ids.iter()
        .map(|id| match by_id.get(id).map(|&i| &folded[i]) {
            Some((_, known, fold)) => fold.clone().finish(|| Ok(Some(*known))),
            None => Ok(None),
        })
        .collect()
}

/// A page of the tenant's subjects after `after` in id order, each with its facts, in one
/// statement.
pub(crate) fn decision_page(
    client: &mut Connection,
    tenant: &TenantId,
    after: Option<&SubjectId>,
    limit: usize,
    scopes: &[Scope],
    at: DateTime<Utc>,
) -> Result<Vec<(SubjectId, Option<SubjectFacts>)>> {
    let (purposes, channels) = scope_names(scopes);
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let after = after.map_or("", SubjectId::as_str);
    let rows = client
        .query(FACTS_OF_PAGE, &[&tenant.as_str(), &gdprkit::time::to_micros(at), &purposes, &channels, &after, &limit])
        .map_err(db_err("read a page of decisions"))?;
    fold(&rows, scopes, at)?
        .into_iter()
        .map(|(id, known, fold)| Ok((stored_subject(id)?, fold.finish(|| Ok(Some(known)))?)))
        .collect()
}

/// The purposes and the channels of `scopes`, `""` for all: their pairs hold every scope asked
/// about (a fold passes over a pair that is not one).
fn scope_names(scopes: &[Scope]) -> (Vec<&str>, Vec<&str>) {
    let mut purposes: Vec<&str> = scopes.iter().map(|s| s.purpose.as_ref().map_or("", |p| p.as_str())).collect();
    let mut channels: Vec<&str> = scopes.iter().map(|s| s.channel.as_ref().map_or("", |c| c.as_str())).collect();
    for names in [&mut purposes, &mut channels] {
        names.sort_unstable();
        names.dedup();
    }
    (purposes, channels)
}

/// A subject of a list: its id, regime and registration, and its facts folded.
type Folded<'r, 's> = (&'r str, (Regime, DateTime<Utc>), FactsFold<'s>);

/// Each subject of `rows` (a subject's rows together), in their order, with its facts folded.
fn fold<'r, 's>(rows: &'r [postgres::Row], scopes: &'s [Scope], at: DateTime<Utc>) -> Result<Vec<Folded<'r, 's>>> {
    let mut subjects = Vec::<Folded<'r, 's>>::new();
    for r in rows {
        let id: &str = r.get(0);
        if subjects.last().is_none_or(|(last, _, _)| *last != id) {
            let regime = r.get::<_, &str>(1).parse().map_err(Error::unreadable("subject"))?;
            let known = (regime, gdprkit::time::from_micros(r.get(2))?);
            subjects.push((id, known, FactsFold::new(scopes, at)));
        }
        let Some(action) = r.get::<_, Option<&str>>(7) else { continue };
        let Some((_, _, fold)) = subjects.last_mut() else { continue };
        fold.offer(
            r.get::<_, Option<&str>>(3).unwrap_or_default(),
            r.get::<_, Option<&str>>(4).unwrap_or_default(),
            r.get::<_, Option<i64>>(5).unwrap_or(i64::MAX),
            r.get::<_, Option<i64>>(6).unwrap_or_default() as u64,
            action,
        );
    }
    Ok(subjects)
}

/// A subject id read back from `gdprkit_subjects`, which only holds valid ones.
pub(crate) fn stored_subject(id: &str) -> Result<SubjectId> {
    SubjectId::new(id).map_err(|_| Error::Corrupt(format!("subject id {id:?} in gdprkit_subjects")))
}
