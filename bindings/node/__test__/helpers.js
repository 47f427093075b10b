'use strict'
// What the tests share: a fixed instant, a consent proof, a temporary directory, and a CRM's
// SQLite database with a contacts table (made with Python's sqlite3, which every machine that
// runs the tests has, since Node 20 has no SQLite of its own).

const { execFileSync } = require('node:child_process')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')

const NOW = new Date('2025-06-01T12:00:00Z')
const KEY = 'a key of thirty-two bytes or more, for the HMAC'
const PROOF = Object.freeze({
  source: 'web_form',
  collectedBy: { by: 'subject' },
  noticeVersion: 'v1',
  noticeSha256: '0'.repeat(64),
})

const DATA_MAP = {
  entity: [
    {
      name: 'contacts',
      table: 'contacts',
      subject_column: 'subject',
      category: 'identity',
      on_erasure: 'anonymize',
      retention: { keep_for: '3y', from: ['last_seen'], then: 'delete' },
      fields: {
        name: { op: 'redact', kind: 'identifier' },
        email: { op: 'pseudonymize', kind: 'identifier' },
        last_seen: { kind: 'non_personal' },
      },
    },
  ],
  processing: [{ purpose: 'newsletter', retention: 'until you unsubscribe' }],
}

/** A fresh directory, removed when the test ends. */
function tempDir(t) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gdprkit-node-'))
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }))
  return dir
}

/** A CRM database with Jeanne seen last month and `old` contacts last seen in 2019. */
function crm(dir, old = 3) {
  const file = path.join(dir, 'crm.db')
  const script = `
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.execute("CREATE TABLE contacts (id INTEGER PRIMARY KEY, subject TEXT NOT NULL, name TEXT, email TEXT, last_seen TEXT)")
c.execute("INSERT INTO contacts (subject, name, email, last_seen) VALUES ('jeanne', 'Jeanne Martin', 'jeanne@example.org', '2025-05-01')")
for i in range(int(sys.argv[2])):
    c.execute("INSERT INTO contacts (subject, name, email, last_seen) VALUES (?, ?, ?, '2019-01-01')", (f"old-{i}", f"Old {i}", f"old{i}@example.org"))
c.commit()
`
  execFileSync(process.env.GDPRKIT_PYTHON || 'python3', ['-c', script, file, String(old)])
  return file
}

/** Runs a SQL statement on a SQLite file behind gdprkit's back. */
function sql(file, statement) {
  const script = 'import sqlite3, sys\nc = sqlite3.connect(sys.argv[1])\nc.execute(sys.argv[2])\nc.commit()'
  execFileSync(process.env.GDPRKIT_PYTHON || 'python3', ['-c', script, file, statement])
}

module.exports = { NOW, KEY, PROOF, DATA_MAP, tempDir, crm, sql }
