-- gdprkit schema, version 6: each tenant's stored settings (rule R2): its time zone and holiday
-- calendar, as JSON, the latest saved.
CREATE TABLE gdprkit_settings (
    tenant   TEXT NOT NULL PRIMARY KEY,
    settings TEXT NOT NULL
) WITHOUT ROWID;
