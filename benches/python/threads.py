"""Decisions from 8 Python threads at once against the same work done serially, in one run.

Each call releases the GIL while the Rust core decides, so threads overlap as far as the cores
allow. Prints the two times and their ratio; run with the package installed:

    python benches/python/threads.py [DECISIONS]
"""

import datetime as dt
import sys
import tempfile
import threading
import time

from gdprkit import Gdpr

DECISIONS = int(sys.argv[1]) if len(sys.argv) > 1 else 8000
THREADS = 8


def main() -> None:
    with tempfile.TemporaryDirectory() as d:
        g = Gdpr(f"{d}/bench.db", now=dt.datetime(2025, 6, 1, tzinfo=dt.timezone.utc), pdf=False)
        g.add_purpose("news", legal_basis="legitimate_interests", direct_marketing=True)
        for i in range(100):
            g.add_subject(f"s{i}", regime="b2b_opt_out")
        subjects = [f"s{i % 100}" for i in range(DECISIONS)]

        start = time.perf_counter()
        for s in subjects:
            g.decide(s, "news", "email")
        serial = time.perf_counter() - start

        share = len(subjects) // THREADS

        def work(part: list) -> None:
            for s in part:
                g.decide(s, "news", "email")

        threads = [threading.Thread(target=work, args=(subjects[i * share : (i + 1) * share],)) for i in range(THREADS)]
        start = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        parallel = time.perf_counter() - start
        print(f"{DECISIONS} decisions: serial {serial:.3f} s, {THREADS} threads {parallel:.3f} s, "
              f"speed-up {serial / parallel:.2f}x")


if __name__ == "__main__":
    main()
