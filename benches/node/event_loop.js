'use strict'
// How long the event loop waits while gdprkit works: a timer set to tick every 10 ms runs during
// a PDF export of a subject with 10,000 consent events and during a campaign over 100,000
// subjects; the script reports, for each, the call's duration and the longest a tick came late
// (the goal: never more than 50 ms). The ticks of the call's own start (the arguments converted
// on the JavaScript thread) and end (its result) count.
//
//   GDPRKIT_NODE_PROFILE=release npm install ./bindings/node
//   node benches/node/event_loop.js [EVENTS] [SUBJECTS] [RUNS]

const { execFileSync } = require('node:child_process')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')

const { Gdpr } = require('../../bindings/node')

const NOW = '2025-06-01T12:00:00Z'
const PROOF = { source: 'web_form', collected_by: { by: 'subject' }, notice_version: 'v3', notice_sha256: '0'.repeat(64) }
const TICK_MS = 10

/** Runs `work` with a timer ticking every 10 ms; returns its duration and the longest lateness. */
async function lateness(work) {
  let worst = 0
  let expected = performance.now() + TICK_MS
  const timer = setInterval(() => {
    const now = performance.now()
    worst = Math.max(worst, now - expected)
    expected = now + TICK_MS
  }, TICK_MS)
  // One tick before the call, so that the timer is running when it starts.
  await new Promise((resolve) => setTimeout(resolve, TICK_MS * 2))
  const start = performance.now()
  await work()
  const took = performance.now() - start
  await new Promise((resolve) => setTimeout(resolve, TICK_MS * 2))
  clearInterval(timer)
  return { took_ms: +took.toFixed(1), worst_late_ms: +worst.toFixed(1) }
}

async function main() {
  const [eventsArg = '10000', subjectsArg = '100000', runsArg = '5'] = process.argv.slice(2)
  const events = Number(eventsArg)
  const subjects = Number(subjectsArg)
  const runs = Number(runsArg)
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gdprkit-loop-'))
  try {
    const crm = path.join(dir, 'crm.db')
    execFileSync(process.env.GDPRKIT_PYTHON || 'python3', [
      '-c',
      "import sqlite3, sys\nc = sqlite3.connect(sys.argv[1])\nc.execute('CREATE TABLE contacts (id INTEGER PRIMARY KEY, subject TEXT NOT NULL, name TEXT)')\nc.execute(\"INSERT INTO contacts (subject, name) VALUES ('jeanne', 'Jeanne Martin')\")\nc.commit()",
      crm,
    ])
    const dataMap = {
      entity: [{ name: 'contacts', table: 'contacts', subject_column: 'subject', category: 'identity', on_erasure: 'anonymize', fields: { name: { op: 'redact', kind: 'identifier' } } }],
      processing: [
        { purpose: 'newsletter', retention: 'until you unsubscribe' },
        { purpose: 'offers', retention: 'three years from our last contact' },
      ],
    }
    const g = await Gdpr.open(path.join(dir, 'gdprkit.db'), { now: NOW, crm, dataMap })
    await g.addPurpose('newsletter', { legalBasis: 'consent', directMarketing: true })
    // Professionals may be sent offers until they object (CPCE L.34-5): every one is allowed.
    await g.addPurpose('offers', { legalBasis: 'legitimate_interests', directMarketing: true })
    await g.addSubject('jeanne', { regime: 'b2c_opt_in', email: 'jeanne@example.org' })
    for (let done = 0; done < events; done += 1000) {
      const batch = Array.from({ length: Math.min(1000, events - done) }, (_, i) => ({
        subject: 'jeanne',
        action: (done + i) % 2 ? 'opt_out' : 'opt_in',
        purpose: 'newsletter',
        channel: 'email',
        occurredAt: new Date(Date.parse('2020-01-01T00:00:00Z') + (done + i) * 60e3),
        proof: PROOF,
      }))
      await g.recordConsents(batch)
    }
    for (let start = 0; start < subjects; start += 10_000) {
      const n = Math.min(10_000, subjects - start)
      await g.addSubjects(Array.from({ length: n }, (_, i) => ({ id: `s-${start + i}`, regime: 'b2b_opt_out' })))
    }
    const ids = Array.from({ length: subjects }, (_, i) => `s-${i}`)
    const results = { pdf: [], campaign: [] }
    for (let r = 0; r < runs; r++) {
      results.pdf.push(await lateness(async () => {
        const pdf = await g.exportPdf('jeanne')
        if (pdf.length < 1000) throw new Error('no PDF')
      }))
      results.campaign.push(await lateness(async () => {
        const c = await g.campaign(ids, 'offers', 'email')
        if (c.allowed.length !== subjects) throw new Error(`${c.allowed.length} allowed`)
      }))
    }
    for (const [what, label] of [['pdf', `PDF export of a subject with ${events} consent events`], ['campaign', `campaign over ${subjects} subjects`]]) {
      const worst = Math.max(...results[what].map((x) => x.worst_late_ms))
      const took = results[what].map((x) => x.took_ms).sort((a, b) => a - b)[results[what].length >> 1]
      console.log(JSON.stringify({ bench: label, median_took_ms: took, worst_late_ms: worst, runs }))
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

main().catch((e) => {
  console.error(e)
  process.exit(1)
})
