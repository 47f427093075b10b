'use strict'
// Every method of the facade from Node, with a CRM's tables: channels, recipients, sweeps with
// progress, exports for download, the outbox and a JavaScript mailer, unsubscribe references,
// the suppression list, settings, a JavaScript clock, and opening from one configuration object.

const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')
const { test } = require('node:test')

const gdprkit = require('..')
const { Gdpr } = gdprkit
const { NOW, KEY, PROOF, DATA_MAP, tempDir, crm } = require('./helpers')

async function open(t, options = {}) {
  const dir = tempDir(t)
  const g = await Gdpr.open(path.join(dir, 'gdprkit.db'), {
    now: NOW,
    pdf: false,
    crm: crm(dir),
    dataMap: DATA_MAP,
    hmacKey: KEY,
    controller: { name: 'Acme SAS' },
    ...options,
  })
  g.storeOfTest = path.join(dir, 'gdprkit.db')
  await g.addPurpose('newsletter', { legalBasis: 'consent', directMarketing: true })
  await g.addSubject('jeanne', { regime: 'b2c_opt_in', email: 'jeanne@example.org', language: 'en' })
  for (let i = 0; i < 3; i++) await g.addSubject(`old-${i}`, { regime: 'b2b_opt_out' })
  return g
}

/** Each method of the core, and the method of `Gdpr` that calls it. */
const CAMEL = (m) => m.replace(/_([a-z])/g, (_, c) => c.toUpperCase())
const OWN_NATIVE_METHOD = { decide_many: 'campaign' }

test('every method of the core has a method of Gdpr, and index.d.ts declares it', () => {
  const declared = fs.readFileSync(path.join(__dirname, '..', 'index.d.ts'), 'utf8')
  const source = fs.readFileSync(path.join(__dirname, '..', 'index.js'), 'utf8')
  const methods = gdprkit.methods()
  assert.ok(methods.length >= 45)
  for (const core of methods) {
    const name = OWN_NATIVE_METHOD[core] ?? CAMEL(core)
    assert.equal(typeof Gdpr.prototype[name], 'function', `${core}: no Gdpr.${name}`)
    assert.match(declared, new RegExp(`\\n  ${name}(<[^>]*>)?\\(`), `${core}: index.d.ts declares no ${name}`)
    if (!(core in OWN_NATIVE_METHOD)) assert.ok(source.includes(`'${core}'`), `${core}: Gdpr.${name} does not call it`)
  }
})

test('purposes and channels; a channel keeps its kind', async (t) => {
  const g = await open(t)
  assert.equal((await g.purpose('newsletter')).legal_basis, 'consent')
  assert.deepEqual((await g.purposes()).map((p) => p.id), ['newsletter'])
  await assert.rejects(g.purpose('ghost'), { code: 'GDPR_NOT_FOUND' })
  await g.addChannel('whatsapp', { kind: 'electronic' })
  assert.deepEqual((await g.channels()).map((c) => [c.name, c.kind]), [['whatsapp', 'electronic']])
  await assert.rejects(g.addChannel('whatsapp', { kind: 'post' }), { code: 'GDPR_ALREADY_EXISTS' })
  await assert.rejects(g.addChannel('email', { kind: 'post' }), { code: 'GDPR_INVALID_INPUT' })
  assert.equal((await g.subject('old-0')).regime, 'b2b_opt_out')
})

test('a sweep reports progress, and what the callback throws stops it (rule A6)', async (t) => {
  const g = await open(t)
  assert.equal((await g.sweep({ dryRun: true })).entities[0].rows, 3)
  const seen = []
  const stop = new Error('stop here')
  await assert.rejects(
    g.sweep({
      batchSize: 1,
      progress: (p) => {
        seen.push(p)
        throw stop
      },
    }),
    (e) => e === stop,
    'rejects with the very error the callback threw',
  )
  assert.deepEqual(seen.map((p) => [p.entity, p.done, p.total]), [['contacts', 1, 3]])
  assert.equal((await g.sweep({ dryRun: true })).entities[0].rows, 2, 'the first batch stays done')
  const later = []
  const report = await g.sweep({ batchSize: 1, progress: async (p) => void later.push(p.done) })
  assert.equal(report.entities[0].rows, 2)
  assert.deepEqual(later, [1, 2])
  await assert.rejects(g.sweep({ batch: 1 }), { code: 'GDPR_INVALID_INPUT' }, 'a misspelled option is refused')
})

test('erasure for a request tells the recipients (Art. 17, 19)', async (t) => {
  const g = await open(t)
  await g.recordConsent('jeanne', { action: 'opt_out', purpose: 'newsletter', channel: 'email', occurredAt: NOW })
  assert.equal((await g.eraseSubject('jeanne', { dryRun: true })).applied, false)
  assert.ok((await g.purposesApplyingTo('jeanne')).length >= 1)
  await g.recordDisclosure('jeanne', 'Brevo SAS', { at: NOW })
  assert.deepEqual((await g.disclosures('jeanne')).map((d) => d.recipient), ['Brevo SAS'])
  const { request } = await g.openRequest('jeanne', { kind: 'erasure', via: 'web' })
  await g.act(request.id, 'accept', { by: 'Marie' })
  const done = await g.executeRequest(request.id, { by: 'Marie' })
  assert.equal(done.outcome.request.state, 'completed')
  const task = await g.markRecipientTask(request.id, 'Brevo SAS', { outcome: 'skipped', reason: 'impossible', by: 'Marie' })
  assert.equal(task.status.status, 'skipped')
  await assert.rejects(
    g.markRecipientTask(request.id, 'Brevo SAS', { outcome: 'sent', reason: 'impossible', by: 'Marie' }),
    { code: 'GDPR_INVALID_INPUT', field: 'outcome' },
  )
  assert.deepEqual(await g.finishInterruptedErasures(), [])
  assert.equal((await g.suppressionList()).length, 1, 'the erased opt-out is kept hashed')
  assert.equal((await g.eraseSubject('old-0')).applied, true)
})

test('a restriction is lifted once the subject was told (Art. 18(3))', async (t) => {
  const g = await open(t)
  const { request } = await g.openRequest('jeanne', { kind: 'restriction', via: 'email' })
  await g.act(request.id, 'accept', { by: 'Marie' })
  await g.act(request.id, 'complete', { by: 'Marie' })
  await assert.rejects(g.liftRestriction(request.id, { by: 'Marie', subjectTold: false }), { code: 'GDPR_INVALID_INPUT' })
  await g.liftRestriction(request.id, { by: 'Marie', subjectTold: true })
})

test('a copy offered for download on the portal waits for the person (E3)', async (t) => {
  const g = await open(t)
  const { request } = await g.openRequest('jeanne', { kind: 'access', via: 'web' })
  await g.act(request.id, 'accept', { by: 'Marie' })
  await assert.rejects(g.offerDownload(request.id, { by: 'Marie' }), { code: 'GDPR_INVALID_STATE' }, 'not started')
  await g.act(request.id, 'start', { by: 'Marie' })
  const offered = await g.offerDownload(request.id, { by: 'Marie' })
  assert.equal(offered.request.state, 'in_progress')
  assert.equal(offered.notice.kind, 'copy_ready')
  assert.equal(typeof offered.request.download_until, 'string')
  assert.equal(await g.requestMessage(request.id), null, 'opened by staff, with no message')
})

test('a copy for download, the outbox, and a JavaScript mailer sending what waits (Art. 20)', async (t) => {
  const g = await open(t)
  await g.recordConsent('jeanne', { action: 'opt_in', purpose: 'newsletter', channel: 'email', occurredAt: NOW, proof: PROOF })
  const { request } = await g.openRequest('jeanne', { kind: 'portability', via: 'web' })
  await g.act(request.id, 'accept', { by: 'Marie' })
  const done = await g.completeWithExport(request.id, { by: 'Marie' })
  assert.equal(done.attachment.filename, 'export.json')
  assert.ok(Buffer.isBuffer(done.attachment.bytes))
  assert.equal(JSON.parse(done.attachment.bytes.toString('utf8')).format, 'gdprkit-export')
  const pending = await g.outbox()
  assert.deepEqual(pending.map((m) => m.kind), ['receipt', 'completion'])
  assert.ok(pending.every((m) => m.state === 'pending'))
  assert.equal((await g.outbox({ all: true })).length, 2)
  await assert.rejects(g.deliverPending(), { code: 'GDPR_CONFIG' }, 'no mailer, nothing to deliver with')

  const sent = []
  const withMailer = await Gdpr.open(g.storeOfTest, { now: NOW, pdf: false, mailer: async (m) => void sent.push(m) })
  const report = await withMailer.deliverPending()
  assert.equal(report.delivered.length, 2)
  assert.deepEqual(sent.map((m) => m.to), ['jeanne@example.org', 'jeanne@example.org'])
  assert.ok(sent[1].attachments.length === 0 || Buffer.isBuffer(sent[1].attachments[0].bytes))
  assert.deepEqual(await withMailer.outbox(), [])
})

test('unsubscribe references opt out once (RFC 8058)', async (t) => {
  const g = await open(t)
  const token = await g.unsubscribeToken('jeanne', { purpose: 'newsletter', channel: 'email' })
  assert.equal(typeof token, 'string')
  const first = await g.unsubscribe(token)
  assert.equal(first.recorded, true)
  assert.equal(first.event.action, 'opt_out')
  assert.equal((await g.unsubscribe(token)).recorded, false)
  await assert.rejects(g.unsubscribeToken('jeanne', { purpose: 'newsletter' }), { code: 'GDPR_INVALID_INPUT' })
  await assert.rejects(g.unsubscribe('00'.repeat(40)), { code: 'GDPR_INVALID_INPUT', field: 'token' })
})

test('the map is checked and settings saved', async (t) => {
  const g = await open(t)
  assert.ok(Array.isArray((await g.checkMap()).warnings))
  assert.equal((await g.settings()).stored, false)
  assert.equal((await g.saveSettings()).time_zone, 'Europe/Paris')
  assert.equal((await g.settings()).stored, true)
})

test('a JavaScript clock is read once per call (Art. 12(3) deadlines)', async (t) => {
  const clock = { at: NOW, now() { return this.at } }
  const g = await Gdpr.open(path.join(tempDir(t), 'gdprkit.db'), { pdf: false, clock })
  await g.addSubject('jeanne', { regime: 'b2c_opt_in' })
  const opened = await g.openRequest('jeanne', { kind: 'access', via: 'web' })
  assert.equal(opened.request.received_at, '2025-06-01T12:00:00Z')
  clock.at = new Date(NOW.getTime() + 40 * 86400e3)
  assert.deepEqual((await g.overdueRequests()).map((r) => r.id), [opened.request.id], 'overdue 40 days later')
  clock.at = '2025-06-01T12:00:00+02:00'
  assert.deepEqual(await g.overdueRequests(), [], 'a clock may give RFC 3339 strings')
  clock.at = new Date('not a date')
  await assert.rejects(g.requests(), { code: 'GDPR_INVALID_INPUT', field: 'clock.now()' })
})

test('one configuration object opens the same as options; tenants are apart', async (t) => {
  const store = path.join(tempDir(t), 'gdprkit.db')
  const g = await Gdpr.fromConfig({ store, tenant: 'acme', now: NOW, pdf: false })
  await g.addSubject('jeanne', { regime: 'b2c_opt_in' })
  const again = await Gdpr.open(store, { tenant: 'acme', pdf: false })
  assert.equal((await again.subject('jeanne')).regime, 'b2c_opt_in')
  const other = await Gdpr.open(store, { tenant: 'other', pdf: false })
  await assert.rejects(other.subject('jeanne'), { code: 'GDPR_NOT_FOUND' })
  await assert.rejects(Gdpr.fromConfig({ tenant: 'acme' }), { code: 'GDPR_CONFIG', field: 'store' })
  await assert.rejects(Gdpr.fromConfig({ store: ':memory:', colour: 'blue' }), (e) => e.code === 'GDPR_CONFIG' && /colour/.test(e.message))
  const snake = await Gdpr.fromConfig({ store: ':memory:', time_zone: 'Europe/Lisbon', pdf: false })
  assert.equal((await snake.settings()).time_zone, 'Europe/Lisbon', 'keys as a TOML or JSON file names them')
})

test('information: prospects from a fair are due, told by post, exempt or listed (Arts. 13 and 14)', async (t) => {
  const g = await open(t)
  const fair = { source: 'trade_fair', reference: 'Salon Pro', obtainedAt: new Date('2025-04-01T09:00:00Z') }
  await g.addSubjects([0, 1, 2].map((i) => ({ id: `lead-${i}`, regime: 'b2b_opt_out', language: 'en', origin: fair })))
  const status = await g.informationStatus('lead-0')
  assert.deepEqual([status.state, status.due, status.due_by], ['overdue', '2025-05-02', 'one_month'])
  const notice = await g.informationNotice('lead-0', { language: 'en' })
  assert.ok(notice.text.includes('Where we obtained your data: a trade fair (Salon Pro), on 1 April 2025.'))
  const given = await g.inform('lead-0', { via: 'post', at: new Date('2025-05-31T09:00:00Z') })
  assert.deepEqual([given.via, given.notice.sha256], ['post', notice.sha256])
  await assert.rejects(
    g.exemptFromInformation('lead-1', { ground: 'disproportionate_effort', reason: 'badges only' }),
    { code: 'GDPR_INVALID_INPUT', field: 'public_notice' },
  )
  const exemption = { ground: 'disproportionate_effort', reason: 'badges only', publicNotice: 'https://acme.example/notice' }
  await g.exemptFromInformation('lead-1', exemption)
  assert.equal((await g.informationStatus('lead-1')).state, 'exempt')
  // Art. 14(3)(b): a campaign's decisions say whose message must carry the notice, and by when.
  await g.addPurpose('offers', { legalBasis: 'legitimate_interests', directMarketing: true })
  const campaign = await g.campaign(['lead-0', 'lead-1', 'lead-2'], 'offers', 'email')
  assert.deepEqual(campaign.allowed, ['lead-0', 'lead-1', 'lead-2'])
  assert.deepEqual([...campaign].map((d) => d.information?.due ?? null), [null, null, '2025-05-02'])
  assert.equal(campaign.at(2).information.due_by, 'one_month')
  assert.deepEqual((await g.informationDue({ overdueOnly: true })).map((s) => s.subject), ['lead-2'])
  assert.equal(typeof (await g.recordCommunication('lead-2')), 'number')
  const law = { ground: 'required_by_law', reason: 'a register' }
  assert.deepEqual(await g.exemptSourceFromInformation('trade_fair', law), ['lead-2'])
  assert.deepEqual(await g.informationDue(), [])
  await g.recordConsent('jeanne', { action: 'opt_in', purpose: 'newsletter', channel: 'email', proof: PROOF })
  const records = await g.consentReceipt('jeanne')
  assert.equal(records.length, 1)
  assert.ok(records[0]['@context'])
  await g.addSubject('walk-in', { regime: 'b2c_opt_in', origin: { source: 'collected' } })
  const told = await g.informationNotice('walk-in', { language: 'en' })
  await g.recordConsent('walk-in', {
    action: 'opt_in', purpose: 'newsletter', channel: 'email', proof: PROOF,
    information: { version: told.version, sha256: told.sha256 },
  })
  assert.equal((await g.informationStatus('walk-in')).informed.via, 'at_collection')
})
