#!/usr/bin/env node
'use strict'
// Fails when the committed native.js and native.d.ts (written by `napi build` from the Rust code
// of src/lib.rs) differ from what `napi build` writes now. Needs the package's devDependencies
// (`npm ci` in bindings/node). `--write` updates them instead.
//
// It builds in the dev profile into `$CARGO_TARGET_DIR/node-addon`, where scripts/build.js
// builds, so that after an install only this crate is compiled again.

const { spawnSync } = require('node:child_process')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')

const here = path.resolve(__dirname, '..')
const workspace = path.resolve(here, '..', '..')
const targetDir = path.join(process.env.CARGO_TARGET_DIR || path.join(workspace, 'target'), 'node-addon')
const write = process.argv.includes('--write')
const generated = ['native.js', 'native.d.ts']

const out = fs.mkdtempSync(path.join(os.tmpdir(), 'gdprkit-napi-'))
try {
  const napi = path.join(here, 'node_modules', '@napi-rs', 'cli', 'dist', 'cli.js')
  if (!fs.existsSync(napi)) {
    console.error('@napi-rs/cli is not installed: run `npm ci` in bindings/node first')
    process.exitCode = 1
    return
  }
  const args = [napi, 'build', '--platform', '--features', 'node', '--js', 'native.js', '--dts', 'native.d.ts']
  args.push('--target-dir', targetDir, '--output-dir', out)
  const built = spawnSync(process.execPath, args, { cwd: here, stdio: 'inherit' })
  if (built.status !== 0) {
    process.exitCode = built.status ?? 1
    return
  }

  let drifted = false
  for (const name of generated) {
    const fresh = fs.readFileSync(path.join(out, name), 'utf8')
    const committed = fs.existsSync(path.join(here, name)) ? fs.readFileSync(path.join(here, name), 'utf8') : null
    if (fresh === committed) continue
    if (write) {
      fs.writeFileSync(path.join(here, name), fresh)
      console.error(`wrote bindings/node/${name}`)
    } else {
      drifted = true
      console.error(`bindings/node/${name} differs from what napi build writes from src/lib.rs: run \`npm run generate\` in bindings/node and commit it`)
    }
  }
  if (drifted) process.exitCode = 1
} finally {
  fs.rmSync(out, { recursive: true, force: true })
}
