"""gdprkit for Python: consent decisions, requests from data subjects, erasure and exports.

Every call goes to gdprkit's Rust core through one native method, with the GIL released; this
module only gives the calls their keyword arguments, their result objects and their exception
classes. See docs/python.md.
"""

from __future__ import annotations

import datetime as _dt
import json as _json
from typing import Any, Dict, Iterable, List, Mapping, Optional, Protocol

from . import _native

__all__ = [
    "Gdpr",
    "Mailer",
    "Record",
    "GdprError",
    "InvalidInputError",
    "NotFoundError",
    "AlreadyExistsError",
    "InvalidStateError",
    "ConflictError",
    "ConfigError",
    "StorageError",
    "CorruptError",
    "MailError",
    "RenderError",
    "InternalError",
]


class GdprError(Exception):
    """An error of gdprkit, with its stable ``code``, the ``field`` at fault and ``retryable``."""

    code: str = "internal"

    def __init__(self, message: str, *, field: Optional[str] = None, retryable: bool = False) -> None:
        super().__init__(message)
        self.field = field
        self.retryable = retryable


class InvalidInputError(GdprError, ValueError):
    """Bad input: nothing was written."""

    code = "invalid_input"


class NotFoundError(GdprError, LookupError):
    """An unknown subject, purpose or request."""

    code = "not_found"


class AlreadyExistsError(GdprError):
    """A subject, purpose or channel registered twice."""

    code = "already_exists"


class InvalidStateError(GdprError):
    """An action that does not apply to the request's state, or a rule that refuses it."""

    code = "invalid_state"


class ConflictError(GdprError):
    """Another writer changed what this call read: try again."""

    code = "conflict"


class ConfigError(GdprError):
    """A setting is missing or wrong."""

    code = "config"


class StorageError(GdprError):
    """The database failed; ``retryable`` says whether trying again can help."""

    code = "storage"


class CorruptError(GdprError):
    """Stored data gdprkit cannot read."""

    code = "corrupt"


class MailError(GdprError):
    """The mail server refused or failed."""

    code = "mail"


class RenderError(GdprError):
    """A PDF could not be rendered."""

    code = "render"


class InternalError(GdprError):
    """Something outside the caller's control failed."""

    code = "internal"


_BY_CODE = {
    cls.code: cls
    for cls in (
        InvalidInputError,
        NotFoundError,
        AlreadyExistsError,
        InvalidStateError,
        ConflictError,
        ConfigError,
        StorageError,
        CorruptError,
        MailError,
        RenderError,
        InternalError,
    )
}


class Record(Mapping[str, Any]):
    """A result: read-only, its fields as attributes or keys; ``to_dict()`` gives plain values."""

    __slots__ = ("_fields",)

    def __init__(self, fields: Mapping[str, Any]) -> None:
        object.__setattr__(self, "_fields", {k: _wrap(v) for k, v in fields.items()})

    def __getattr__(self, name: str) -> Any:
        try:
            return self._fields[name]
        except KeyError:
            raise AttributeError(name) from None

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("gdprkit results are read-only")

    def __getitem__(self, key: str) -> Any:
        return self._fields[key]

    def __iter__(self) -> Any:
        return iter(self._fields)

    def __len__(self) -> int:
        return len(self._fields)

    def __repr__(self) -> str:
        inner = ", ".join(f"{k}={v!r}" for k, v in self._fields.items())
        return f"Record({inner})"

    def to_dict(self) -> Dict[str, Any]:
        """The result as plain dicts and lists, as JSON gives it."""
        return {k: _plain(v) for k, v in self._fields.items()}


def _wrap(value: Any) -> Any:
    if isinstance(value, dict):
        return Record(value)
    if isinstance(value, list):
        return tuple(_wrap(v) for v in value)
    return value


def _plain(value: Any) -> Any:
    if isinstance(value, Record):
        return value.to_dict()
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    return value


def _instant(name: str, value: Optional[_dt.datetime]) -> Optional[str]:
    """An aware datetime as RFC 3339; a naive one is refused (which zone would it be in?)."""
    if value is None:
        return None
    if not isinstance(value, _dt.datetime):
        raise InvalidInputError(f"{name}: expected a datetime, got {type(value).__name__}", field=name)
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidInputError(
            f"{name}: a naive datetime names no instant; give one with a time zone "
            "(datetime.now(timezone.utc))",
            field=name,
        )
    return value.astimezone(_dt.timezone.utc).isoformat().replace("+00:00", "Z")


def _drop_none(args: Mapping[str, Any]) -> Dict[str, Any]:
    return {k: v for k, v in args.items() if v is not None}


class Mailer(Protocol):
    """Sends a message to a subject; raising refuses it (it stays in the outbox, tried again)."""

    def send(self, message: Record) -> None:
        """``message`` has ``to``, ``subject``, ``body``, ``attachments`` (each ``filename``,
        ``content_type``, ``bytes``) and ``message_id``."""
        ...


class _MailerAdapter:
    """What the core calls: the message as JSON, handed to the Python mailer as a Record."""

    def __init__(self, mailer: Mailer) -> None:
        self._mailer = mailer

    def _send_json(self, message_json: str) -> None:
        message = _json.loads(message_json)
        for a in message.get("attachments", []):
            a["bytes"] = bytes(a["bytes"])
        self._mailer.send(Record(message))


class Gdpr:
    """gdprkit for one tenant, on a SQLite file (a path) or a PostgreSQL database (a URL).

    Safe to share between threads: every call releases the GIL while the core works.
    """

    def __init__(
        self, store: str, *, tenant: Optional[str] = None, mailer: Optional[Mailer] = None, **config: Any
    ) -> None:
        settings = dict(config)
        settings["store"] = str(store)
        if tenant is not None:
            settings["tenant"] = tenant
        now = settings.get("now")
        if isinstance(now, _dt.datetime):
            settings["now"] = _instant("now", now)
        try:
            adapter = _MailerAdapter(mailer) if mailer is not None else None
            self._native = _native.Native(_json.dumps(settings), adapter)
        except _native.NativeError as e:
            raise _error(e) from e

    def _call(self, method: str, args: Any) -> Any:
        try:
            out = self._native.call(method, _json.dumps(args))
        except _native.NativeError as e:
            raise _error(e) from e
        return _wrap(_json.loads(out))

    # Purposes and subjects.

    def add_purpose(
        self,
        id: str,
        *,
        legal_basis: str,
        direct_marketing: bool = False,
        label: Optional[str] = None,
        professional: bool = True,
    ) -> None:
        """Registers a purpose with its legal basis (``consent``, ``contract``, …)."""
        self._call(
            "add_purpose",
            {
                "id": id,
                "label": label if label is not None else id,
                "legal_basis": legal_basis,
                "direct_marketing": direct_marketing,
                "professional": professional,
            },
        )

    def purposes(self) -> List[Record]:
        """Every registered purpose, by id."""
        return list(self._call("purposes", {}))

    def add_subject(
        self,
        id: str,
        *,
        regime: str,
        email: Optional[str] = None,
        phone: Optional[str] = None,
        language: Optional[str] = None,
    ) -> Record:
        """Registers a subject under a regime (``b2b_opt_out``, ``b2c_opt_in``, ``soft_opt_in``)."""
        args = _drop_none({"id": id, "regime": regime, "email": email, "phone": phone, "language": language})
        result: Record = self._call("add_subject", args)
        return result

    def add_subjects(self, subjects: Iterable[Mapping[str, Any]]) -> List[Record]:
        """Registers many subjects in one transaction: each a mapping with ``id`` and ``regime``,
        and optionally ``email``, ``phone`` and ``language``. All or none."""
        return list(self._call("add_subjects", [_drop_none(dict(s)) for s in subjects]))

    def subject(self, id: str) -> Record:
        """The subject with this id."""
        result: Record = self._call("subject", {"subject": id})
        return result

    # Consent.

    def record_consent(
        self,
        subject: str,
        *,
        action: str,
        purpose: Optional[str] = None,
        channel: Optional[str] = None,
        occurred_at: Optional[_dt.datetime] = None,
        proof: Optional[Mapping[str, Any]] = None,
    ) -> Record:
        """Records an opt-in, opt-out, withdrawal or objection, with its proof."""
        args = _drop_none(
            {
                "subject": subject,
                "action": action,
                "purpose": purpose,
                "channel": channel,
                "occurred_at": _instant("occurred_at", occurred_at),
                "proof": dict(proof) if proof is not None else None,
            }
        )
        result: Record = self._call("record_consent", args)
        return result

    def record_consents(self, events: Iterable[Mapping[str, Any]]) -> List[int]:
        """Records many consent events in one transaction (the keyword arguments of
        ``record_consent``, with ``subject``, as mappings); returns their ledger entry numbers.
        All or none."""
        batch = []
        for e in events:
            event = dict(e)
            occurred_at = event.get("occurred_at")
            if occurred_at is not None:
                event["occurred_at"] = _instant("occurred_at", occurred_at)
            batch.append(_drop_none(event))
        return list(self._call("record_consents", batch))

    def decide(self, subject: str, purpose: str, channel: str, *, at: Optional[_dt.datetime] = None) -> Record:
        """Whether the subject may be contacted for the purpose on the channel, and why."""
        args = _drop_none({"subject": subject, "purpose": purpose, "channel": channel, "at": _instant("at", at)})
        result: Record = self._call("decide", args)
        return result

    def campaign(
        self, subjects: Iterable[str], purpose: str, channel: str, *, at: Optional[_dt.datetime] = None
    ) -> List[Record]:
        """The same decision for many subjects, in their order, in one call."""
        args = _drop_none(
            {"subjects": list(subjects), "purpose": purpose, "channel": channel, "at": _instant("at", at)}
        )
        return list(self._call("decide_many", args))

    def history(self, subject: str) -> List[Record]:
        """Every consent event of the subject, oldest first."""
        return list(self._call("history", {"subject": subject}))

    def verify_ledger(self) -> Record:
        """Verifies the tenant's hash chain entry by entry."""
        result: Record = self._call("verify_ledger", {})
        return result

    # Requests.

    def open_request(
        self,
        subject: str,
        *,
        kind: str,
        via: str,
        received_at: Optional[_dt.datetime] = None,
        purposes: Iterable[str] = (),
    ) -> Record:
        """Opens a request; the result holds the request, its tracking token and the receipt notice."""
        args = _drop_none(
            {
                "subject": subject,
                "kind": kind,
                "via": via,
                "received_at": _instant("received_at", received_at),
                "purposes": list(purposes),
            }
        )
        result: Record = self._call("open_request", args)
        return result

    def act(self, request: str, action: str, *, by: str, note: Optional[str] = None, **details: Any) -> Record:
        """Takes a step in a request's life (``accept``, ``refuse``, ``complete``, …)."""
        step = dict(details)
        step["action"] = action
        result: Record = self._call("act", _drop_none({"request": request, "step": step, "actor": by, "note": note}))
        return result

    def request(self, id: str) -> Record:
        """The request with this id."""
        result: Record = self._call("request", {"request": id})
        return result

    def requests(self) -> List[Record]:
        """Every request, oldest first."""
        return list(self._call("requests", {}))

    def track(self, token: str) -> Optional[Record]:
        """What a tracking token shows, or None for a token that matches no request."""
        result: Optional[Record] = self._call("track", {"token": token})
        return result

    def overdue_requests(self) -> List[Record]:
        """Open requests past their due date today."""
        return list(self._call("overdue_requests", {}))

    def late_requests(self) -> List[Record]:
        """Requests refused or completed after their due date."""
        return list(self._call("late_requests", {}))

    def requests_due_within(self, days: int) -> List[Record]:
        """Open requests due today or within ``days`` days."""
        return list(self._call("requests_due_within", {"days": days}))

    def deadline(self, received: _dt.date) -> Record:
        """The due dates of a request received on ``received`` (the controller's date)."""
        result: Record = self._call("deadline", {"received": received.isoformat()})
        return result

    def lift_restriction(self, request: str, *, by: str, subject_told: bool) -> None:
        """Lifts the restriction a restriction request put in place, once the subject was told."""
        self._call("lift_restriction", {"request": request, "actor": by, "subject_told": subject_told})

    def record_disclosure(self, subject: str, recipient: str, *, at: Optional[_dt.datetime] = None) -> Record:
        """Records that the subject's data went to ``recipient``."""
        args = _drop_none({"subject": subject, "recipient": recipient, "at": _instant("at", at)})
        result: Record = self._call("record_disclosure", args)
        return result

    def recipient_tasks(self, request: str) -> List[Record]:
        """The recipients to tell about a completed rectification, erasure or restriction."""
        return list(self._call("recipient_tasks", {"request": request}))

    def purposes_applying_to(self, subject: str) -> List[Record]:
        """The purposes that apply to the subject, and why."""
        return list(self._call("purposes_applying_to", {"subject": subject}))

    # Erasure, retention, exports.

    def erase_subject(self, subject: str, *, dry_run: bool = False) -> Record:
        """Erases the subject by the data map (or, with ``dry_run``, shows the plan)."""
        result: Record = self._call("erase_subject", {"subject": subject, "dry_run": dry_run})
        return result

    def execute_request(self, request: str, *, by: str) -> Record:
        """Carries out an accepted erasure or anonymization request and completes it."""
        result: Record = self._call("execute_request", {"request": request, "actor": by})
        return result

    def sweep(self, *, batch_size: int = 500, dry_run: bool = False) -> Record:
        """Applies the data map's retention rules (or, with ``dry_run``, counts the rows due)."""
        result: Record = self._call("sweep", {"batch_size": batch_size, "dry_run": dry_run})
        return result

    def export(self, subject: str, *, language: Optional[str] = None) -> Dict[str, Any]:
        """Everything held on the subject, as the JSON export's dict (portability, Art. 20)."""
        result: Record = self._call("export", _drop_none({"subject": subject, "language": language}))
        return result.to_dict()

    def export_pdf(self, subject: str, *, language: Optional[str] = None) -> bytes:
        """Everything held on the subject as a PDF/A to read, print and post (Art. 15)."""
        try:
            return self._native.export_pdf(subject, language)
        except _native.NativeError as e:
            raise _error(e) from e

    def deliver_pending(self) -> Record:
        """Sends what waits in the outbox."""
        result: Record = self._call("deliver_pending", {})
        return result

    def changes_since(self, since: int = 0, *, limit: int = 1000) -> Record:
        """The ledger's changes after ``since``, without personal values."""
        result: Record = self._call("changes_since", {"since": since, "limit": limit})
        return result

    def settings(self) -> Record:
        """The time zone and holiday calendar in use, and whether they are stored."""
        result: Record = self._call("settings", {})
        return result


def _error(e: Exception) -> GdprError:
    try:
        detail = _json.loads(str(e))
        cls = _BY_CODE.get(detail.get("code"), InternalError)
        return cls(detail.get("message", str(e)), field=detail.get("field"), retryable=bool(detail.get("retryable")))
    except ValueError:
        return InternalError(str(e))
