"""The Python package against the Rust core: decisions, requests, errors, and threads."""

from __future__ import annotations

import datetime as dt
import pathlib
import threading
from typing import Any, List

import pytest

import gdprkit
from gdprkit import Gdpr

NOW = dt.datetime(2025, 6, 1, 12, 0, tzinfo=dt.timezone.utc)
PROOF = {
    "source": "web_form",
    "collected_by": {"by": "subject"},
    "notice_version": "v1",
    "notice_sha256": "0" * 64,
}


@pytest.fixture
def g(tmp_path: pathlib.Path) -> Gdpr:
    gdpr = Gdpr(str(tmp_path / "gdprkit.db"), now=NOW, pdf=False)
    gdpr.add_purpose("newsletter", legal_basis="consent", direct_marketing=True, label="News")
    gdpr.add_subject("jeanne", regime="b2c_opt_in", email="jeanne@example.org", language="fr")
    return gdpr


def test_a_consumer_is_contacted_only_after_an_opt_in(g: Gdpr) -> None:
    # CPCE L.34-5, GDPR Art. 6(1)(a): no electronic marketing to a consumer without consent.
    assert g.decide("jeanne", "newsletter", "email").allowed is False
    event = g.record_consent(
        "jeanne", action="opt_in", purpose="newsletter", channel="email", occurred_at=NOW, proof=PROOF
    )
    assert event.action == "opt_in"
    d = g.decide("jeanne", "newsletter", "email")
    assert d.allowed is True and "opted in" in d.reason
    assert [x.allowed for x in g.campaign(["jeanne"], "newsletter", "email")] == [True]
    g.add_subject("acme", regime="b2b_opt_out")
    campaign = g.campaign(["acme", "jeanne"], "newsletter", "email")
    assert campaign.allowed == ["jeanne"] and len(campaign) == 2
    assert campaign[-1].subject == "jeanne" and [d.subject for d in campaign[:1]] == ["acme"]
    assert "consent_required" in campaign[0].to_dict()["decided_by"]["rule"]
    assert repr(campaign) == "Campaign(2 decisions, 1 allowed)"
    with pytest.raises(IndexError):
        campaign[2]
    with pytest.raises(gdprkit.InvalidInputError) as e:
        g.campaign(["jeanne", 7], "newsletter", "email")  # type: ignore[list-item]
    assert e.value.field == "subjects"
    assert len(g.history("jeanne")) == 1
    assert g.verify_ledger().status == "intact"
    assert g.verify_ledger().to_dict()["status"] == "intact"


def test_a_request_goes_through_its_life_and_is_tracked(g: Gdpr) -> None:
    opened = g.open_request("jeanne", kind="erasure", via="email")
    rid = opened.request.id
    assert opened.request.state == "received"
    g.act(rid, "accept", by="Marie")
    refused = g.act(rid, "refuse", by="Marie", code="legal_obligation", reason="Invoices are kept 10 years.")
    assert refused.request.state == "refused"
    tracked = g.track(opened.token)
    assert tracked is not None and tracked.state == "refused"
    assert g.track("nope") is None
    assert [r.id for r in g.requests()] == [rid]


def test_errors_are_classes_with_code_field_and_retryable(g: Gdpr) -> None:
    with pytest.raises(gdprkit.NotFoundError) as missing:
        g.subject("ghost")
    assert isinstance(missing.value, LookupError) and missing.value.code == "not_found"
    with pytest.raises(gdprkit.InvalidInputError) as e:
        g.add_subject("x", regime="martian")
    assert isinstance(e.value, ValueError) and e.value.retryable is False
    with pytest.raises(gdprkit.AlreadyExistsError):
        g.add_subject("jeanne", regime="b2c_opt_in")
    with pytest.raises(gdprkit.InvalidStateError):
        g.act(g.open_request("jeanne", kind="access", via="web").request.id, "complete", by="Marie")
    with pytest.raises(gdprkit.InvalidInputError) as e:
        g.decide("jeanne", "newsletter", "email", at=dt.datetime(2025, 1, 1))
    assert e.value.field == "at" and "naive" in str(e.value)
    with pytest.raises(gdprkit.ConfigError):
        Gdpr(":memory:", time_zone="Etc/GMT-2")


def test_results_are_read_only_with_a_readable_repr(g: Gdpr) -> None:
    s = g.subject("jeanne")
    with pytest.raises(AttributeError):
        s.regime = "soft_opt_in"
    assert "regime='b2c_opt_in'" in repr(s)
    assert s["email"] == "jeanne@example.org"


def test_threads_share_one_gdpr(g: Gdpr) -> None:
    results: List[bool] = []

    def work() -> None:
        for _ in range(50):
            results.append(g.decide("jeanne", "newsletter", "email").allowed)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [False] * 400


def test_the_examples_of_docs_python_md_run_in_order_as_written(
    tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import pathlib
    import re

    docs = pathlib.Path(__file__).resolve().parents[3] / "docs" / "python.md"
    blocks = re.findall(r"```python\n(.*?)```", docs.read_text(), re.S)
    assert len(blocks) >= 8
    monkeypatch.chdir(tmp_path)
    exec(compile("\n".join(blocks), "docs/python.md", "exec"), {})
    out = capsys.readouterr().out.splitlines()
    assert "consent_required" in out[0]
    assert out[1].startswith("True ") and out[2] == "['jeanne']" and "consent" in out[3]
    assert out[4].startswith("received ") and out[5] == "accepted"
    assert out[6] == "completed ['export.pdf']", "the copy mailed as a PDF"
    assert out[7] == "completed" and out[8] == "contacts: 1/1", "erased, then the expired row swept"
    assert out[9:] == ["not_found subject False", "at", "[False, False, False]"]


def test_the_example_of_the_readme_runs_as_written(
    tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import pathlib
    import re

    readme = pathlib.Path(__file__).resolve().parents[3] / "README.md"
    found = re.search(r"```python\n(.*?)```", readme.read_text(), re.S)
    assert found is not None
    example = found.group(1)
    monkeypatch.chdir(tmp_path)
    exec(compile(example, "README.md", "exec"), {})
    assert capsys.readouterr().out == "True\n"


def test_lists_deadlines_disclosures_and_settings(g: Gdpr) -> None:
    assert g.deadline(dt.date(2025, 4, 1)).due == "2025-05-02"  # 1 May is a holiday (R2)
    assert g.overdue_requests() == [] and g.late_requests() == [] and g.requests_due_within(3) == []
    g.record_disclosure("jeanne", "Brevo SAS", at=NOW)
    rid = g.open_request("jeanne", kind="rectification", via="phone").request.id
    g.act(rid, "accept", by="Marie")
    g.act(rid, "complete", by="Marie")
    assert [t.recipient for t in g.recipient_tasks(rid)] == ["Brevo SAS"]  # Art. 19
    assert g.settings().time_zone == "Europe/Paris"
    page = g.changes_since(0, limit=5)
    assert len(page.changes) == 5


def test_erasure_and_export_need_the_crms_tables(g: Gdpr) -> None:
    # Without a CRM and a data map configured, the library says what is missing.
    with pytest.raises(gdprkit.ConfigError):
        g.erase_subject("jeanne", dry_run=True)
    with pytest.raises(gdprkit.ConfigError):
        g.export("jeanne")


def test_an_export_as_pdf_and_as_a_dict_from_the_crms_tables(tmp_path: pathlib.Path) -> None:
    import sqlite3

    crm = tmp_path / "crm.db"
    with sqlite3.connect(crm) as c:
        c.execute("CREATE TABLE contacts (id INTEGER PRIMARY KEY, subject TEXT NOT NULL, name TEXT)")
        c.execute("INSERT INTO contacts (subject, name) VALUES ('jeanne', 'Jeanne Martin')")
    data_map = {
        "entity": [
            {
                "name": "contacts",
                "table": "contacts",
                "subject_column": "subject",
                "category": "identity",
                "on_erasure": "anonymize",
                "fields": {"name": {"op": "redact", "kind": "identifier"}},
            }
        ]
    }
    g = Gdpr(str(tmp_path / "gdprkit.db"), now=NOW, crm=str(crm), data_map=data_map, controller={"name": "Acme SAS"})
    g.add_subject("jeanne", regime="b2c_opt_in")
    export = g.export("jeanne", language="en")
    assert export["categories"][0]["entities"][0]["records"][0]["name"] == "Jeanne Martin"
    pdf = g.export_pdf("jeanne", language="fr")
    assert pdf.startswith(b"%PDF-")
    with pytest.raises(gdprkit.NotFoundError):
        g.export_pdf("ghost")
    notice = g.information_notice_pdf("jeanne", language="fr")
    assert notice.startswith(b"%PDF-")


def test_batches_are_all_or_nothing(g: Gdpr) -> None:
    added = g.add_subjects([{"id": f"lead-{i}", "regime": "b2b_opt_out"} for i in range(3)])
    assert [s.id for s in added] == ["lead-0", "lead-1", "lead-2"]
    with pytest.raises(gdprkit.AlreadyExistsError):
        g.add_subjects([{"id": "lead-3", "regime": "b2b_opt_out"}, {"id": "lead-0", "regime": "b2b_opt_out"}])
    with pytest.raises(gdprkit.NotFoundError):
        g.subject("lead-3")  # nothing of the failed batch was written
    event = {"action": "opt_in", "purpose": "newsletter", "channel": "email", "occurred_at": NOW, "proof": PROOF}
    seqs = g.record_consents([dict(event, subject="jeanne"), dict(event, subject="lead-0")])
    assert len(seqs) == 2 and seqs[0] < seqs[1]
    with pytest.raises(gdprkit.InvalidInputError):
        g.record_consents([dict(event, subject="jeanne", occurred_at=dt.datetime(2025, 1, 1))])


class OutboxMailer:
    def __init__(self, fail: bool = False) -> None:
        self.sent: List[gdprkit.Record] = []
        self.fail = fail

    def send(self, message: gdprkit.Record) -> None:
        if self.fail:
            raise ConnectionError("the mail server is down")
        self.sent.append(message)


def test_a_python_mailer_sends_the_notices_and_a_failure_keeps_them_queued(tmp_path: pathlib.Path) -> None:
    mailer = OutboxMailer()
    g = Gdpr(str(tmp_path / "gdprkit.db"), now=NOW, pdf=False, mailer=mailer)
    g.add_subject("jeanne", regime="b2c_opt_in", email="jeanne@example.org", language="en")
    opened = g.open_request("jeanne", kind="access", via="email")
    assert opened.notice.delivery.status == "sent"
    assert mailer.sent[0].to == "jeanne@example.org" and opened.token in mailer.sent[0].body

    down = OutboxMailer(fail=True)
    g2 = Gdpr(str(tmp_path / "gdprkit.db"), now=NOW, pdf=False, mailer=down)
    queued = g2.open_request("jeanne", kind="erasure", via="email")
    assert queued.notice.delivery.status == "queued"
    assert "the mail server is down" in queued.notice.delivery.reason
    assert g.deliver_pending().waiting == 1, "tried again a minute after the failure, not before"
    later = Gdpr(str(tmp_path / "gdprkit.db"), now=NOW + dt.timedelta(minutes=2), pdf=False, mailer=mailer)
    report = later.deliver_pending()
    assert len(report.delivered) == 1 and len(mailer.sent) == 2


def test_the_back_office_example_runs(tmp_path: pathlib.Path) -> None:
    import pathlib
    import subprocess
    import sys

    script = pathlib.Path(__file__).resolve().parents[3] / "examples" / "python" / "backoffice.py"
    out = subprocess.run(
        [sys.executable, str(script), str(tmp_path / "office.db")], capture_output=True, text=True, check=True
    ).stdout
    assert "newsletter by e-mail goes to: anne\n" in out
    assert "not completed without its copy" in out
    assert "completed, the copy posted: completed" in out and "ledger: intact" in out
