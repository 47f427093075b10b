-- gdprkit schema, version 5: phone numbers and the suppression list (rule C9).

-- A subject's phone number in E.164, where known; erased with the subject.
ALTER TABLE gdprkit_subjects ADD COLUMN phone TEXT;

-- Keyed hashes (HMAC-SHA-256 under the tenant's key, which is never stored here) of the e-mail
-- addresses and phone numbers of erased subjects who opted out of or objected to direct
-- marketing, with the scope of the denial ('' for all purposes or every channel). No clear value.
CREATE TABLE gdprkit_suppressions (
    tenant     TEXT    NOT NULL,
    key        BLOB    NOT NULL,
    identifier TEXT    NOT NULL,
    purpose    TEXT    NOT NULL,
    channel    TEXT    NOT NULL,
    action     TEXT    NOT NULL,
    denied_at  INTEGER NOT NULL,
    erased_at  INTEGER NOT NULL,
    keep_until INTEGER NOT NULL,
    PRIMARY KEY (tenant, key, purpose, channel)
) WITHOUT ROWID;
