"""Every method of the facade from Python, with a CRM's tables: channels, recipients, sweeps with
progress, exports for download, unsubscribe references, the suppression list, settings, a
Python clock, and opening from one configuration dict."""

from __future__ import annotations

import datetime as dt
import inspect
import pathlib
import sqlite3
from typing import Any, Dict, List

import pytest

import gdprkit
from gdprkit import Gdpr, Record, _native

NOW = dt.datetime(2025, 6, 1, 12, 0, tzinfo=dt.timezone.utc)
KEY = "a key of thirty-two bytes or more, for the HMAC"

DATA_MAP: Dict[str, Any] = {
    "entity": [
        {
            "name": "contacts",
            "table": "contacts",
            "subject_column": "subject",
            "category": "identity",
            "on_erasure": "anonymize",
            "retention": {"keep_for": "3y", "from": ["last_seen"], "then": "delete"},
            "fields": {
                "name": {"op": "redact", "kind": "identifier"},
                "email": {"op": "pseudonymize", "kind": "identifier"},
                "last_seen": {"kind": "non_personal"},
            },
        }
    ],
    "processing": [{"purpose": "newsletter", "retention": "until you unsubscribe"}],
}


class Clock:
    """A clock the test moves."""

    def __init__(self, at: dt.datetime) -> None:
        self.at = at

    def now(self) -> dt.datetime:
        return self.at


def crm(tmp_path: pathlib.Path, rows: int = 3) -> pathlib.Path:
    path = tmp_path / "crm.db"
    with sqlite3.connect(path) as c:
        c.execute(
            "CREATE TABLE contacts (id INTEGER PRIMARY KEY, subject TEXT NOT NULL, name TEXT, email TEXT, "
            "last_seen TEXT)"
        )
        c.execute("INSERT INTO contacts (subject, name, email, last_seen) VALUES "
                  "('jeanne', 'Jeanne Martin', 'jeanne@example.org', '2025-05-01')")
        for i in range(rows):
            c.execute(
                "INSERT INTO contacts (subject, name, email, last_seen) VALUES (?, ?, ?, '2019-01-01')",
                (f"old-{i}", f"Old {i}", f"old{i}@example.org"),
            )
    return path


@pytest.fixture
def g(tmp_path: pathlib.Path) -> Gdpr:
    gdpr = Gdpr(
        tmp_path / "gdprkit.db",
        now=NOW,
        pdf=False,
        crm=crm(tmp_path),
        data_map=DATA_MAP,
        hmac_key=KEY,
        controller={"name": "Acme SAS"},
    )
    gdpr.add_purpose("newsletter", legal_basis="consent", direct_marketing=True)
    gdpr.add_subject("jeanne", regime="b2c_opt_in", email="jeanne@example.org", language="en")
    for i in range(3):
        gdpr.add_subject(f"old-{i}", regime="b2b_opt_out")
    return gdpr


def wrapped_methods() -> List[str]:
    """The method names the Python half calls the core by."""
    source = inspect.getsource(gdprkit)
    return [m for m in _native.methods() if f'"{m}"' in source]


# Methods the Python half calls through a native method of their own.
OWN_NATIVE_METHOD = {"decide_many": "campaign"}


def test_every_method_of_the_core_has_a_python_method() -> None:
    for method, native in OWN_NATIVE_METHOD.items():
        assert hasattr(_native.Native, native), method
    missing = sorted(set(_native.methods()) - set(wrapped_methods()) - set(OWN_NATIVE_METHOD))
    assert missing == [], f"methods of gdprkit::json_api with no Python method: {missing}"


def test_purposes_and_channels(g: Gdpr) -> None:
    assert g.purpose("newsletter").legal_basis == "consent"
    with pytest.raises(gdprkit.NotFoundError):
        g.purpose("ghost")
    g.add_channel("whatsapp", kind="electronic")
    assert [(c.name, c.kind) for c in g.channels()] == [("whatsapp", "electronic")]
    with pytest.raises(gdprkit.AlreadyExistsError):
        g.add_channel("whatsapp", kind="post")  # a channel's kind never changes
    with pytest.raises(gdprkit.InvalidInputError):
        g.add_channel("email", kind="post")  # built-in channels have fixed kinds


def test_a_sweep_reports_progress_and_a_raising_callback_stops_it(g: Gdpr) -> None:
    # Rule A6: rows whose retention ran out are deleted, in batches.
    assert g.sweep(dry_run=True).entities[0].rows == 3
    seen: List[Record] = []

    def stop_after_first(p: Record) -> None:
        seen.append(p)
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        g.sweep(batch_size=1, progress=stop_after_first)
    assert [(p.entity, p.done, p.total) for p in seen] == [("contacts", 1, 3)]
    assert g.sweep(dry_run=True).entities[0].rows == 2, "the first batch stays done"
    seen.clear()
    report = g.sweep(batch_size=1, progress=seen.append)
    assert report.entities[0].rows == 2 and [p.done for p in seen] == [1, 2]


def test_erasure_for_a_request_tells_the_recipients(g: Gdpr) -> None:
    # Art. 17 erasure, then Art. 19: each recipient told or skipped for a reason.
    g.record_consent("jeanne", action="opt_out", purpose="newsletter", channel="email", occurred_at=NOW)
    plan = g.erase_subject("jeanne", dry_run=True)
    assert plan.applied is False
    g.record_disclosure("jeanne", "Brevo SAS", at=NOW)
    assert [d.recipient for d in g.disclosures("jeanne")] == ["Brevo SAS"]
    rid = g.open_request("jeanne", kind="erasure", via="web").request.id
    assert [r.id for r in g.subject_requests("jeanne")] == [rid]
    g.act(rid, "accept", by="Marie")
    done = g.execute_request(rid, by="Marie")
    assert done.outcome.request.state == "completed"
    task = g.mark_recipient_task(rid, "Brevo SAS", outcome="skipped", reason="impossible", by="Marie")
    assert task.status.status == "skipped"
    with pytest.raises(gdprkit.InvalidInputError) as e:
        g.mark_recipient_task(rid, "Brevo SAS", outcome="sent", reason="impossible", by="Marie")
    assert e.value.field == "outcome"
    assert g.finish_interrupted_erasures() == []
    assert len(g.suppression_list()) == 1, "the erased opt-out is kept hashed, not to contact them again"


def test_a_copy_for_download_and_the_outbox(g: Gdpr) -> None:
    # Art. 20: the portability copy as JSON; its notice waits in the outbox without a mailer.
    proof = {"source": "web_form", "collected_by": {"by": "subject"}, "notice_version": "v1", "notice_sha256": "0" * 64}
    g.record_consent("jeanne", action="opt_in", purpose="newsletter", channel="email", occurred_at=NOW, proof=proof)
    rid = g.open_request("jeanne", kind="portability", via="web").request.id
    g.act(rid, "accept", by="Marie")
    done = g.complete_with_export(rid, by="Marie")
    assert done.attachment.filename == "export.json"
    assert isinstance(done.attachment.bytes, bytes) and b'"gdprkit-export"' in done.attachment.bytes
    pending = g.outbox()
    assert [m.kind for m in pending] == ["receipt", "completion"] and all(m.state == "pending" for m in pending)
    assert len(g.outbox(all=True)) == 2


def test_a_copy_offered_for_download_waits_for_the_person(g: Gdpr) -> None:
    # E3: offered on the portal, the copy is delivered by the person's first download.
    rid = g.open_request("jeanne", kind="access", via="web").request.id
    g.act(rid, "accept", by="Marie")
    with pytest.raises(gdprkit.InvalidStateError):
        g.offer_download(rid, by="Marie")
    g.act(rid, "start", by="Marie")
    offered = g.offer_download(rid, by="Marie")
    assert offered.request.state == "in_progress" and offered.notice.kind == "copy_ready"
    assert isinstance(offered.request.download_until, str)
    assert g.request_message(rid) is None, "opened by staff, with no message"


def test_unsubscribe_references_opt_out_once(g: Gdpr) -> None:
    # RFC 8058 one-click unsubscribe: following a reference twice records one opt-out.
    token = g.unsubscribe_token("jeanne", purpose="newsletter", channel="email")
    assert token not in repr(g.subject("jeanne"))
    first = g.unsubscribe(token)
    assert first.recorded is True and first.event.action == "opt_out"
    assert g.unsubscribe(token).recorded is False
    with pytest.raises(gdprkit.InvalidInputError):
        g.unsubscribe_token("jeanne", purpose="newsletter")
    with pytest.raises(gdprkit.InvalidInputError) as e:
        g.unsubscribe("00" * 40)
    assert e.value.field == "token"


def test_the_map_is_checked_and_settings_saved(g: Gdpr) -> None:
    assert isinstance(g.check_map().warnings, tuple)
    assert g.settings().stored is False
    assert g.save_settings().time_zone == "Europe/Paris"
    assert g.settings().stored is True


def test_a_python_clock_is_read_once_per_call(tmp_path: pathlib.Path) -> None:
    clock = Clock(NOW)
    g = Gdpr(tmp_path / "gdprkit.db", pdf=False, clock=clock)
    g.add_subject("jeanne", regime="b2c_opt_in")
    opened = g.open_request("jeanne", kind="access", via="web")
    assert opened.request.received_at == "2025-06-01T12:00:00Z"
    clock.at = NOW + dt.timedelta(days=40)
    assert [r.id for r in g.overdue_requests()] == [opened.request.id], "overdue 40 days later (Art. 12(3))"
    clock.at = dt.datetime(2025, 1, 1)
    with pytest.raises(gdprkit.InvalidInputError) as e:
        g.requests()
    assert "naive" in str(e.value)


def test_one_configuration_dict_opens_the_same_as_keywords(tmp_path: pathlib.Path) -> None:
    config = {"store": str(tmp_path / "gdprkit.db"), "tenant": "acme", "now": NOW, "pdf": False}
    g = Gdpr.from_config(config)
    g.add_subject("jeanne", regime="b2c_opt_in")
    again = Gdpr(tmp_path / "gdprkit.db", tenant="acme", pdf=False)
    assert again.subject("jeanne").regime == "b2c_opt_in"
    with pytest.raises(gdprkit.NotFoundError):
        Gdpr(tmp_path / "gdprkit.db", tenant="other", pdf=False).subject("jeanne")
    with pytest.raises(gdprkit.ConfigError) as e:
        Gdpr.from_config({"tenant": "acme"})
    assert e.value.field == "store"
    with pytest.raises(gdprkit.ConfigError) as e:
        Gdpr.from_config({"store": ":memory:", "colour": "blue"})
    assert "colour" in str(e.value)


def test_information_from_a_trade_fair_is_due_given_and_listed(g: Gdpr) -> None:
    """Arts. 13 and 14 (rules I1 to I4): prospects from a fair, one told by post, one exempt,
    one listed as overdue, and the consent records of ISO/IEC TS 27560."""
    fair = {"source": "trade_fair", "reference": "Salon Pro", "obtained_at": dt.datetime(2025, 4, 1, 9, tzinfo=dt.timezone.utc)}
    g.add_subjects([{"id": f"lead-{i}", "regime": "b2b_opt_out", "language": "en", "origin": fair} for i in range(3)])
    status = g.information_status("lead-0")
    assert (status.state, status.due, status.due_by) == ("overdue", "2025-05-02", "one_month")
    notice = g.information_notice("lead-0", language="en")
    assert "Where we obtained your data: a trade fair (Salon Pro), on 1 April 2025." in notice.text
    given = g.inform("lead-0", via="post", at=NOW - dt.timedelta(days=1))
    assert (given.via, given.notice.sha256) == ("post", notice.sha256)
    with pytest.raises(gdprkit.InvalidInputError) as refused:
        g.exempt_from_information("lead-1", ground="disproportionate_effort", reason="badges only")
    assert refused.value.field == "public_notice"
    g.exempt_from_information(
        "lead-1", ground="disproportionate_effort", reason="badges only", public_notice="https://acme.example/notice"
    )
    assert g.information_status("lead-1").state == "exempt"
    # Art. 14(3)(b): a campaign's decisions say whose message must carry the notice, and by when.
    g.add_purpose("offers", legal_basis="legitimate_interests", direct_marketing=True)
    campaign = g.campaign(["lead-0", "lead-1", "lead-2"], "offers", "email")
    assert campaign.allowed == ["lead-0", "lead-1", "lead-2"]
    carried = [d.to_dict().get("information") for d in campaign]
    assert [c and (c["due"], c["due_by"]) for c in carried] == [None, None, ("2025-05-02", "one_month")]
    assert [s.subject for s in g.information_due(overdue_only=True)] == ["lead-2"]
    assert isinstance(g.record_communication("lead-2"), int)
    assert g.exempt_source_from_information("trade_fair", ground="required_by_law", reason="a register") == ["lead-2"]
    assert g.information_due() == []
    g.record_consent(
        "jeanne", action="opt_in", purpose="newsletter", channel="email",
        proof={"source": "web_form", "collected_by": {"by": "subject"}, "notice_version": "v1", "notice_sha256": "0" * 64},
    )
    records = g.consent_receipt("jeanne")
    assert len(records) == 1 and records[0]["@context"]
    g.add_subject("walk-in", regime="b2c_opt_in", origin={"source": "collected"})
    told = g.information_notice("walk-in", language="en")
    g.record_consent(
        "walk-in", action="opt_in", purpose="newsletter", channel="email",
        proof={"source": "web_form", "collected_by": {"by": "subject"}, "notice_version": "v1", "notice_sha256": "0" * 64},
        information={"version": told.version, "sha256": told.sha256},
    )
    assert g.information_status("walk-in").informed.via == "at_collection"
