//! The reads behind decisions: one statement per subject for a few subjects, merged range scans
//! for a campaign over a large share of a tenant.

use chrono::{DateTime, Utc};
use gdprkit::{ConsentAction, Error, EventRef, Regime, Result, Scope, SubjectFacts, SubjectId, TenantId};
use rusqlite::{Connection, OptionalExtension, Row, params_from_iter, types::Value};

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

fn scope_value(part: Option<&str>) -> Value {
    Value::Text(part.unwrap_or("").to_owned())
}

/// One statement: the subject's row joined with the latest decisive event over every scope.
fn point(
    conn: &Connection,
    tenant: &TenantId,
    subject: &SubjectId,
    scopes: &[Scope],
    at: i64,
) -> Result<Option<SubjectFacts>> {
    let mut sql = String::from(
        "SELECT s.regime, s.registered_at, e.occurred_at, e.seq, e.action, e.purpose, e.channel \
         FROM gdprkit_subjects s LEFT JOIN (",
    );
    let mut params: Vec<Value> =
        vec![Value::Text(tenant.to_string()), Value::Text(subject.to_string()), Value::Integer(at)];
    for (i, scope) in scopes.iter().enumerate() {
        if i > 0 {
            sql.push_str(" UNION ALL ");
        }
        let (p, c) = (params.len() + 1, params.len() + 2);
        sql.push_str(&format!(
            "SELECT * FROM (SELECT occurred_at, seq, action, purpose, channel FROM gdprkit_ledger \
             WHERE tenant = ?1 AND purpose = ?{p} AND channel = ?{c} AND subject = ?2 AND occurred_at <= ?3 \
             AND action IN {DECISIVE_SQL} ORDER BY occurred_at DESC, seq DESC LIMIT 1)"
        ));
        params.push(scope_value(scope.purpose.as_ref().map(|p| p.as_str())));
        params.push(scope_value(scope.channel.as_ref().map(|c| c.as_str())));
    }
    if scopes.is_empty() {
        sql.push_str(
            "SELECT NULL AS occurred_at, NULL AS seq, NULL AS action, NULL AS purpose, NULL AS channel WHERE 0",
        );
    }
    sql.push_str(" ORDER BY 1 DESC, 2 DESC LIMIT 1) e ON 1 WHERE s.tenant = ?1 AND s.id = ?2");
    let mut st = conn.prepare_cached(&sql).map_err(db_err("prepare a decision"))?;
    let row = st
        .query_row(params_from_iter(params), |r| {
            let latest = match r.get::<_, Option<i64>>(3)? {
                Some(seq) => Some((
                    seq,
                    r.get::<_, i64>(2)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, String>(5)?,
                    r.get::<_, String>(6)?,
                )),
                None => None,
            };
            Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?, latest))
        })
        .optional()
        .map_err(db_err("read a decision"))?;
    let Some((regime, registered_at, latest)) = row else { return Ok(None) };
    let latest = latest
        .map(|(seq, occurred_at, action, purpose, channel)| {
            Ok::<_, Error>(EventRef {
                seq: seq as u64,
                action: action.parse()?,
                occurred_at: gdprkit::time::from_micros(occurred_at)?,
                purpose: (!purpose.is_empty()).then(|| purpose.parse()).transpose()?,
                channel: (!channel.is_empty()).then(|| channel.parse()).transpose()?,
            })
        })
        .transpose()?;
    Ok(Some(SubjectFacts {
        regime: regime.parse()?,
        registered_at: gdprkit::time::from_micros(registered_at)?,
        latest,
    }))
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
