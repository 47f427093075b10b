"""gdprkit for Python: consent decisions, requests from data subjects, erasure and exports.

Every call goes to gdprkit's Rust core through one native method, with the GIL released; this
module only gives the calls their keyword arguments, their result objects and their exception
classes. See docs/python.md.
"""

from __future__ import annotations

import datetime as _dt
import json as _json
import os
from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional, Protocol, Sequence, Union, overload

from . import _native

__all__ = [
    "Gdpr",
    "Mailer",
    "Clock",
    "Campaign",
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
        # The plain values as JSON gave them; nested ones become Records and tuples when read.
        object.__setattr__(self, "_fields", dict(fields))

    def __getattr__(self, name: str) -> Any:
        try:
            return _wrap(self._fields[name])
        except KeyError:
            raise AttributeError(name) from None

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("gdprkit results are read-only")

    def __getitem__(self, key: str) -> Any:
        return _wrap(self._fields[key])

    def __iter__(self) -> Any:
        return iter(self._fields)

    def __len__(self) -> int:
        return len(self._fields)

    def __repr__(self) -> str:
        inner = ", ".join(f"{k}={_wrap(v)!r}" for k, v in self._fields.items())
        return f"Record({inner})"

    def to_dict(self) -> Dict[str, Any]:
        """The result as plain dicts and lists, as JSON gives it (a copy)."""
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
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
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


def _date(name: str, value: _dt.date) -> str:
    """A calendar date as ISO 8601; a datetime is refused (which day would it be, and where?)."""
    if isinstance(value, _dt.datetime) or not isinstance(value, _dt.date):
        raise InvalidInputError(
            f"{name}: expected a date (datetime.date), got {type(value).__name__}", field=name
        )
    return value.isoformat()


def _drop_none(args: Mapping[str, Any]) -> Dict[str, Any]:
    return {k: v for k, v in args.items() if v is not None}


def _origin(origin: Optional[Mapping[str, Any]]) -> Optional[Dict[str, Any]]:
    """A subject's origin with ``obtained_at`` as RFC 3339 when given as a datetime."""
    if origin is None:
        return None
    fields = _drop_none(dict(origin))
    if isinstance(fields.get("obtained_at"), _dt.datetime):
        fields["obtained_at"] = _instant("origin.obtained_at", fields["obtained_at"])
    return fields


def _new_subject(subject: Mapping[str, Any]) -> Dict[str, Any]:
    fields = _drop_none(dict(subject))
    if "origin" in fields:
        fields["origin"] = _origin(fields["origin"])
    return fields


class Mailer(Protocol):
    """Sends a message to a subject; raising refuses it (it stays in the outbox, tried again)."""

    def send(self, message: Record) -> None:
        """``message`` has ``to``, ``subject``, ``body``, ``attachments`` (each ``filename``,
        ``content_type``, ``bytes``) and ``message_id``."""
        ...


class Campaign(Sequence[Record]):
    """The decisions of a campaign, one per subject in the order asked, kept in the core:
    ``allowed`` lists who may be contacted; a decision is read when indexed or iterated."""

    __slots__ = ("_native", "_allowed")

    def __init__(self, native: _native.Campaign) -> None:
        self._native = native
        self._allowed: Optional[List[str]] = None

    @property
    def allowed(self) -> List[str]:
        """The ids of the subjects who may be contacted, in the order asked."""
        if self._allowed is None:
            self._allowed = self._native.allowed()
        return list(self._allowed)

    def __len__(self) -> int:
        return len(self._native)

    @overload
    def __getitem__(self, i: int) -> Record: ...

    @overload
    def __getitem__(self, i: slice) -> List[Record]: ...

    def __getitem__(self, i: Union[int, slice]) -> Union[Record, List[Record]]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        n = len(self)
        if not -n <= i < n:
            raise IndexError(f"decision {i} of {n}")
        return Record(_json.loads(self._native.decision_json(i % n)))

    def __repr__(self) -> str:
        return f"Campaign({len(self)} decisions, {len(self.allowed)} allowed)"


class Clock(Protocol):
    """Where gdprkit reads the time, when not from the system: read once at the start of each
    call, and that instant is the call's now. ``now()`` returns an aware ``datetime``."""

    def now(self) -> _dt.datetime:
        """The current instant, with a time zone."""
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
        self,
        store: str | os.PathLike[str],
        *,
        tenant: Optional[str] = None,
        mailer: Optional[Mailer] = None,
        clock: Optional[Clock] = None,
        **config: Any,
    ) -> None:
        settings = dict(config)
        settings["store"] = os.fspath(store)
        if tenant is not None:
            settings["tenant"] = tenant
        for key in ("crm", "data_map", "erasure_journal"):
            if isinstance(settings.get(key), os.PathLike):
                settings[key] = os.fspath(settings[key])
        now = settings.get("now")
        if now is not None:
            settings["now"] = _instant("now", now)
        self._clock = clock
        try:
            adapter = _MailerAdapter(mailer) if mailer is not None else None
            self._native = _native.Native(_json.dumps(settings), adapter)
        except _native.NativeError as e:
            raise _error(e) from _cause(e)

    @classmethod
    def from_config(
        cls, config: Mapping[str, Any], *, mailer: Optional[Mailer] = None, clock: Optional[Clock] = None
    ) -> "Gdpr":
        """Opens gdprkit from one configuration dict (the keys of the keyword arguments, ``store``
        among them), as read from a settings module or a JSON or TOML file."""
        settings = dict(config)
        if "store" not in settings:
            raise ConfigError(
                "store: the configuration names no store (a SQLite path or a postgres:// URL)", field="store"
            )
        store = settings.pop("store")
        return cls(store, mailer=mailer, clock=clock, **settings)

    def _now(self) -> Optional[str]:
        """The clock's instant for the next call, or None to read the system's."""
        if self._clock is None:
            return None
        return _instant("clock.now()", self._clock.now())

    def _call(self, method: str, args: Any) -> Any:
        try:
            args_json = _json.dumps(args, allow_nan=False)
        except (TypeError, ValueError) as e:
            raise InvalidInputError(f"{method}: {e}", field="args") from e
        try:
            out = self._native.call(method, args_json, self._now())
        except _native.NativeError as e:
            raise _error(e) from _cause(e)
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

    def purpose(self, id: str) -> Record:
        """The purpose with this id."""
        result: Record = self._call("purpose", {"purpose": id})
        return result

    def purposes(self) -> List[Record]:
        """Every registered purpose, by id."""
        return list(self._call("purposes", {}))

    def add_channel(self, name: str, *, kind: str) -> None:
        """Declares a channel of the CRM's own (``whatsapp``) as ``electronic``, ``phone`` or
        ``post``: the rules of that kind of channel apply to it. A kind is never changed."""
        self._call("add_channel", {"name": name, "kind": kind})

    def channels(self) -> List[Record]:
        """The channels declared with ``add_channel``."""
        return list(self._call("channels", {}))

    def add_subject(
        self,
        id: str,
        *,
        regime: str,
        email: Optional[str] = None,
        phone: Optional[str] = None,
        language: Optional[str] = None,
        origin: Optional[Mapping[str, Any]] = None,
    ) -> Record:
        """Registers a subject under a regime (``b2b_opt_out``, ``b2c_opt_in``, ``soft_opt_in``).

        ``origin`` says where its data came from (rule I2): ``{"source": "trade_fair",
        "reference": "Salon Pro", "obtained_at": "2025-02-01T10:00:00Z"}``; from a source other
        than ``collected``, the person must be told within a month."""
        args = _drop_none(
            {
                "id": id,
                "regime": regime,
                "email": email,
                "phone": phone,
                "language": language,
                "origin": _origin(origin),
            }
        )
        result: Record = self._call("add_subject", args)
        return result

    def add_subjects(self, subjects: Iterable[Mapping[str, Any]]) -> List[Record]:
        """Registers many subjects in one transaction: each a mapping with ``id`` and ``regime``,
        and optionally ``email``, ``phone``, ``language`` and ``origin``. All or none."""
        return list(self._call("add_subjects", [_new_subject(s) for s in subjects]))

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
        information: Optional[Mapping[str, Any]] = None,
    ) -> Record:
        """Records an opt-in, opt-out, withdrawal or objection, with its proof. With an opt-in
        collected from the person, ``information`` (``{"version": ..., "sha256": ...}``) records the
        information notice given with it (Art. 13)."""
        args = _drop_none(
            {
                "subject": subject,
                "action": action,
                "purpose": purpose,
                "channel": channel,
                "occurred_at": _instant("occurred_at", occurred_at),
                "proof": dict(proof) if proof is not None else None,
                "information": dict(information) if information is not None else None,
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
    ) -> Campaign:
        """The same decision for many subjects, in their order, in one call: ``.allowed`` lists
        who may be contacted; each decision (a ``Record``, as ``decide`` gives) is read when
        indexed or iterated."""
        ids = list(subjects)
        if not all(isinstance(s, str) for s in ids):
            raise InvalidInputError("subjects: every subject is an id (str)", field="subjects")
        try:
            native = self._native.campaign(ids, purpose, channel, _instant("at", at), self._now())
        except _native.NativeError as e:
            raise _error(e) from _cause(e)
        return Campaign(native)

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

    def subject_requests(self, subject: str) -> List[Record]:
        """Every request of one subject, oldest first."""
        return list(self._call("subject_requests", {"subject": subject}))

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
        result: Record = self._call("deadline", {"received": _date("received", received)})
        return result

    def lift_restriction(self, request: str, *, by: str, subject_told: bool) -> None:
        """Lifts the restriction a restriction request put in place, once the subject was told."""
        self._call("lift_restriction", {"request": request, "actor": by, "subject_told": subject_told})

    def record_disclosure(self, subject: str, recipient: str, *, at: Optional[_dt.datetime] = None) -> Record:
        """Records that the subject's data went to ``recipient``."""
        args = _drop_none({"subject": subject, "recipient": recipient, "at": _instant("at", at)})
        result: Record = self._call("record_disclosure", args)
        return result

    def disclosures(self, subject: str) -> List[Record]:
        """The recipients the subject's data went to, oldest first (Art. 19)."""
        return list(self._call("disclosures", {"subject": subject}))

    def recipient_tasks(self, request: str) -> List[Record]:
        """The recipients to tell about a completed rectification, erasure or restriction."""
        return list(self._call("recipient_tasks", {"request": request}))

    def mark_recipient_task(
        self, request: str, recipient: str, *, outcome: str, by: str, reason: Optional[str] = None
    ) -> Record:
        """Marks a recipient as told (``outcome="sent"``), or not told (``"skipped"``) for a
        ``reason`` Art. 19 allows: ``impossible`` or ``disproportionate_effort``."""
        args = _drop_none(
            {"request": request, "recipient": recipient, "outcome": outcome, "reason": reason, "actor": by}
        )
        result: Record = self._call("mark_recipient_task", args)
        return result

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

    def finish_interrupted_erasures(self) -> List[str]:
        """Finishes the erasures a crash interrupted; returns the subjects finished."""
        return list(self._call("finish_interrupted_erasures", {}))

    def check_map(self) -> Record:
        """Checks the data map against the CRM's tables; ``warnings`` lists what to look at."""
        result: Record = self._call("check_map", {})
        return result

    def sweep(
        self,
        *,
        batch_size: int = 500,
        dry_run: bool = False,
        progress: Optional[Callable[[Record], None]] = None,
    ) -> Record:
        """Applies the data map's retention rules (or, with ``dry_run``, counts the rows due), in
        transactions of ``batch_size`` rows. ``progress`` is called after each batch with its
        ``entity``, ``done`` and ``total``; what it raises stops the sweep and is raised as it is
        (the batches committed before stay done: the next sweep goes on from there)."""
        options = _json.dumps({"batch_size": batch_size, "dry_run": dry_run})
        if progress is None:
            result: Record = self._call("sweep", {"batch_size": batch_size, "dry_run": dry_run})
            return result
        report = progress

        def each_batch(progress_json: str) -> None:
            report(Record(_json.loads(progress_json)))

        try:
            out = self._native.sweep(options, each_batch, self._now())
        except _native.NativeError as e:
            raise _error(e) from _cause(e)
        done: Record = _wrap(_json.loads(out))
        return done

    def export(self, subject: str, *, language: Optional[str] = None) -> Dict[str, Any]:
        """Everything held on the subject, as the JSON export's dict (portability, Art. 20)."""
        result: Record = self._call("export", _drop_none({"subject": subject, "language": language}))
        return result.to_dict()

    def export_pdf(self, subject: str, *, language: Optional[str] = None) -> bytes:
        """Everything held on the subject as a PDF/A to read, print and post (Art. 15)."""
        try:
            return self._native.export_pdf(subject, language, self._now())
        except _native.NativeError as e:
            raise _error(e) from _cause(e)

    def information_notice_pdf(self, subject: Optional[str] = None, *, language: Optional[str] = None) -> bytes:
        """The information notice (Arts. 13 and 14) as a PDF/A to print and post; its version and
        SHA-256 are those of ``information_notice``."""
        try:
            return self._native.information_notice_pdf(subject, language, self._now())
        except _native.NativeError as e:
            raise _error(e) from _cause(e)

    def offer_download(self, request: str, *, by: str) -> Record:
        """Offers the copy of an access or portability request in progress for download on the
        portal, and tells the person; their first download completes the request (E3). Returns
        the request and its ``copy_ready`` notice."""
        result: Record = self._call("offer_download", {"request": request, "actor": by})
        return result

    def request_message(self, request: str) -> Optional[str]:
        """What the person wrote with a request they submitted on the portal; ``None`` when they
        wrote nothing, or when the request was opened otherwise."""
        message: Optional[str] = self._call("request_message", {"request": request})
        return message

    def complete_with_export(self, request: str, *, by: str) -> Record:
        """Completes an accepted access (a PDF) or portability (JSON) request with the export:
        mailed with the completion notice when the subject has an address; its ``attachment``
        (``filename``, ``content_type``, ``bytes``) is there to print and post either way."""
        result: Record = self._call("complete_with_export", {"request": request, "actor": by})
        attachment = result["attachment"]
        fields = result.to_dict()
        fields["attachment"] = dict(attachment.to_dict(), bytes=bytes(attachment["bytes"]))
        return Record(fields)

    def deliver_pending(self) -> Record:
        """Sends what waits in the outbox."""
        result: Record = self._call("deliver_pending", {})
        return result

    def outbox(self, *, all: bool = False) -> List[Record]:
        """The messages waiting to be sent, or with ``all`` every message, sent ones included."""
        return list(self._call("outbox", {"filter": "all" if all else "pending"}))

    def unsubscribe_token(self, subject: str, *, purpose: Optional[str] = None, channel: Optional[str] = None) -> str:
        """A reference for a message's unsubscribe link: following it opts the subject out of the
        ``purpose`` on the ``channel`` (both, or neither for every marketing purpose)."""
        args = _drop_none({"subject": subject, "purpose": purpose, "channel": channel})
        token: str = self._call("unsubscribe_token", args)
        return token

    def unsubscribe(self, token: str) -> Record:
        """Records the opt-out an unsubscribe reference stands for (once, however often followed)."""
        result: Record = self._call("unsubscribe", {"token": token})
        return result

    def suppression_list(self) -> List[Record]:
        """The keyed hashes of erased subjects' addresses with their opt-outs, so that a re-import
        does not contact them again."""
        return list(self._call("suppression_list", {}))

    def changes_since(self, since: int = 0, *, limit: int = 1000) -> Record:
        """The ledger's changes after ``since``, without personal values."""
        result: Record = self._call("changes_since", {"since": since, "limit": limit})
        return result

    # The right to information (Arts. 13 and 14).

    def information_notice(self, subject: Optional[str] = None, *, language: Optional[str] = None) -> Record:
        """The information notice (rule I1) for ``subject`` (or every purpose of the map): its
        ``text``, ``html``, ``version`` and ``sha256``."""
        result: Record = self._call("information_notice", _drop_none({"subject": subject, "language": language}))
        return result

    def information_status(self, subject: str) -> Record:
        """Where the right to information stands for ``subject`` (rules I2 to I4): ``state``
        (``informed``, ``exempt``, ``due``, ``overdue``, ``unknown``), ``due`` and ``due_by``."""
        result: Record = self._call("information_status", {"subject": subject})
        return result

    def information_due(self, *, overdue_only: bool = False) -> List[Record]:
        """The subjects still to be told, by due date; with ``overdue_only``, those past it."""
        return list(self._call("information_due", {"overdue_only": overdue_only}))

    def inform(self, subject: str, *, via: str, at: Optional[_dt.datetime] = None) -> Record:
        """Gives ``subject`` the notice and records it (rule I4): ``via="email"`` mails it
        through the outbox; ``post`` and ``with_message`` record it as given ``at``."""
        args = _drop_none({"subject": subject, "via": via, "at": _instant("at", at)})
        result: Record = self._call("inform", args)
        return result

    def exempt_from_information(
        self, subject: str, *, ground: str, reason: str, public_notice: Optional[str] = None
    ) -> int:
        """Records an exemption of Art. 14(5) for ``subject`` with its ground and reason (and the
        public notice's ``https://`` address for ``disproportionate_effort``). Returns its entry."""
        exemption = _drop_none({"ground": ground, "reason": reason, "public_notice": public_notice})
        return int(self._call("exempt_from_information", {"subject": subject, "exemption": exemption}))

    def exempt_source_from_information(
        self, source: str, *, ground: str, reason: str, public_notice: Optional[str] = None
    ) -> List[str]:
        """The same for every subject of ``source`` still to be told; returns their ids."""
        exemption = _drop_none({"ground": ground, "reason": reason, "public_notice": public_notice})
        return list(self._call("exempt_source_from_information", {"source": source, "exemption": exemption}))

    def record_communication(self, subject: str, *, at: Optional[_dt.datetime] = None) -> int:
        """Records that the CRM communicated with ``subject`` (Art. 14(3)(b)). Returns its entry."""
        args = _drop_none({"subject": subject, "at": _instant("at", at)})
        return int(self._call("record_communication", args))

    def consent_receipt(self, subject: str) -> List[Record]:
        """The subject's consent events as ISO/IEC TS 27560 records in JSON-LD with DPV terms."""
        return list(self._call("consent_receipt", {"subject": subject}))

    def settings(self) -> Record:
        """The time zone and holiday calendar in use, and whether they are stored."""
        result: Record = self._call("settings", {})
        return result

    def save_settings(self) -> Record:
        """Stores the time zone and calendar in use as the tenant's, so that every later opening
        reads them."""
        result: Record = self._call("save_settings", {})
        return result


def _cause(e: BaseException) -> Optional[BaseException]:
    """What caused a native error: the exception a Python callback (the mailer) raised, or the
    core's underlying error (the database driver's, the mail server's) as a ``NativeError``."""
    if e.__cause__ is not None:
        return e.__cause__
    try:
        sources = _json.loads(str(e)).get("sources") or []
    except ValueError:
        return None
    return _native.NativeError(": ".join(str(s) for s in sources)) if sources else None


def _error(e: Exception) -> GdprError:
    try:
        detail = _json.loads(str(e))
        cls = _BY_CODE.get(detail.get("code"), InternalError)
        return cls(detail.get("message", str(e)), field=detail.get("field"), retryable=bool(detail.get("retryable")))
    except ValueError:
        return InternalError(str(e))
