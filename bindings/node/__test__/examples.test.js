'use strict'
// The examples as written: README.md's, docs/node.md's (in order, as one script), and
// examples/node/service.ts compiled with tsc --strict and run as a service that answers HTTP.

const assert = require('node:assert/strict')
const { execFileSync, spawn } = require('node:child_process')
const fs = require('node:fs')
const path = require('node:path')
const readline = require('node:readline')
const { test } = require('node:test')

const { tempDir } = require('./helpers')

const PACKAGE = path.resolve(__dirname, '..')
const REPO = path.resolve(PACKAGE, '..', '..')

/** A directory where `require('gdprkit')` finds this package, as after `npm install`. */
function project(t) {
  const dir = tempDir(t)
  fs.mkdirSync(path.join(dir, 'node_modules'))
  fs.symlinkSync(PACKAGE, path.join(dir, 'node_modules', 'gdprkit'), 'dir')
  return dir
}

function run(dir, file, source) {
  fs.writeFileSync(path.join(dir, file), source)
  return execFileSync(process.execPath, [file], { cwd: dir, encoding: 'utf8' })
}

test("the README's example runs as written", (t) => {
  const readme = fs.readFileSync(path.join(REPO, 'README.md'), 'utf8')
  const found = /## From Node[\s\S]*?```js\n([\s\S]*?)```/.exec(readme)
  assert.ok(found, 'README.md has a js example under "From Node"')
  assert.ok(found[1].trim().split('\n').length <= 12, 'about ten lines')
  assert.equal(run(project(t), 'readme.js', found[1]), 'true\n')
})

test("docs/node.md's examples run in order as written", (t) => {
  const docs = fs.readFileSync(path.join(REPO, 'docs', 'node.md'), 'utf8')
  const blocks = [...docs.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1])
  assert.ok(blocks.length >= 7)
  const script = `(async () => {\n${blocks.join('\n')}\n})().catch((e) => { console.error(e); process.exit(1) })\n`
  const out = run(project(t), 'docs.js', script).split('\n')
  assert.match(out[0], /consent_required/)
  assert.match(out[1], /^true /)
  assert.equal(out[2], '["jeanne"]')
  assert.match(out[3], /consent/)
  assert.match(out[4], /^received \d{4}-\d{2}-\d{2}$/)
  assert.equal(out[5], 'accepted')
  assert.equal(out[6], "completed [ 'export.pdf' ]", 'the copy mailed as a PDF')
  assert.equal(out[7], 'false completed')
  assert.equal(out[8], 'contacts: 1/1', 'the expired row swept')
  assert.deepEqual(out.slice(9), ['true GDPR_NOT_FOUND subject false', 'GDPR_INVALID_INPUT at', ''])
})

test('the service example type-checks with --strict and answers over HTTP', async (t) => {
  const dir = project(t)
  const tsc = path.join(PACKAGE, 'node_modules', 'typescript', 'bin', 'tsc')
  assert.ok(fs.existsSync(tsc), 'typescript is installed (npm ci in bindings/node)')
  execFileSync(process.execPath, [tsc, '-p', path.join(REPO, 'examples', 'node'), '--outDir', dir], { encoding: 'utf8' })
  const service = spawn(process.execPath, [path.join(dir, 'service.js'), path.join(dir, 'service.db')], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  t.after(() => service.kill())
  const [first] = await readline.createInterface({ input: service.stdout })[Symbol.asyncIterator]().next().then((r) => [r.value])
  const base = /^listening on (http:\/\/127\.0\.0\.1:\d+)$/.exec(first)
  assert.ok(base, first)
  const call = async (method, route, body) => {
    const res = await fetch(base[1] + route, { method, body: body && JSON.stringify(body) })
    return [res.status, await res.json()]
  }
  assert.deepEqual(await call('POST', '/purposes', { id: 'newsletter' }), [200, { created: 'newsletter' }])
  assert.equal((await call('POST', '/subjects', { id: 'jeanne', email: 'jeanne@example.org' }))[0], 200)
  const [, before] = await call('GET', '/decide?subject=jeanne&purpose=newsletter&channel=email')
  assert.equal(before.allowed, false)
  const form = { subject: 'jeanne', purpose: 'newsletter', noticeVersion: 'v3', noticeSha256: 'a'.repeat(64) }
  assert.equal((await call('POST', '/consents', form))[0], 200)
  const [, after] = await call('GET', '/decide?subject=jeanne&purpose=newsletter&channel=email')
  assert.equal(after.allowed, true)
  const [status, opened] = await call('POST', '/requests', { subject: 'jeanne' })
  assert.equal(status, 200)
  assert.match(opened.due, /^\d{4}-\d{2}-\d{2}$/)
  const [missing, error] = await call('GET', '/decide?subject=ghost&purpose=newsletter&channel=email')
  assert.deepEqual([missing, error.code], [404, 'GDPR_NOT_FOUND'])
  assert.equal((await call('POST', '/subjects', { id: 'jeanne', email: 'jeanne@example.org' }))[0], 409)
  assert.equal((await call('POST', '/subjects', { id: 'x', email: 'not an address' }))[0], 400)
})
