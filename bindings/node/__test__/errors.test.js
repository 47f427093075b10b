'use strict'
// Errors from Node: one code per kind of docs/errors.md, provoked for real where a test can,
// kept through rejected promises with their field and whether to retry; bad input of each
// JavaScript type refused before anything is written, and never a process abort.

const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')
const { test } = require('node:test')

const { Gdpr, GdprError, ERROR_CODES } = require('..')
const native = require('../native.js')
const { NOW, tempDir, sql } = require('./helpers')

async function open(t, options = {}) {
  const store = path.join(tempDir(t), 'gdprkit.db')
  const g = await Gdpr.open(store, { now: NOW, pdf: false, ...options })
  await g.addPurpose('newsletter', { legalBasis: 'consent', directMarketing: true })
  await g.addSubject('jeanne', { regime: 'b2c_opt_in', email: 'jeanne@example.org' })
  return { g, store }
}

test('every kind of docs/errors.md has its code', () => {
  const docs = fs.readFileSync(path.join(__dirname, '..', '..', '..', 'docs', 'errors.md'), 'utf8')
  const kinds = [...docs.matchAll(/^\| `([a-z_]+)` \|/gm)].map((m) => m[1])
  assert.equal(kinds.length, 11)
  assert.deepEqual(Object.keys(ERROR_CODES).sort(), [...kinds].sort())
  for (const kind of kinds) assert.equal(ERROR_CODES[kind], `GDPR_${kind.toUpperCase()}`)
})

test('errors the core reports keep their code, field and retryable through the promise', async (t) => {
  const { g, store } = await open(t)
  const invalid = await g.addSubject('x', { regime: 'martian' }).catch((e) => e)
  assert.ok(invalid instanceof GdprError && invalid instanceof Error)
  assert.deepEqual([invalid.name, invalid.code, invalid.retryable], ['GdprError', 'GDPR_INVALID_INPUT', false])
  await assert.rejects(g.subject('ghost'), { code: 'GDPR_NOT_FOUND', field: 'subject' })
  await assert.rejects(g.addSubject('jeanne', { regime: 'b2c_opt_in' }), { code: 'GDPR_ALREADY_EXISTS' })
  const { request } = await g.openRequest('jeanne', { kind: 'access', via: 'web' })
  await assert.rejects(g.act(request.id, 'complete', { by: 'Marie' }), { code: 'GDPR_INVALID_STATE' })
  await assert.rejects(Gdpr.open(':memory:', { timeZone: 'Etc/GMT-2' }), { code: 'GDPR_CONFIG', field: 'time_zone' })
  const storage = await Gdpr.open(path.join(path.dirname(store), 'no such directory', 'gdprkit.db')).catch((e) => e)
  assert.equal(storage.code, 'GDPR_STORAGE')
  assert.ok(storage.cause instanceof Error, "the driver's error is the cause")
  sql(store, "UPDATE gdprkit_subjects SET regime = 'martian'")
  await assert.rejects(g.subject('jeanne'), { code: 'GDPR_CORRUPT' })
})

test('conflict, mail, render and internal errors become their codes with field, retryable and cause', () => {
  for (const kind of ['conflict', 'mail', 'render', 'internal', 'storage']) {
    const e = GdprError.fromJSON({ code: kind, field: 'request', retryable: true, message: 'm', sources: ['driver said no'] })
    assert.deepEqual([e.code, e.field, e.retryable, e.message], [ERROR_CODES[kind], 'request', true, 'm'])
    assert.equal(e.cause.message, 'driver said no')
  }
  assert.equal(GdprError.fromJSON({ code: 'martian', message: 'm' }).code, 'GDPR_INTERNAL')
})

test('a JavaScript mailer that rejects is a retryable mail error: the message stays queued with it', async (t) => {
  const { g, store } = await open(t, {
    mailer: async () => {
      throw new Error('smtp.example.org refused')
    },
  })
  const opened = await g.openRequest('jeanne', { kind: 'access', via: 'email' })
  assert.equal(opened.notice.delivery.status, 'queued', 'nothing is lost when mail fails')
  assert.match(opened.notice.delivery.reason, /the JavaScript mailer failed: Error: smtp.example.org refused/)
  const later = await Gdpr.open(store, {
    now: new Date(NOW.getTime() + 120e3),
    pdf: false,
    mailer: () => Promise.reject(new TypeError('still down')),
  })
  const report = await later.deliverPending()
  assert.equal(report.failed.length, 1)
  assert.match(report.failed[0][1], /TypeError: still down/)
  // What the mailer threw is not carried into a later, unrelated error.
  const ghost = await g.subject('ghost').catch((e) => e)
  assert.equal(ghost.cause, undefined)
  await assert.rejects(Gdpr.open(':memory:', { mailer: 'smtp://x' }), { code: 'GDPR_INVALID_INPUT', field: 'mailer' })
})

const BAD_CALLS = [
  ['a number for a text', (g) => g.decide(123, 'newsletter', 'email'), 'args'],
  ['null for a text', (g) => g.subject(null), 'args'],
  ['an unknown enum value', (g) => g.addSubject('x', { regime: 'martian' }), 'args'],
  ['a negative count', (g) => g.requestsDueWithin(-1), 'args'],
  ['a count too large', (g) => g.requestsDueWithin(2 ** 70), 'args'],
  ['a string for a count', (g) => g.requestsDueWithin('3'), 'args'],
  ['an invalid Date', (g) => g.decide('jeanne', 'newsletter', 'email', { at: new Date('nope') }), 'at'],
  ['a number for an instant', (g) => g.recordDisclosure('jeanne', 'X', { at: 1735689600000 }), 'args'],
  ['a Date for a calendar date', (g) => g.deadline(NOW), 'received'],
  ['a day that does not exist', (g) => g.deadline('2025-02-30'), 'args'],
  ['a BigInt JSON cannot hold', (g) => g.recordConsent('jeanne', { action: 'opt_in', proof: { ip: 1n } }), 'args'],
  ['a step that does not exist', (g) => g.act('0'.repeat(24), 'teleport', { by: 'Marie' }), 'args'],
  ['an unknown option of a step', (g) => g.act('0'.repeat(24), 'accept', { by: 'Marie', colour: 'blue' }), 'args'],
  ['an unknown option', (g) => g.addPurpose('x', { legalBasis: 'consent', colour: 'blue' }), 'args'],
  ['an unknown option of a campaign', (g) => g.campaign(['jeanne'], 'newsletter', 'email', { when: NOW }), 'when'],
  ['options that are not an object', (g) => g.addSubject('y', 'b2c_opt_in'), 'options'],
  ['subjects that are not an array', (g) => g.addSubjects('jeanne'), 'subjects'],
  ['an empty subject id', (g) => g.addSubject('', { regime: 'b2c_opt_in' }), 'args'],
  ['a bad e-mail address', (g) => g.addSubject('y', { regime: 'b2c_opt_in', email: 'not an address' }), 'email'],
  ['a number for a subject of a PDF', (g) => g.exportPdf(42), 'subject'],
]

for (const [what, call, field] of BAD_CALLS) {
  test(`bad input is refused and writes nothing: ${what}`, async (t) => {
    const { g } = await open(t)
    const before = (await g.changesSince(0)).changes
    const e = await call(g).then(
      () => assert.fail('accepted'),
      (err) => err,
    )
    assert.ok(e instanceof GdprError, `${what}: ${e}`)
    assert.equal(e.code, 'GDPR_INVALID_INPUT', `${what}: ${e.message}`)
    assert.equal(e.field, field, `${what}: ${e.message}`)
    assert.deepEqual((await g.changesSince(0)).changes, before, `${what}: nothing written`)
  })
}

test('the native module refuses values of the wrong type with an error, never an abort', async () => {
  assert.throws(() => native.Native.open(42), /string/i)
  await assert.rejects(native.Native.open('{not json'), (e) => JSON.parse(e.message).code === 'config')
  const opened = await native.Native.open('{"store": ":memory:", "pdf": false}')
  assert.throws(() => opened.call('purposes', {}), /string/i)
  await assert.rejects(opened.call('teleport', '{}'), (e) => JSON.parse(e.message).code === 'invalid_input')
  await assert.rejects(opened.call('purposes', '{}', 'yesterday'), (e) => JSON.parse(e.message).field === 'now')
})

test('an option that repeats a positional argument is refused, not silently overridden', async (t) => {
  const { g } = await open(t)
  await g.addSubject('alice', { regime: 'b2b_opt_out' })
  await assert.rejects(g.eraseSubject('alice', { subject: 'jeanne', dryRun: true }), { code: 'GDPR_INVALID_INPUT', field: 'subject' })
  await assert.rejects(g.recordConsent('alice', { subject: 'jeanne', action: 'object' }), { code: 'GDPR_INVALID_INPUT', field: 'subject' })
  await assert.rejects(g.act('0'.repeat(24), 'accept', { by: 'Marie', action: 'refuse' }), { code: 'GDPR_INVALID_INPUT', field: 'action' })
  await assert.rejects(Gdpr.fromConfig({ store: ':memory:' }, { mailer: null, colour: 'blue' }), { code: 'GDPR_INVALID_INPUT', field: 'colour' })
  assert.equal((await g.history('jeanne')).length, 0, 'nothing recorded for the subject named in the options')
})
