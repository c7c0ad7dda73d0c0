"""Classify a message seen in a tracked thread: our send, a reply, an auto-reply, a bounce.

Pure: message metadata in, a :class:`Classification` out. The input is what Gmail returns
(with gmail.metadata: labels, internalDate and headers; with the gmail.readonly opt-in also
the text), wrapped in :class:`~outreach.track.meta.MessageMeta`; the local backend builds the
same value from a parsed ``.eml`` file, so one set of rules serves both. Headers and the
subject decide first; the text (the body, or a snippet if Gmail gave one) only adds a return
date, a failed address or an invite's answer, so everything works without it.

The rules, first match wins:

1. label ``DRAFT``: OTHER (a draft in the thread is not a send);
2. label ``SENT``, or From the owner: OWN_SEND;
3. a delivery-status notification (``multipart/report; report-type=delivery-status``, or From
   mailer-daemon/postmaster with a failure subject): BOUNCE, with the failed recipient from
   ``X-Failed-Recipients``, else the report's Final-Recipient, else the text. Delay and
   success notices (by the report's Action when it can be read, else by the subject) are
   OTHER. Bounces are checked before auto-replies because DSNs often carry
   ``Auto-Submitted`` too;
4. a read receipt (``report-type=disposition-notification``): OTHER;
4b. an answer to an invite (iTIP ``METHOD:REPLY``): RSVP, with the answer (accepted, declined,
   tentative) from the ``text/calendar`` part's PARTSTAT when the body could be read, else from
   a ``text/calendar; method=REPLY`` Content-Type or the subject prefix Google Calendar,
   Outlook, Apple Calendar and Thunderbird write ("Accepted:", "Angenommen:", "Refusé :",
   "Aceptado provisionalmente:", ...). Checked before auto-replies: calendar servers mark
   their answers ``Auto-Submitted`` too;
5. bulk mail (``List-Unsubscribe``, ``List-Id``, ``Precedence: bulk|list|junk``): AUTO_REPLY
   when it also has an out-of-office subject, ``X-Autoreply`` or
   ``Auto-Submitted: auto-replied``; else OTHER (a newsletter is not a reply);
6. RFC 3834 ``Auto-Submitted`` other than ``no``, ``X-Autoreply``/``X-Autorespond``/
   ``X-Autoresponder``, ``Precedence: auto_reply``, or an out-of-office subject in one of many
   languages: AUTO_REPLY, with the return date from the subject, else the text
   (see :mod:`outreach.track.returndate`); none when neither states one;
7. anything else with a sender: REPLY (an assistant writing from another address counts; we
   only look at tracked threads). No sender at all: OTHER.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from email.utils import getaddresses, parseaddr
from typing import Any

from outreach.track.itip import itip_answer
from outreach.track.meta import DeliveryRecipient, MessageMeta
from outreach.track.model import EventKind
from outreach.track.returndate import find_return_date, normalize_text

__all__ = [
    "Classification",
    "MessageMeta",
    "classify",
    "is_out_of_office_subject",
    "itip_answer",
]


@dataclass(frozen=True)
class Classification:
    kind: EventKind
    sender: str
    occurred_at: datetime
    return_date: date | None = None  # auto-replies: the stated return date
    failed_recipient: str | None = None  # bounces: the address that failed
    reason: str = ""  # why, in a few words (stored as the event's detail)
    rsvp: str | None = None  # RSVP: accepted, declined or tentative
    rsvp_uid: str | None = None  # RSVP: the invite's UID, when the calendar part was read
    rsvp_sequence: int | None = None  # RSVP: the SEQUENCE answered, likewise


# --- cues, matched against normalize_text() output (lower case, accents removed) ---------

_OOO_PHRASES = [
    r"out of (?:the )?office",
    r"out-of-office",
    r"\booo\b",
    r"\bauto(?:matic|matische|matisch|mated)?[- ]?(?:reply|response|answer|antwort|antwoord)",
    r"\bautoreply\b",
    r"\bautoresponder\b",
    r"abwesenheitsnotiz",
    r"\babwesenheit\b",
    r"\babwesend\b",
    r"nicht im buro",
    r"reponse automatique",
    r"absen(?:ce|t|te) du bureau",
    r"respuesta automatica",
    r"fuera de (?:la )?oficina",
    r"risposta automatica",
    r"fuori sede",
    r"fuori ufficio",
    r"automatisch antwoord",
    r"\bafwezig(?:heid)?\b",
    r"resposta automatica",
    r"\bausencia\b",
    r"fora do escritorio",
    r"\bautosvar\b",
    r"automatiskt? svar",
    r"\bfranvar(?:o|ande)\b",
    r"\bfravaer(?:ende)?\b",
    r"ikke (?:pa|til stede pa) kontoret",
    r"ej pa kontoret",
    r"niet (?:aanwezig|op kantoor)",
    r"ausencia temporal",
    r"ausencia temporaria",
    r"\bausente\b",
    r"absent(?:e)? du bureau",
    r"assente",
    r"autom\. antwort",
    r"automatische antwort",
    r"poza biurem",
    r"odpowiedz automatyczna",
    r"mimo kancelar",
    r"automaticka odpoved",
    r"\bpoissa\b",
    r"otomatik yanit",
    r"ofis disinda",
    r"automatikus valasz",
    r"hazon kivul",
    r"raspuns automat",
    r"αυτοματη απαντηση",
    r"автоматична відповідь",
    r"нет на месте",
    r"자동 회신",
    r"부재중",
    r"תשובה אוטומטית",
    r"رد تلقائي",
    r"automaattinen vastaus",
    r"automatyczna odpowiedz",
    r"automaticka odpoved",
    r"автоответ",
    r"автоматическ\w* ответ",
    r"自动回复",
    r"自動回覆",
    r"自動返信",
    r"自動応答",
    r"不在",
]
# Words that are only a cue at the start of the subject ("Away: ...", "On vacation").
_OOO_LEADING = (
    r"^\W*(?:i am |i'm |im |currently )?"
    r"(?:away|on vacation|on leave|on holiday|on annual leave|vacation|holiday"
    r"|im urlaub|urlaub|en conges|conges|en vacances|de vacaciones|vacaciones"
    r"|in ferie|ferie|op vakantie|vakantie|de ferias|ferias|em ferias|absent|absente)\b"
)
_OOO_RE = re.compile("|".join([normalize_text(p) for p in _OOO_PHRASES] + [_OOO_LEADING]))

_FAILURE_SUBJECT_RE = re.compile(
    r"delivery status notification \(failure\)|undeliverable|undelivered mail|not delivered"
    r"|mail delivery failed|delivery failure|failure notice|returned mail|returned to sender"
    r"|could not be delivered|couldn't be delivered|delivery has failed|non-?delivery"
    r"|unzustellbar|non remis|no se puede entregar|mail delivery failure|address not found"
)
_NOT_FAILURE_RE = re.compile(
    r"\((?:delay|success|relay)\)|delivery delayed|delayed mail|delivery incomplete"
    r"|temporary problem|will (?:keep )?retry|warning: could not send|^delivered:|^relayed:"
)
_DAEMON_LOCAL_PARTS = frozenset({"mailer-daemon", "postmaster", "mail-daemon", "maildaemon"})
_DAEMON_NAMES_RE = re.compile(r"mail delivery (?:subsystem|system|service)")
_EMAIL_RE = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+", re.ASCII)
_BULK_PRECEDENCE = frozenset({"bulk", "list", "junk"})
_AUTOREPLY_HEADERS = ("X-Autoreply", "X-Autorespond", "X-Autoresponder")


def is_out_of_office_subject(subject: str) -> bool:
    """True for subjects like "Automatic reply: ...", "Abwesenheitsnotiz", "Away"."""
    return _OOO_RE.search(normalize_text(subject)) is not None


def _content_type(meta: MessageMeta) -> tuple[str, str | None]:
    """(main type, report-type parameter) from the Content-Type header or payload.mimeType."""
    raw = (meta.header("Content-Type") or meta.mime_type or "").lower()
    main = raw.split(";", 1)[0].strip() or (meta.mime_type or "").lower()
    report = re.search(r"report-type\s*=\s*\"?([\w-]+)", raw)
    return main, (report.group(1) if report else None)


def _is_daemon(meta: MessageMeta) -> bool:
    name, addr = parseaddr(meta.header("From") or "")
    local = addr.lower().split("@", 1)[0]
    return local in _DAEMON_LOCAL_PARTS or bool(_DAEMON_NAMES_RE.search(name.lower()))


def _failed_recipient(
    meta: MessageMeta,
    owner_email: str,
    contact_email: str | None,
    reported: list[DeliveryRecipient],
) -> str | None:
    """The address that failed: the X-Failed-Recipients header, else the report's failed
    recipients (readable with gmail.readonly), else an address in the text; None when
    nothing says (with gmail.metadata a DSN without that header names no one)."""
    listed = meta.header("X-Failed-Recipients")
    candidates: list[str] = []
    if listed:
        candidates = [addr.lower() for _, addr in getaddresses([listed]) if addr]
    if not candidates:
        candidates = [r.address for r in reported if r.address]
    if not candidates:
        ignore = {owner_email.lower(), meta.sender}
        found = (a.lower() for a in _EMAIL_RE.findall(meta.text))
        candidates = [a for a in found if a not in ignore]
    if contact_email and contact_email.lower() in candidates:
        return contact_email.lower()
    return candidates[0] if candidates else None


def _auto_submitted(meta: MessageMeta) -> str | None:
    """The Auto-Submitted keyword when it marks the message automatic (not "no")."""
    value = (meta.header("Auto-Submitted") or "").split(";", 1)[0].strip().lower()
    return value if value and value != "no" else None


def _autoreply_header(meta: MessageMeta) -> str | None:
    for name in _AUTOREPLY_HEADERS:
        value = meta.header(name)
        if value is not None and value.strip().lower() not in {"no", "false", "0"}:
            return name
    return None


def classify(meta: MessageMeta, *, owner_email: str, contact_email: str | None) -> Classification:
    """What a message in a tracked thread means for the pipeline; see the module docstring."""
    sender = meta.sender
    occurred_at = meta.occurred_at
    labels = meta.label_ids
    subject = meta.subject
    owner = owner_email.strip().lower()

    def result(kind: EventKind, reason: str, **extra: Any) -> Classification:
        return Classification(kind, sender, occurred_at, reason=reason, **extra)

    if "DRAFT" in labels:
        return result(EventKind.OTHER, "a draft, not sent yet")
    if "SENT" in labels:
        return result(EventKind.OWN_SEND, "labelled SENT")
    if sender and sender == owner:
        return result(EventKind.OWN_SEND, "from the owner's address")

    main_type, report_type = _content_type(meta)
    subject_n = normalize_text(subject)
    is_dsn = main_type == "multipart/report" and report_type == "delivery-status"
    failure_subject = _FAILURE_SUBJECT_RE.search(subject_n) is not None
    if is_dsn or (_is_daemon(meta) and failure_subject):
        reported = [r for r in meta.delivery if r.action == "failed"]
        if meta.delivery:  # the report's own Action fields decide (RFC 3464)
            not_failure = not reported
        else:
            not_failure = bool(_NOT_FAILURE_RE.search(subject_n)) or bool(
                not failure_subject and _NOT_FAILURE_RE.search(normalize_text(meta.text))
            )
        if not_failure:
            return result(EventKind.OTHER, "a delivery delay or success notice, not a bounce")
        failed = _failed_recipient(meta, owner, contact_email, reported)
        why = "delivery status notification" if is_dsn else "mailer-daemon failure notice"
        return result(
            EventKind.BOUNCE,
            f"{why}" + (f" for {failed}" if failed else ""),
            failed_recipient=failed,
        )
    if main_type == "multipart/report" and report_type == "disposition-notification":
        return result(EventKind.OTHER, "a read receipt")

    answer = itip_answer(meta)
    if answer is not None:
        partstat, uid, sequence, how = answer
        return result(
            EventKind.RSVP,
            f"{partstat} the invite ({how})",
            rsvp=partstat,
            rsvp_uid=uid,
            rsvp_sequence=sequence,
        )

    ooo_subject = is_out_of_office_subject(subject)
    auto_submitted = _auto_submitted(meta)
    autoreply_header = _autoreply_header(meta)
    precedence = (meta.header("Precedence") or "").strip().lower()
    bulk = (
        precedence in _BULK_PRECEDENCE
        or meta.has_header("List-Unsubscribe")
        or meta.has_header("List-Id")
    )

    cue: str | None = None
    if ooo_subject:
        cue = "out-of-office subject"
    elif autoreply_header:
        cue = f"{autoreply_header} header"
    elif auto_submitted == "auto-replied":
        cue = "Auto-Submitted: auto-replied"
    elif not bulk and auto_submitted:
        cue = f"Auto-Submitted: {auto_submitted}"
    elif precedence in {"auto_reply", "auto-reply"}:
        cue = "Precedence: auto_reply"
    if cue is None and bulk:
        return result(EventKind.OTHER, "bulk mail (newsletter or list), not a reply")
    if cue is not None:
        back = find_return_date(subject, meta.text, meta.local_date)
        reason = f"auto-reply ({cue})" + (f", back {back.isoformat()}" if back else "")
        return result(EventKind.AUTO_REPLY, reason, return_date=back)

    if not sender:
        return result(EventKind.OTHER, "no sender")
    if contact_email is None or sender == contact_email.strip().lower():
        return result(EventKind.REPLY, "reply")
    return result(EventKind.REPLY, f"reply from {sender}, not the contact's address")


