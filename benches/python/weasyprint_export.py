"""Renders a person's export as a Python back office does today: a plain HTML table of the rows,
through WeasyPrint, in a fresh process. The yardstick of the export comparison in
docs/benchmarks.md; run by benches/python/export_vs_weasyprint.sh.

    python weasyprint_export.py EXPORT.json OUT.pdf

EXPORT.json is gdprkit's JSON export of the same content (`render-once N json FILE` writes it),
so both sides lay out the same rows: the consent events, then the CRM's events, six columns each,
as the plain typst table of the export benchmark.
"""

import html
import json
import sys
from typing import Any, Iterator

# Installed in the benchmark's own venv only (export_vs_weasyprint.sh), not in the test venv.
from weasyprint import HTML  # type: ignore[import-not-found, unused-ignore]


def rows(export: dict[str, Any]) -> Iterator[tuple[Any, ...]]:
    for c in export["consents"]:
        yield (c["occurred_at"], c["recorded_at"], c.get("purpose"), c.get("channel"), c["action"], c.get("source"))
    for e in export["events"]:
        yield (e["at"], e["entity"], e["category"], "", "", "")


def page(export: dict[str, Any]) -> str:
    cells = "\n".join(
        "<tr>" + "".join(f"<td>{html.escape('' if v is None else str(v))}</td>" for v in row) + "</tr>" for row in rows(export)
    )
    return (
        "<!doctype html><html><head><meta charset='utf-8'><style>"
        "table { border-collapse: collapse; font-size: 9pt } td { border: 1px solid #999; padding: 2px }"
        "</style></head><body><table>" + cells + "</table></body></html>"
    )


def main() -> None:
    source, out = sys.argv[1], sys.argv[2]
    with open(source, encoding="utf-8") as f:
        export = json.load(f)
    pdf = HTML(string=page(export)).write_pdf()
    with open(out, "wb") as f:
        f.write(pdf)
    print(len(pdf))


if __name__ == "__main__":
    main()
