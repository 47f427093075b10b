#!/usr/bin/env bash
# Every test of every language gdprkit ships, from a fresh clone. Installs what it needs:
# poppler-utils and qpdf (Debian) to read back the PDFs, and a Python environment with aiosmtpd
# for the SMTP server the mail tests talk to.
set -euo pipefail
cd "$(dirname "$0")/.."
cache="${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}"

echo "== tools"
if ! command -v pdftotext >/dev/null || ! command -v qpdf >/dev/null; then
  apt_get=(apt-get)
  [ "$(id -u)" -eq 0 ] || apt_get=(sudo apt-get)
  "${apt_get[@]}" update -q
  DEBIAN_FRONTEND=noninteractive "${apt_get[@]}" install -y -q poppler-utils qpdf
fi
venv="$cache/gdprkit-venv"
if ! "$venv/bin/python" -c "import aiosmtpd" 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q aiosmtpd
fi
export GDPRKIT_PYTHON="$venv/bin/python"

echo "== formatting and lints"
cargo fmt --all -- --check
cargo clippy --workspace --all-targets --locked -- -D warnings

echo "== Rust tests"
cargo test --workspace --locked
