'use strict'
// The Node package against the Rust core: decisions and campaigns, a request through its life,
// batches, lists and deadlines, exports, and calls that run off the JavaScript thread.

const assert = require('node:assert/strict')
const path = require('node:path')
const { test } = require('node:test')

const { Gdpr, Campaign, GdprError } = require('..')
const { NOW, PROOF, DATA_MAP, tempDir, crm } = require('./helpers')

async function open(t, options = {}) {
  const g = await Gdpr.open(path.join(tempDir(t), 'gdprkit.db'), { now: NOW, pdf: false, ...options })
  await g.addPurpose('newsletter', { legalBasis: 'consent', directMarketing: true, label: 'News' })
  await g.addSubject('jeanne', { regime: 'b2c_opt_in', email: 'jeanne@example.org', language: 'fr' })
  return g
}

test('a consumer is contacted only after an opt-in (CPCE L.34-5, GDPR Art. 6(1)(a))', async (t) => {
  const g = await open(t)
  assert.equal((await g.decide('jeanne', 'newsletter', 'email')).allowed, false)
  const event = await g.recordConsent('jeanne', {
    action: 'opt_in',
    purpose: 'newsletter',
    channel: 'email',
    occurredAt: NOW,
    proof: PROOF,
  })
  assert.equal(event.action, 'opt_in')
  assert.equal(event.proof.collected_by.by, 'subject', 'camelCase proof keys reach the core')
  const d = await g.decide('jeanne', 'newsletter', 'email', { at: '2025-06-02T00:00:00Z' })
  assert.equal(d.allowed, true)
  assert.match(d.reason, /opted in/)
  assert.equal(d.at, '2025-06-02T00:00:00Z', 'an RFC 3339 string is an instant too')

  await g.addSubject('acme', { regime: 'b2b_opt_out' })
  const campaign = await g.campaign(['acme', 'jeanne'], 'newsletter', 'email')
  assert.ok(campaign instanceof Campaign)
  assert.equal(campaign.length, 2)
  assert.deepEqual(campaign.allowed, ['jeanne'])
  assert.equal(campaign.at(-1).subject, 'jeanne')
  assert.equal(campaign.at(0).decided_by.rule, 'consent_required')
  assert.equal(campaign.at(2), undefined)
  assert.deepEqual([...campaign].map((x) => x.subject), ['acme', 'jeanne'])
  await assert.rejects(g.campaign(['jeanne', 7], 'newsletter', 'email'), { code: 'GDPR_INVALID_INPUT', field: 'subjects' })
  assert.equal((await g.history('jeanne')).length, 1)
  assert.equal((await g.verifyLedger()).status, 'intact')
})

test('a request goes through its life and is tracked (Art. 12)', async (t) => {
  const g = await open(t)
  const opened = await g.openRequest('jeanne', { kind: 'erasure', via: 'email' })
  const id = opened.request.id
  assert.equal(opened.request.state, 'received')
  assert.equal(typeof opened.token, 'string')
  await g.act(id, 'accept', { by: 'Marie' })
  const refused = await g.act(id, 'refuse', { by: 'Marie', code: 'legal_obligation', reason: 'Invoices are kept 10 years.' })
  assert.equal(refused.request.state, 'refused')
  assert.equal((await g.track(opened.token)).state, 'refused')
  assert.equal(await g.track('nope'), null)
  assert.deepEqual((await g.requests()).map((r) => r.id), [id])
  assert.deepEqual((await g.subjectRequests('jeanne')).map((r) => r.id), [id])
  assert.deepEqual((await g.request(id)).id, id)
})

test('batches are all or nothing', async (t) => {
  const g = await open(t)
  const added = await g.addSubjects([0, 1, 2].map((i) => ({ id: `lead-${i}`, regime: 'b2b_opt_out' })))
  assert.deepEqual(added.map((s) => s.id), ['lead-0', 'lead-1', 'lead-2'])
  await assert.rejects(
    g.addSubjects([
      { id: 'lead-3', regime: 'b2b_opt_out' },
      { id: 'lead-0', regime: 'b2b_opt_out' },
    ]),
    { code: 'GDPR_ALREADY_EXISTS' },
  )
  await assert.rejects(g.subject('lead-3'), { code: 'GDPR_NOT_FOUND' }, 'nothing of the failed batch was written')
  const event = { action: 'opt_in', purpose: 'newsletter', channel: 'email', occurredAt: NOW, proof: PROOF }
  const seqs = await g.recordConsents([
    { ...event, subject: 'jeanne' },
    { ...event, subject: 'lead-0' },
  ])
  assert.equal(seqs.length, 2)
  assert.ok(seqs[0] < seqs[1])
})

test('lists, deadlines (R2), disclosures and recipients (Art. 19), settings and changes', async (t) => {
  const g = await open(t)
  assert.equal((await g.deadline('2025-04-01')).due, '2025-05-02', '1 May is a holiday in France')
  assert.deepEqual(await g.overdueRequests(), [])
  assert.deepEqual(await g.lateRequests(), [])
  assert.deepEqual(await g.requestsDueWithin(3), [])
  await g.recordDisclosure('jeanne', 'Brevo SAS', { at: NOW })
  const { request } = await g.openRequest('jeanne', { kind: 'rectification', via: 'phone' })
  await g.act(request.id, 'accept', { by: 'Marie' })
  await g.act(request.id, 'complete', { by: 'Marie' })
  assert.deepEqual((await g.recipientTasks(request.id)).map((x) => x.recipient), ['Brevo SAS'])
  assert.equal((await g.settings()).time_zone, 'Europe/Paris')
  assert.equal((await g.changesSince(0, { limit: 5 })).changes.length, 5)
})

test('an export as a PDF Buffer and as an object, from the CRM tables (Art. 15, 20)', async (t) => {
  const dir = tempDir(t)
  const g = await Gdpr.open(path.join(dir, 'gdprkit.db'), {
    now: NOW,
    crm: crm(dir),
    dataMap: DATA_MAP,
    hmacKey: 'k'.repeat(32),
    controller: { name: 'Acme SAS' },
  })
  await g.addPurpose('newsletter', { legalBasis: 'consent', directMarketing: true })
  await g.addSubject('jeanne', { regime: 'b2c_opt_in' })
  const exported = await g.export('jeanne', { language: 'en' })
  assert.equal(exported.categories[0].entities[0].records[0].name, 'Jeanne Martin')
  const pdf = await g.exportPdf('jeanne', { language: 'fr' })
  assert.ok(Buffer.isBuffer(pdf))
  assert.equal(pdf.subarray(0, 5).toString('latin1'), '%PDF-')
  await assert.rejects(g.exportPdf('ghost'), (e) => e instanceof GdprError && e.code === 'GDPR_NOT_FOUND')
  const notice = await g.informationNoticePdf('jeanne', { language: 'fr' })
  assert.equal(notice.subarray(0, 5).toString('latin1'), '%PDF-')
})

test('calls run off the JavaScript thread: timers fire while a call works', async (t) => {
  const g = await open(t)
  await g.addSubjects(Array.from({ length: 2000 }, (_, i) => ({ id: `s-${i}`, regime: 'b2b_opt_out' })))
  let ticks = 0
  const timer = setInterval(() => ticks++, 1)
  const pending = Promise.all(Array.from({ length: 20 }, () => g.campaign(Array.from({ length: 2000 }, (_, i) => `s-${i}`), 'newsletter', 'email')))
  const campaigns = await pending
  clearInterval(timer)
  assert.equal(campaigns.length, 20)
  assert.ok(ticks > 0, 'the event loop ran while the campaigns were decided')
})
