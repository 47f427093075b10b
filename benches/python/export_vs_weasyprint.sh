#!/bin/sh
# A person's export of 1,000 and 10,000 events: gdprkit's PDF in a fresh process against a plain
# HTML table of the same rows through WeasyPrint in a fresh Python process, whole processes timed
# side by side by farm-bench (medians, the ratio pair by pair, peak memory). docs/benchmarks.md
# reports the figures.
set -eu
cd "$(dirname "$0")/../.."
venv="${GDPRKIT_BENCH_VENV:-$HOME/.cache/gdprkit-bench-venv}"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install -q -r benches/python/requirements-weasyprint.txt
target="${CARGO_TARGET_DIR:-target/node-addon}"
CARGO_TARGET_DIR="$target" cargo build -q --release -p gdprkit-benches --bin render-once --target x86_64-unknown-linux-gnu
bin="$target/x86_64-unknown-linux-gnu/release/render-once"
work="$(mktemp -d)"
for n in 1000 10000; do
    "$bin" "$n" json "$work/export-$n.json"
    echo "== $n events: A = gdprkit, B = WeasyPrint"
    farm-bench -n "${RUNS:-5}" --timeout 1200 \
        --vs "$venv/bin/python benches/python/weasyprint_export.py $work/export-$n.json $work/weasy-$n.pdf" \
        -- "$bin" "$n"
done
rm -rf "$work"
