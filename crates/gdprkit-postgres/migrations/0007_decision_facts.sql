-- gdprkit schema for PostgreSQL, version 7: every fact of a subject (consent events,
-- restrictions, information) in one index with the columns a decision reads, so that decisions
-- and campaigns read the index alone (after VACUUM has marked the pages visible) instead of one
-- heap page per fact.
CREATE INDEX gdprkit_ledger_facts ON gdprkit_ledger (tenant, subject)
    INCLUDE (purpose, channel, occurred_at, seq, action)
    WHERE subject IS NOT NULL AND action IS NOT NULL;
