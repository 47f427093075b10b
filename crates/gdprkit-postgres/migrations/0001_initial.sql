-- gdprkit schema for PostgreSQL, version 1: the ledger, its registries and the requests.

-- One row per tenant: the head of its chain (NULL before its first entry) and how many subjects
-- it has. An append locks its tenant's row, so each tenant's chain stays linear under concurrent
-- writers while other tenants go on.
CREATE TABLE gdprkit_tenants (
    tenant   TEXT   NOT NULL PRIMARY KEY,
    seq      BIGINT,
    hash     BYTEA,
    subjects BIGINT NOT NULL DEFAULT 0
);

-- The ledger: one hash-chained entry per row. The fact columns (purpose, channel, action,
-- occurred_at) are covered by the entry's hash; subject is checked against its commitment.
CREATE TABLE gdprkit_ledger (
    tenant      TEXT   NOT NULL,
    seq         BIGINT NOT NULL,
    prev_hash   BYTEA  NOT NULL,
    hash        BYTEA  NOT NULL,
    kind        TEXT   NOT NULL,
    subject     TEXT,
    purpose     TEXT,
    channel     TEXT,
    action      TEXT,
    occurred_at BIGINT,
    body        TEXT   NOT NULL,
    commitments BYTEA  NOT NULL,
    personal    BYTEA,
    PRIMARY KEY (tenant, seq),
    -- No two entries share a predecessor.
    UNIQUE (tenant, prev_hash)
);

-- A subject's entries, for its history, its erasure and its decisions.
CREATE INDEX gdprkit_ledger_by_subject ON gdprkit_ledger (tenant, subject, seq) WHERE subject IS NOT NULL;

CREATE TABLE gdprkit_purposes (
    tenant           TEXT    NOT NULL,
    id               TEXT    NOT NULL,
    label            TEXT    NOT NULL,
    legal_basis      TEXT    NOT NULL,
    direct_marketing BOOLEAN NOT NULL,
    PRIMARY KEY (tenant, id)
);

CREATE TABLE gdprkit_subjects (
    tenant        TEXT   NOT NULL,
    id            TEXT   NOT NULL,
    regime        TEXT   NOT NULL,
    email         TEXT,
    language      TEXT,
    registered_at BIGINT NOT NULL,
    PRIMARY KEY (tenant, id)
);

-- One row per request: the request as JSON, with the columns that lists and tracking filter on.
CREATE TABLE gdprkit_requests (
    tenant      TEXT   NOT NULL,
    id          TEXT   NOT NULL,
    subject     TEXT   NOT NULL,
    state       TEXT   NOT NULL,
    due         TEXT   NOT NULL,
    received_at BIGINT NOT NULL,
    token_hash  BYTEA  NOT NULL,
    record      TEXT   NOT NULL,
    PRIMARY KEY (tenant, id)
);

CREATE UNIQUE INDEX gdprkit_requests_by_token ON gdprkit_requests (tenant, token_hash);
CREATE INDEX gdprkit_requests_by_subject ON gdprkit_requests (tenant, subject);

-- Who a subject's data was disclosed to (Art. 19).
CREATE TABLE gdprkit_disclosures (
    tenant       TEXT   NOT NULL,
    subject      TEXT   NOT NULL,
    seq          BIGINT NOT NULL,
    recipient    TEXT   NOT NULL,
    disclosed_at BIGINT NOT NULL,
    PRIMARY KEY (tenant, subject, seq)
);

-- The recipients to tell about a completed rectification, erasure or restriction.
CREATE TABLE gdprkit_recipient_tasks (
    tenant    TEXT    NOT NULL,
    request   TEXT    NOT NULL,
    recipient TEXT    NOT NULL,
    pending   BOOLEAN NOT NULL,
    record    TEXT    NOT NULL,
    PRIMARY KEY (tenant, request, recipient)
);
