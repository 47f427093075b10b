"""Decisions from 8 Python threads at once against the same work done serially, in one run.

Each call releases the GIL while the Rust core decides, so threads overlap as far as the cores
and the store allow. Two workloads: single decisions (about 30 µs each in a release build, where
handing the GIL over costs as much as the work) and campaigns of 2,000 subjects (milliseconds
each). Prints the times and the speed-up; run with the package installed:

    python benches/python/threads.py [DECISIONS] [CAMPAIGNS]
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
import threading
import time
from typing import Callable, List

from gdprkit import Gdpr

DECISIONS = int(sys.argv[1]) if len(sys.argv) > 1 else 8000
CAMPAIGNS = int(sys.argv[2]) if len(sys.argv) > 2 else 64
THREADS = 8


def serial_and_threaded(name: str, jobs: List[Callable[[], object]]) -> None:
    start = time.perf_counter()
    for job in jobs:
        job()
    serial = time.perf_counter() - start

    share = len(jobs) // THREADS

    def work(part: List[Callable[[], object]]) -> None:
        for job in part:
            job()

    threads = [threading.Thread(target=work, args=(jobs[i * share : (i + 1) * share],)) for i in range(THREADS)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    parallel = time.perf_counter() - start
    print(f"{name}: serial {serial:.3f} s, {THREADS} threads {parallel:.3f} s, speed-up {serial / parallel:.2f}x")


def main() -> None:
    with tempfile.TemporaryDirectory() as d:
        g = Gdpr(f"{d}/bench.db", now=dt.datetime(2025, 6, 1, tzinfo=dt.timezone.utc), pdf=False)
        g.add_purpose("news", legal_basis="legitimate_interests", direct_marketing=True)
        g.add_subjects([{"id": f"s{i}", "regime": "b2b_opt_out"} for i in range(2000)])
        ids = [f"s{i}" for i in range(2000)]
        decide: List[Callable[[], object]] = [
            lambda s=f"s{i % 100}": g.decide(s, "news", "email") for i in range(DECISIONS)  # type: ignore[misc]
        ]
        serial_and_threaded(f"{DECISIONS} decisions", decide)
        campaign: List[Callable[[], object]] = [lambda: g.campaign(ids, "news", "email").allowed] * CAMPAIGNS
        serial_and_threaded(f"{CAMPAIGNS} campaigns of {len(ids)}", campaign)


if __name__ == "__main__":
    main()
