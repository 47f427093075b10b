'use strict'
// The same calls from Node and from Rust, in one run, on the same store: a campaign decision over
// N subjects (one call, the subjects who may be contacted read back), and appending M consents
// (one call each, awaited one after the other). Each side opens the store before it is timed.
// Reports each side's median and the ratio Rust / Node (1.0: Node costs nothing more; the goal is
// at least 0.8).
//
// The Rust side is `same-calls` (benches/src/bin/same_calls.rs), built in the profile the package
// was built in, so that both sides run the same compiled core:
//
//   GDPRKIT_NODE_PROFILE=release npm install ./bindings/node
//   cargo build --release -p gdprkit-benches --bin same-calls
//   node benches/node/same_calls.js PATH/TO/same-calls [SUBJECTS] [CONSENTS] [RUNS]
//
// Runs alternate Node and Rust, so that the machine's drift touches both alike.

const { execFileSync } = require('node:child_process')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')

const { Gdpr } = require('../../bindings/node')

const NOW = '2025-06-01T12:00:00Z'
const OCCURRED = '2025-05-01T09:00:00Z'
const PROOF = {
  source: 'web_form',
  collected_by: { by: 'subject' },
  notice_version: 'v3',
  notice_sha256: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
}

/** A store with `subjects` consumers `s-0`…, every `optedInEvery`-th of them opted in. */
async function storeWith(file, subjects, optedInEvery) {
  const g = await Gdpr.open(file, { now: NOW, pdf: false })
  await g.addPurpose('newsletter', { legalBasis: 'consent', directMarketing: true })
  for (let start = 0; start < subjects; start += 10_000) {
    const ids = []
    for (let i = start; i < Math.min(start + 10_000, subjects); i++) ids.push(i)
    await g.addSubjects(ids.map((i) => ({ id: `s-${i}`, regime: 'b2c_opt_in' })))
    const events = ids
      .filter((i) => i % optedInEvery === 0)
      .map((i) => ({ subject: `s-${i}`, action: 'opt_in', purpose: 'newsletter', channel: 'email', occurredAt: OCCURRED, proof: PROOF }))
    if (events.length > 0) await g.recordConsents(events)
  }
}

function rust(binary, what, store, n) {
  return Number(execFileSync(binary, [what, store, String(n)], { encoding: 'utf8' }).trim())
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}

async function compare(bench, runs, node, fromRust) {
  const js = []
  const rs = []
  for (let i = 0; i < runs; i++) {
    js.push(await node())
    rs.push(fromRust())
  }
  const n = median(js)
  const r = median(rs)
  return { bench, node_s: +n.toFixed(4), rust_s: +r.toFixed(4), ratio_rust_over_node: +(r / n).toFixed(3) }
}

async function main() {
  const [binary, subjectsArg = '100000', consentsArg = '1000', runsArg = '5'] = process.argv.slice(2)
  if (binary === undefined) throw new Error('usage: same_calls.js PATH/TO/same-calls [SUBJECTS] [CONSENTS] [RUNS]')
  const subjects = Number(subjectsArg)
  const consents = Number(consentsArg)
  const runs = Number(runsArg)
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gdprkit-bench-'))
  try {
    const store = path.join(dir, 'campaign.db')
    await storeWith(store, subjects, 2)
    const ids = Array.from({ length: subjects }, (_, i) => `s-${i}`)
    const results = [
      await compare(
        `campaign over ${subjects} subjects`,
        runs,
        async () => {
          const g = await Gdpr.open(store, { now: NOW, pdf: false })
          const start = process.hrtime.bigint()
          const allowed = (await g.campaign(ids, 'newsletter', 'email')).allowed
          const seconds = Number(process.hrtime.bigint() - start) / 1e9
          if (allowed.length !== Math.ceil(subjects / 2)) throw new Error(`${allowed.length} allowed`)
          return seconds
        },
        () => rust(binary, 'campaign', store, subjects),
      ),
    ]
    const consentStore = path.join(dir, 'consents.db')
    await storeWith(consentStore, consents, consents + 1)
    results.push(
      await compare(
        `${consents} consents, one call each`,
        runs,
        async () => {
          const g = await Gdpr.open(consentStore, { now: NOW, pdf: false })
          const start = process.hrtime.bigint()
          for (let i = 0; i < consents; i++) {
            await g.recordConsent(`s-${i}`, { action: 'opt_in', purpose: 'newsletter', channel: 'email', occurredAt: OCCURRED, proof: PROOF })
          }
          return Number(process.hrtime.bigint() - start) / 1e9
        },
        () => rust(binary, 'consents', consentStore, consents),
      ),
    )
    for (const r of results) console.log(JSON.stringify(r))
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

main().catch((e) => {
  console.error(e)
  process.exit(1)
})
