"""A small back office on gdprkit: register contacts, record their consent, filter a campaign,
and answer a request, on a SQLite file.

    python examples/python/backoffice.py [DATABASE]
"""

import datetime as dt
import sys

import gdprkit
from gdprkit import Gdpr

PROOF = {"source": "web_form", "collected_by": {"by": "subject"}, "notice_version": "v3",
         "notice_sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"}


def main(database: str) -> None:
    g = Gdpr(database)
    g.add_purpose("newsletter", legal_basis="consent", direct_marketing=True, label="Monthly newsletter")
    g.add_subjects([
        {"id": "anne", "regime": "b2c_opt_in", "email": "anne@example.org", "language": "fr"},
        {"id": "bruno", "regime": "b2c_opt_in", "email": "bruno@example.org", "language": "en"},
        {"id": "chloe", "regime": "b2b_opt_out", "email": "chloe@acme.example"},
    ])
    now = dt.datetime.now(dt.timezone.utc)
    g.record_consent("anne", action="opt_in", purpose="newsletter", channel="email", occurred_at=now, proof=PROOF)

    allowed = g.campaign(["anne", "bruno", "chloe"], "newsletter", "email").allowed
    print(f"newsletter by e-mail goes to: {', '.join(allowed)}")

    opened = g.open_request("bruno", kind="access", via="email")
    print(f"bruno's access request is due {opened.request.due}; tracking code given once")
    g.act(opened.request.id, "accept", by="Claire (DPO)")
    try:
        g.act(opened.request.id, "complete", by="Claire (DPO)")
    except gdprkit.InvalidStateError as e:
        print(f"not completed without its copy: {e}")
    done = g.act(opened.request.id, "complete_handed_over", by="Claire (DPO)", delivered_by="post",
                 on=dt.datetime.now(dt.timezone(dt.timedelta(hours=1))).date().isoformat())
    print(f"completed, the copy posted: {done.request.state}")
    print(f"ledger: {g.verify_ledger().status}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "backoffice.db")
