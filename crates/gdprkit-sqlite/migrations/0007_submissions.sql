-- gdprkit schema, version 7: requests submitted on the portal, waiting for the person to confirm
-- their address. Kept under the SHA-256 of the code mailed; once confirmed or expired, only that
-- hash and the times stay (subject and record become NULL).
CREATE TABLE gdprkit_submissions (
    tenant       TEXT    NOT NULL,
    code_hash    BLOB    NOT NULL,
    state        TEXT    NOT NULL,
    subject      TEXT,
    submitted_at INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    record       TEXT,
    PRIMARY KEY (tenant, code_hash)
) WITHOUT ROWID;

CREATE INDEX gdprkit_submissions_by_subject ON gdprkit_submissions (tenant, subject);
CREATE INDEX gdprkit_submissions_pending ON gdprkit_submissions (tenant, state, expires_at);

-- Subjects are found by their address with a scan of the tenant's subjects, not an index on it:
-- with an index on lower(email), an erased address was still found in the file by the erasure
-- test, secure_delete notwithstanding.
