#!/usr/bin/env node
'use strict'
// Builds the native module from source when the package is installed: `cargo build` of this
// crate with its `node` feature, then the cdylib copied to where native.js loads it. It does not
// call `napi` (@napi-rs/cli): a package installed from its folder gets none of its devDependencies.
//
// GDPRKIT_NODE_PROFILE picks the cargo profile (`release` unless set; the tests use `dev`, since
// a release build of typst takes a quarter of an hour). The build goes to
// `$CARGO_TARGET_DIR/node-addon` (or `target/node-addon` in the workspace): a directory of its
// own, since the workspace's tests write the same cdylib without the `node` feature.

const { spawnSync } = require('node:child_process')
const fs = require('node:fs')
const path = require('node:path')

const here = path.resolve(__dirname, '..')
const workspace = path.resolve(here, '..', '..')
const profile = process.env.GDPRKIT_NODE_PROFILE || 'release'
const targetDir = path.join(process.env.CARGO_TARGET_DIR || path.join(workspace, 'target'), 'node-addon')
const cargo = process.env.CARGO || 'cargo'

// The host's triple, given as `--target` as `napi build` gives it, so that the drift check of the
// generated files (scripts/check-generated.js) reuses this build rather than starting over.
const version = spawnSync(process.env.RUSTC || 'rustc', ['-vV'], { encoding: 'utf8' })
const host = /^host: (\S+)$/m.exec(version.stdout || '')
if (host === null) {
  console.error(`gdprkit: could not ask rustc for the host's triple (a Rust toolchain builds the native module): ${version.error?.message ?? version.stderr}`)
  process.exit(1)
}
const triple = host[1]

const args = ['build', '--locked', '--manifest-path', path.join(here, 'Cargo.toml'), '--features', 'node', '--profile', profile, '--target', triple]
const built = spawnSync(cargo, args, {
  stdio: 'inherit',
  env: { ...process.env, CARGO_TARGET_DIR: targetDir },
})
if (built.error) {
  console.error(`gdprkit: could not run ${cargo} (a Rust toolchain builds the native module): ${built.error.message}`)
  process.exit(1)
}
if (built.status !== 0) process.exit(built.status ?? 1)

// Cargo names the dev profile's directory `debug`.
const outDir = path.join(targetDir, triple, profile === 'dev' ? 'debug' : profile)
const names = { linux: 'libgdprkit_node.so', darwin: 'libgdprkit_node.dylib', win32: 'gdprkit_node.dll' }
const library = path.join(outDir, names[process.platform] || names.linux)
const abi = process.platform === 'linux' ? (process.report?.getReport()?.header?.glibcVersionRuntime ? '-gnu' : '-musl') : ''
const destination = path.join(here, `gdprkit.${process.platform}-${process.arch}${abi}.node`)
// Copied through a temporary file and renamed, so that a process loading the module never reads
// a half-written one.
const partial = `${destination}.partial`
fs.copyFileSync(library, partial)
fs.renameSync(partial, destination)
console.error(`gdprkit: built ${path.relative(process.cwd(), destination)} (${profile})`)
