-- gdprkit schema, version 4: what the default rule table needs (rule C4).

-- Whether a purpose's messages relate to the recipient's profession (CNIL's B2B rule). Purposes
-- registered before it existed relate to it, as a purpose does unless declared otherwise.
ALTER TABLE gdprkit_purposes ADD COLUMN professional INTEGER NOT NULL DEFAULT 1;

-- The custom channels each tenant declared, with their kind: electronic, phone or post.
CREATE TABLE gdprkit_channels (
    tenant TEXT NOT NULL,
    name   TEXT NOT NULL,
    kind   TEXT NOT NULL,
    PRIMARY KEY (tenant, name)
) WITHOUT ROWID;
