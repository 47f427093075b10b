"""The same calls from Python and from Rust, in one run, on the same store: a campaign decision
over N subjects (one call, the subjects who may be contacted read back), and appending M
consents (one call each). Each side opens the store before it is timed and closes it after. Reports each side's
median and the ratio Rust / Python (1.0: Python costs nothing more; the goal is at least 0.8).

The Rust side is `same-calls` (benches/src/bin/same_calls.rs), built in the profile the package
was built in, so that both sides run the same compiled core:

    cargo build --release -p gdprkit-benches --bin same-calls
    python benches/python/same_calls.py PATH/TO/same-calls [SUBJECTS] [CONSENTS] [RUNS]

Runs alternate Python and Rust, so that the machine's drift touches both alike.
"""

from __future__ import annotations

import datetime as dt
import json
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Callable, Dict, List

from gdprkit import Gdpr

NOW = dt.datetime(2025, 6, 1, 12, 0, tzinfo=dt.timezone.utc)
OCCURRED = dt.datetime(2025, 5, 1, 9, 0, tzinfo=dt.timezone.utc)
PROOF = {
    "source": "web_form",
    "collected_by": {"by": "subject"},
    "notice_version": "v3",
    "notice_sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
}


def store_with(path: str, subjects: int, opted_in_every: int) -> Gdpr:
    """A store with `subjects` consumers `s-0`…, every `opted_in_every`-th of them opted in."""
    g = Gdpr(path, now=NOW, pdf=False)
    g.add_purpose("newsletter", legal_basis="consent", direct_marketing=True)
    for start in range(0, subjects, 10_000):
        ids = range(start, min(start + 10_000, subjects))
        g.add_subjects([{"id": f"s-{i}", "regime": "b2c_opt_in"} for i in ids])
        events = [
            {"subject": f"s-{i}", "action": "opt_in", "purpose": "newsletter", "channel": "email",
             "occurred_at": OCCURRED, "proof": PROOF}
            for i in ids if i % opted_in_every == 0
        ]
        if events:
            g.record_consents(events)
    return g


def rust(binary: str, what: str, store: str, n: int) -> float:
    out = subprocess.run([binary, what, store, str(n)], capture_output=True, text=True, check=True)
    return float(out.stdout.strip())


def timed(work: Callable[[], object]) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def compare(name: str, runs: int, python: Callable[[], float], from_rust: Callable[[], float]) -> Dict[str, object]:
    py: List[float] = []
    rs: List[float] = []
    for _ in range(runs):
        py.append(python())
        rs.append(from_rust())
    p, r = statistics.median(py), statistics.median(rs)
    return {"bench": name, "python_s": round(p, 4), "rust_s": round(r, 4), "ratio_rust_over_python": round(r / p, 3)}


def main() -> None:
    binary = sys.argv[1]
    subjects = int(sys.argv[2]) if len(sys.argv) > 2 else 100_000
    consents = int(sys.argv[3]) if len(sys.argv) > 3 else 1_000
    runs = int(sys.argv[4]) if len(sys.argv) > 4 else 5
    with tempfile.TemporaryDirectory() as d:
        store = f"{d}/campaign.db"
        store_with(store, subjects, opted_in_every=2)
        ids = [f"s-{i}" for i in range(subjects)]

        def campaign() -> float:
            # Opened for the run and closed after it, as the Rust side's process does.
            g = Gdpr(store, now=NOW, pdf=False)
            seconds = timed(lambda: g.campaign(ids, "newsletter", "email").allowed)
            del g
            return seconds

        results = [compare(f"campaign over {subjects} subjects", runs, campaign,
                           lambda: rust(binary, "campaign", store, subjects))]

        consent_store = f"{d}/consents.db"
        store_with(consent_store, consents, opted_in_every=consents + 1)

        def append() -> float:
            c = Gdpr(consent_store, now=NOW, pdf=False)
            start = time.perf_counter()
            for i in range(consents):
                c.record_consent(f"s-{i}", action="opt_in", purpose="newsletter", channel="email",
                                 occurred_at=OCCURRED, proof=PROOF)
            seconds = time.perf_counter() - start
            del c
            return seconds

        results.append(compare(f"{consents} consents, one call each", runs, append,
                               lambda: rust(binary, "consents", consent_store, consents)))
    for r in results:
        print(json.dumps(r))


if __name__ == "__main__":
    main()
