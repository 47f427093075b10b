-- gdprkit schema for PostgreSQL, version 5: each tenant's stored settings (rule R2): its time zone and
-- holiday calendar, as JSON, the latest saved.
CREATE TABLE gdprkit_settings (
    tenant   TEXT NOT NULL PRIMARY KEY,
    settings TEXT NOT NULL
);
