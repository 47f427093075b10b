#!/usr/bin/env bash
# Every test of every language gdprkit ships, from a fresh clone. Installs and starts what it
# needs: poppler-utils and qpdf (Debian) to read back the PDFs, openssl to make the test's
# certificates, a Python environment with
# aiosmtpd for the SMTP server the mail tests talk to, and the machine's PostgreSQL 15 with a
# test role and a fresh test database (GDPRKIT_TEST_POSTGRES_URL, unless already given), over
# TLS with a certificate made for the test by an authority made for the test, the test role
# refused any unencrypted connection.
set -euo pipefail
cd "$(dirname "$0")/.."
cache="${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}"

echo "== tools"
if ! command -v pdftotext >/dev/null || ! command -v qpdf >/dev/null || ! [ -x /usr/bin/chromium ] \
  || ! command -v openssl >/dev/null; then
  apt_get=(apt-get)
  [ "$(id -u)" -eq 0 ] || apt_get=(sudo apt-get)
  "${apt_get[@]}" update -q
  DEBIAN_FRONTEND=noninteractive "${apt_get[@]}" install -y -q poppler-utils qpdf chromium openssl
fi
venv="$cache/gdprkit-venv"
if ! "$venv/bin/python" -c "import aiosmtpd, playwright, pytest" 2>/dev/null; then
  python3 -m venv "$venv"
  # playwright drives Debian's chromium; its own browser download is never used.
  "$venv/bin/pip" install -q aiosmtpd playwright==1.65.3 pytest
fi
export GDPRKIT_PYTHON="$venv/bin/python"

echo "== PostgreSQL"
if [ -z "${GDPRKIT_TEST_POSTGRES_URL:-}" ]; then
  if command -v pg_ctlcluster >/dev/null; then
    as_postgres=(runuser -u postgres --)
    [ "$(id -u)" -eq 0 ] || as_postgres=(sudo -u postgres)
    pg_ctlcluster 15 main start 2>/dev/null || pg_ctlcluster 15 main status >/dev/null
    pg_isready -q -t 60 -h 127.0.0.1
    # A role with a password (TCP asks for one), and a fresh database for this run.
    password="$(python3 -c 'import secrets; print(secrets.token_hex(16))')"
    "${as_postgres[@]}" psql -q -v ON_ERROR_STOP=1 -v pw="$password" <<'SQL'
SELECT format('CREATE ROLE gdprkit_test LOGIN PASSWORD %L', :'pw')
  WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'gdprkit_test') \gexec
SELECT format('ALTER ROLE gdprkit_test PASSWORD %L', :'pw') \gexec
DROP DATABASE IF EXISTS gdprkit_test;
CREATE DATABASE gdprkit_test OWNER gdprkit_test;
SQL
    # TLS: an authority of the test's own signs a certificate for 127.0.0.1 and localhost; another
    # authority, for the test that its certificates are refused. Made once, kept in the cache.
    tls="$cache/gdprkit-postgres-tls"
    if [ ! -f "$tls/server.crt" ]; then
      mkdir -p "$tls"
      openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=gdprkit test authority" \
        -keyout "$tls/ca.key" -out "$tls/ca.crt" 2>/dev/null
      openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=another authority" \
        -keyout "$tls/other-ca.key" -out "$tls/other-ca.crt" 2>/dev/null
      openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" -keyout "$tls/server.key" \
        -out "$tls/server.csr" 2>/dev/null
      printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' > "$tls/server.ext"
      openssl x509 -req -in "$tls/server.csr" -CA "$tls/ca.crt" -CAkey "$tls/ca.key" -CAcreateserial \
        -days 3650 -extfile "$tls/server.ext" -out "$tls/server.crt" 2>/dev/null
    fi
    pgconf="$("${as_postgres[@]}" psql -qtA -c 'SHOW config_file')"
    pgdir="$(dirname "$pgconf")"
    # The server reads its key only when it is the postgres user's alone.
    "${as_postgres[@]}" sh -c "cat > '$pgdir/gdprkit-test.crt'" < "$tls/server.crt"
    "${as_postgres[@]}" sh -c "umask 077; cat > '$pgdir/gdprkit-test.key'" < "$tls/server.key"
    hba="$("${as_postgres[@]}" psql -qtA -c 'SHOW hba_file')"
    if ! "${as_postgres[@]}" grep -q '^hostnossl all gdprkit_test all reject' "$hba"; then
      "${as_postgres[@]}" sh -c "{ echo 'hostnossl all gdprkit_test all reject'; cat '$hba'; } > '$hba.new' && mv '$hba.new' '$hba'"
    fi
    "${as_postgres[@]}" psql -q -v ON_ERROR_STOP=1 >/dev/null <<SQL
ALTER SYSTEM SET ssl = on;
ALTER SYSTEM SET ssl_cert_file = '$pgdir/gdprkit-test.crt';
ALTER SYSTEM SET ssl_key_file = '$pgdir/gdprkit-test.key';
SELECT pg_reload_conf();
SQL
    export GDPRKIT_TEST_POSTGRES_CA="$tls/ca.crt" GDPRKIT_TEST_POSTGRES_OTHER_CA="$tls/other-ca.crt"
    export GDPRKIT_TEST_POSTGRES_URL="postgres://gdprkit_test:$password@127.0.0.1:5432/gdprkit_test?sslmode=verify-full&sslrootcert=$tls/ca.crt"
  elif [ -n "${GDPRKIT_REQUIRE_POSTGRES:-}" ]; then
    echo "PostgreSQL 15 is not installed, and GDPRKIT_REQUIRE_POSTGRES is set" >&2
    exit 1
  else
    echo "PostgreSQL is not installed: its tests will say they were skipped"
  fi
fi

echo "== formatting and lints"
cargo fmt --all -- --check
cargo clippy --workspace --all-targets --locked -- -D warnings
# The Node glue, behind the feature only its build turns on.
cargo clippy -p gdprkit-node --features node --all-targets --locked -- -D warnings

echo "== Rust tests"
cargo test --workspace --locked

echo "== Python package"
# Built from source into a fresh venv, as `pip install ./bindings/python` builds it, in the dev
# profile (a release build of typst takes a quarter of an hour), with no toolchain of maturin's
# own; then its tests and a strict type check.
pyvenv="$(mktemp -d)/venv"
python3 -m venv "$pyvenv"
"$pyvenv/bin/pip" install -q pytest mypy
# A target directory of its own: the native module is a cdylib, whose file has no hash in its name,
# and the workspace's tests build the same file without the `python` feature.
CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-target}/python-wheel" MATURIN_NO_INSTALL_RUST=1 \
  MATURIN_PEP517_ARGS="--profile dev" "$pyvenv/bin/pip" install -q ./bindings/python
# The tests, a strict type check of the package, its tests and the example, and stubtest, which
# fails when a method of the native module has no stub or a stub that does not match it.
(cd bindings/python && "$pyvenv/bin/python" -m pytest -q tests \
  && "$pyvenv/bin/python" -m mypy --strict python/gdprkit tests ../../examples/python ../../benches/python \
  && "$pyvenv/bin/python" -m mypy.stubtest gdprkit._native)
rm -rf "$(dirname "$pyvenv")"

echo "== Node package"
# The package's devDependencies (@napi-rs/cli, typescript, @types/node) for the checks; then the
# package installed from another directory as `npm install ./bindings/node` installs it, which
# builds the native module from source (dev profile); then the check that the committed
# native.js and native.d.ts are what `napi build` writes from the Rust code, and the tests
# (which type-check and run the example, the README's and docs/node.md's examples).
(cd bindings/node && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
nodeapp="$(mktemp -d)"
package="$(pwd)/bindings/node"
(cd "$nodeapp" && npm init -y >/dev/null \
  && GDPRKIT_NODE_PROFILE=dev npm install --no-audit --no-fund --foreground-scripts --loglevel=error "$package" \
  && node -e "require('gdprkit')" \
  && node --input-type=module -e "import { Gdpr } from 'gdprkit'; if (typeof Gdpr.open !== 'function') process.exit(1)")
rm -rf "$nodeapp"
(cd bindings/node && npm run --silent check-generated && node --test __test__/)

echo "== Portal in a browser"
# `gdprkit serve` (the binary the Rust tests built) driven by playwright in Debian's chromium, with
# axe-core injected into every page; the screenshots go to docs/portal/.
(cd tests/browser && npm ci --no-audit --no-fund --loglevel=error)
GDPRKIT_BIN="${CARGO_TARGET_DIR:-target}/debug/gdprkit" "$venv/bin/python" -m pytest -q tests/browser
