"""Errors from Python: one class per code of docs/errors.md, raised for real where a test can
provoke them, and bad input of each Python type refused before anything is written."""

from __future__ import annotations

import datetime as dt
import pathlib
import re
import sqlite3
from typing import Any, Callable

import pytest

import gdprkit
from gdprkit import Gdpr

NOW = dt.datetime(2025, 6, 1, 12, 0, tzinfo=dt.timezone.utc)
DOCS = pathlib.Path(__file__).resolve().parents[3] / "docs" / "errors.md"


@pytest.fixture
def g(tmp_path: pathlib.Path) -> Gdpr:
    gdpr = Gdpr(tmp_path / "gdprkit.db", now=NOW, pdf=False)
    gdpr.add_purpose("newsletter", legal_basis="consent", direct_marketing=True)
    gdpr.add_subject("jeanne", regime="b2c_opt_in", email="jeanne@example.org")
    return gdpr


def test_every_code_of_the_docs_has_its_class() -> None:
    codes = re.findall(r"^\| `([a-z_]+)` \|", DOCS.read_text(), re.M)
    assert len(codes) == 11
    for code in codes:
        cls = gdprkit._BY_CODE[code]
        assert issubclass(cls, gdprkit.GdprError) and cls.code == code
        assert cls.__name__ in gdprkit.__all__
    assert issubclass(gdprkit.InvalidInputError, ValueError)
    assert issubclass(gdprkit.NotFoundError, LookupError)


@pytest.mark.parametrize(
    "code",
    ["conflict", "mail", "render", "internal", "storage"],
)
def test_a_native_error_becomes_its_class_with_field_retryable_and_cause(code: str) -> None:
    native = gdprkit._native.NativeError(
        f'{{"code": "{code}", "field": "request", "retryable": true, "message": "m", "sources": ["driver said no"]}}'
    )
    err = gdprkit._error(native)
    assert (type(err).code, err.field, err.retryable, str(err)) == (code, "request", True, "m")
    cause = gdprkit._cause(native)
    assert isinstance(cause, gdprkit._native.NativeError) and str(cause) == "driver said no"


def test_storage_when_the_store_cannot_be_opened(tmp_path: pathlib.Path) -> None:
    with pytest.raises(gdprkit.StorageError) as e:
        Gdpr(tmp_path / "no such directory" / "gdprkit.db")
    assert e.value.code == "storage" and e.value.__cause__ is not None, "the driver's error is the cause"


def test_corrupt_when_a_stored_record_was_changed_behind_gdprkits_back(g: Gdpr, tmp_path: pathlib.Path) -> None:
    with sqlite3.connect(tmp_path / "gdprkit.db") as c:
        c.execute("UPDATE gdprkit_subjects SET regime = 'martian'")
    with pytest.raises(gdprkit.CorruptError):
        g.subject("jeanne")


def test_config_names_the_setting(tmp_path: pathlib.Path) -> None:
    with pytest.raises(gdprkit.ConfigError) as e:
        Gdpr(tmp_path / "gdprkit.db", time_zone="Etc/GMT-2")
    assert e.value.field == "time_zone"


def test_a_mailer_that_raises_leaves_the_message_queued_with_what_it_raised(tmp_path: pathlib.Path) -> None:
    class Down:
        def send(self, message: gdprkit.Record) -> None:
            raise ConnectionRefusedError("smtp.example.org refused")

    g = Gdpr(tmp_path / "gdprkit.db", now=NOW, pdf=False, mailer=Down())
    g.add_subject("jeanne", regime="b2c_opt_in", email="jeanne@example.org")
    opened = g.open_request("jeanne", kind="access", via="email")
    assert opened.notice.delivery.status == "queued"
    assert "ConnectionRefusedError: smtp.example.org refused" in opened.notice.delivery.reason
    # What the mailer raised is not carried into a later, unrelated error.
    with pytest.raises(gdprkit.NotFoundError) as e:
        g.subject("ghost")
    assert e.value.__cause__ is None


BAD_CALLS: "list[tuple[str, Callable[[Gdpr], Any], str]]" = [
    ("a number for a text", lambda g: g.decide(123, "newsletter", "email"), "args"),  # type: ignore[arg-type]
    ("None for a text", lambda g: g.subject(None), "args"),  # type: ignore[arg-type]
    ("an unknown enum value", lambda g: g.add_subject("x", regime="martian"), "args"),
    ("a negative count", lambda g: g.requests_due_within(-1), "args"),
    ("a count too large", lambda g: g.requests_due_within(2**70), "args"),
    ("a string for a count", lambda g: g.requests_due_within("3"), "args"),  # type: ignore[arg-type]
    ("a naive datetime", lambda g: g.decide("jeanne", "newsletter", "email", at=dt.datetime(2025, 1, 1)), "at"),
    ("a string for a datetime", lambda g: g.record_disclosure("jeanne", "X", at="2025-01-01"), "at"),  # type: ignore[arg-type]
    ("a datetime for a date", lambda g: g.deadline(NOW), "received"),
    ("a string for a date", lambda g: g.deadline("2025-01-01"), "received"),  # type: ignore[arg-type]
    ("an object JSON cannot hold", lambda g: g.record_consent("jeanne", action="opt_in", proof={"x": object()}), "args"),
    ("a step that does not exist", lambda g: g.act("0" * 24, "teleport", by="Marie"), "args"),
    ("an unknown keyword of a step", lambda g: g.act("0" * 24, "accept", by="Marie", colour="blue"), "args"),
    ("an empty subject id", lambda g: g.add_subject("", regime="b2c_opt_in"), "args"),
    ("a bad e-mail address", lambda g: g.add_subject("y", regime="b2c_opt_in", email="not an address"), "email"),
]


@pytest.mark.parametrize("what,call,field", BAD_CALLS, ids=[b[0] for b in BAD_CALLS])
def test_bad_input_of_each_type_is_refused_and_writes_nothing(
    g: Gdpr, what: str, call: Callable[[Gdpr], Any], field: str
) -> None:
    before = g.changes_since(0).changes
    with pytest.raises(gdprkit.InvalidInputError) as e:
        call(g)
    assert e.value.field == field, f"{what}: {e.value}"
    assert g.changes_since(0).changes == before, f"{what}: nothing written"
