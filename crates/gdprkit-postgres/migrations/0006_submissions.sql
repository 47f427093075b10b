-- gdprkit schema for PostgreSQL, version 6: requests submitted on the portal, waiting for the
-- person to confirm their address. Kept under the SHA-256 of the code mailed; once confirmed or
-- expired, only that hash and the times stay (subject and record become NULL).
CREATE TABLE gdprkit_submissions (
    tenant       TEXT   NOT NULL,
    code_hash    BYTEA  NOT NULL,
    state        TEXT   NOT NULL,
    subject      TEXT,
    submitted_at BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    record       TEXT,
    PRIMARY KEY (tenant, code_hash)
);

CREATE INDEX gdprkit_submissions_by_subject ON gdprkit_submissions (tenant, subject);
CREATE INDEX gdprkit_submissions_pending ON gdprkit_submissions (tenant, state, expires_at);

-- Subjects found by their address, without regard to case.
CREATE INDEX gdprkit_subjects_by_email ON gdprkit_subjects (tenant, lower(email));
