#!/usr/bin/env bash
# Every test of every language gdprkit ships, from a fresh clone. Installs what it needs.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== formatting and lints"
cargo fmt --all -- --check
cargo clippy --workspace --all-targets --locked -- -D warnings

echo "== Rust tests"
cargo test --workspace --locked
