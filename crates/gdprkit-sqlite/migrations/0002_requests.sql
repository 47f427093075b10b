-- gdprkit schema, version 2: requests from data subjects.

-- One row per request: the request as JSON, with the columns lists and tracking filter on.
CREATE TABLE gdprkit_requests (
    tenant      TEXT NOT NULL,
    id          TEXT NOT NULL,
    subject     TEXT NOT NULL,
    state       TEXT NOT NULL,
    due         TEXT NOT NULL,
    received_at INTEGER NOT NULL,
    token_hash  BLOB NOT NULL,
    record      TEXT NOT NULL,
    PRIMARY KEY (tenant, id)
) WITHOUT ROWID;

CREATE UNIQUE INDEX gdprkit_requests_by_token ON gdprkit_requests (tenant, token_hash);
CREATE INDEX gdprkit_requests_by_subject ON gdprkit_requests (tenant, subject);

-- Who a subject's data was disclosed to (Art. 19).
CREATE TABLE gdprkit_disclosures (
    tenant       TEXT    NOT NULL,
    subject      TEXT    NOT NULL,
    seq          INTEGER NOT NULL,
    recipient    TEXT    NOT NULL,
    disclosed_at INTEGER NOT NULL,
    PRIMARY KEY (tenant, subject, seq)
) WITHOUT ROWID;

-- The recipients to tell about a completed rectification, erasure or restriction.
CREATE TABLE gdprkit_recipient_tasks (
    tenant    TEXT NOT NULL,
    request   TEXT NOT NULL,
    recipient TEXT NOT NULL,
    pending   INTEGER NOT NULL,
    record    TEXT NOT NULL,
    PRIMARY KEY (tenant, request, recipient)
) WITHOUT ROWID;
