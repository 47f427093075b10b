-- gdprkit schema, version 3: the outbox of messages to subjects.

-- One row per message, numbered by the ledger entry that queued it. `message` (the address,
-- text and attachments, as JSON) is dropped once the server accepts it, or when the subject is
-- erased before it went out.
CREATE TABLE gdprkit_outbox (
    tenant          TEXT    NOT NULL,
    id              INTEGER NOT NULL,
    message_id      TEXT    NOT NULL,
    kind            TEXT    NOT NULL,
    subject         TEXT    NOT NULL,
    request         TEXT,
    state           TEXT    NOT NULL,
    queued_at       INTEGER NOT NULL,
    failed_attempts INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT,
    next_attempt_at INTEGER,
    delivered_at    INTEGER,
    message         TEXT,
    PRIMARY KEY (tenant, id)
) WITHOUT ROWID;

CREATE INDEX gdprkit_outbox_due ON gdprkit_outbox (tenant, state, next_attempt_at);
CREATE INDEX gdprkit_outbox_by_subject ON gdprkit_outbox (tenant, subject, state);
