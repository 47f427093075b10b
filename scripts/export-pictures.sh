#!/bin/sh
# Pictures of each page of the demo's export, in French and English, for docs/export.md.
# Needs a built `gdprkit` (GDPRKIT_BIN, default target/debug/gdprkit) and poppler's pdftoppm.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${GDPRKIT_BIN:-$root/target/debug/gdprkit}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
"$bin" --now 2026-12-03T10:00:00Z demo > /dev/null
rm -f "$root"/docs/export/*.png
for lang in fr en; do
    "$bin" --db gdprkit-demo/gdprkit.db --now 2026-12-03T10:00:00Z --controller "Acme CRM SAS" \
        export --subject contact-0197 --map gdprkit-demo/data-map.toml --format pdf --out "export-$lang.pdf" --lang "$lang" > /dev/null
    pdftoppm -r 50 -png "export-$lang.pdf" "$root/docs/export/export-$lang"
done
ls "$root/docs/export"
