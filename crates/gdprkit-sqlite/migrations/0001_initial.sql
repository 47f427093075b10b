-- gdprkit schema, version 1.

-- One row per tenant: the head of its chain and how many subjects it has.
CREATE TABLE gdprkit_tenants (
    tenant   TEXT    NOT NULL PRIMARY KEY,
    seq      INTEGER NOT NULL,
    hash     BLOB    NOT NULL,
    subjects INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;

-- The ledger: one hash-chained entry per row. The fact columns (purpose, channel, action,
-- occurred_at) are covered by the entry's hash; subject is checked against its commitment.
CREATE TABLE gdprkit_ledger (
    tenant      TEXT    NOT NULL,
    seq         INTEGER NOT NULL,
    prev_hash   BLOB    NOT NULL,
    hash        BLOB    NOT NULL,
    kind        TEXT    NOT NULL,
    subject     TEXT,
    purpose     TEXT,
    channel     TEXT,
    action      TEXT,
    occurred_at INTEGER,
    body        TEXT    NOT NULL,
    commitments BLOB    NOT NULL,
    personal    BLOB,
    PRIMARY KEY (tenant, seq)
) WITHOUT ROWID;

-- A subject's entries, for its history, its erasure, and its decisions: one seek finds every
-- event of the subject, and the index alone answers a decision.
CREATE INDEX gdprkit_ledger_by_subject ON gdprkit_ledger (tenant, subject, purpose, channel, occurred_at, seq, action)
    WHERE subject IS NOT NULL;

-- Consent events by purpose and channel, then subject and time: one range scan answers a
-- campaign. Not partial: a partial index makes SQLite evaluate its condition on every row read.
CREATE INDEX gdprkit_ledger_decisions ON gdprkit_ledger (tenant, purpose, channel, subject, occurred_at, seq, action);

CREATE TABLE gdprkit_purposes (
    tenant           TEXT    NOT NULL,
    id               TEXT    NOT NULL,
    label            TEXT    NOT NULL,
    legal_basis      TEXT    NOT NULL,
    direct_marketing INTEGER NOT NULL,
    PRIMARY KEY (tenant, id)
) WITHOUT ROWID;

CREATE TABLE gdprkit_subjects (
    tenant        TEXT    NOT NULL,
    id            TEXT    NOT NULL,
    regime        TEXT    NOT NULL,
    email         TEXT,
    language      TEXT,
    registered_at INTEGER NOT NULL,
    PRIMARY KEY (tenant, id)
) WITHOUT ROWID;
