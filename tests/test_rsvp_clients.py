"""Answers to invites in every client's words: read by UID when the calendar part can be read,
else by the subject the attendee's calendar writes, in each language it writes them.

Where each wording comes from:

- Thunderbird (Lightning): its localisation files, ``calendar-itip.ftl`` (messages
  ``itip-reply-subject-accept``, ``-decline``, ``-tentative`` and the answer-less
  ``itip-reply-subject``), in the repository thunderbird/thunderbird-l10n at commit
  5d7cde6f5d9237b64f7de733bb9fbb121055848a, file ``<locale>/calendar/calendar/calendar-itip.ftl``
  (the same strings as ``itipReplySubject*2`` in ``<locale>/calendar/chrome/lightning/
  lightning.properties``); English from ``en-GB``.
- The old Lightning compatible reply, "Event Invitation Reply (Accepted): ..." with the
  calendar part as the whole message: issue 18, as the user received it.
- Google Calendar, Outlook and Exchange in English, German, French and Spanish: the forms
  already read before issue 18 (tests/test_rsvp.py), French Outlook's no-break space before
  the colon as issue 18 reports it; Outlook in Italian, Dutch, Portuguese and Swedish: the
  response words of those Outlook versions (no public source file; written as users see them).
- Apple Calendar: "Invitation Accepted: ..." (tests/test_rsvp.py) and its answer attached as
  ``iCal-<date>-<time>.ics``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

import pytest

from outreach.app import AppContext
from outreach.services.sync.run import sync
from outreach.track.classify import classify
from outreach.track.itip import itip_answer
from outreach.track.meta import MessageMeta
from outreach.track.model import EventKind
from tests.fakegoogle import FakeGoogle
from tests.helpers_sync import (
    USER,
    add_contacts,
    at,
    configure,
    draft,
    fake_gmail,  # noqa: F401
    file_keyring,  # noqa: F401
    gmail_app,
    gmail_workspace,
    row_for,
    set_now,
)

L10N = "thunderbird/thunderbird-l10n@5d7cde6f5d, {}/calendar/calendar/calendar-itip.ftl"

# (subject, answer, where the wording comes from)
THUNDERBIRD = [
    ("Accepted: Chat about compilers", "accepted", L10N.format("en-GB")),
    ("Invitation Declined: Chat about compilers", "declined", L10N.format("en-GB")),
    ("Tentative: Chat about compilers", "tentative", L10N.format("en-GB")),
    ("Akzeptiert: Informationsgespräch", "accepted", L10N.format("de")),
    ("Einladung abgelehnt: Informationsgespräch", "declined", L10N.format("de")),
    ("Vorläufig: Informationsgespräch", "tentative", L10N.format("de")),
    ("Acceptée : Entretien", "accepted", L10N.format("fr")),
    ("Invitation refusée : Entretien", "declined", L10N.format("fr")),
    ("Proposée : Entretien", "tentative", L10N.format("fr")),
    ("Aceptado: Entrevista", "accepted", L10N.format("es-ES")),
    ("Invitación declinada: Entrevista", "declined", L10N.format("es-ES")),
    ("Provisional: Entrevista", "tentative", L10N.format("es-ES")),
    ("Aceptada: Entrevista", "accepted", L10N.format("es-AR")),
    ("Tentativa: Entrevista", "tentative", L10N.format("es-AR")),
    ("Tentativo: Entrevista", "tentative", L10N.format("es-MX")),
    ("Accettato: Colloquio", "accepted", L10N.format("it")),
    ("Invito rifiutato: Colloquio", "declined", L10N.format("it")),
    ("Da confermare: Colloquio", "tentative", L10N.format("it")),
    ("Geaccepteerd: Gesprek", "accepted", L10N.format("nl")),
    ("Uitnodiging geweigerd: Gesprek", "declined", L10N.format("nl")),
    ("Voorlopig: Gesprek", "tentative", L10N.format("nl")),
    ("Aceite: Conversa", "accepted", L10N.format("pt-PT")),
    ("Convite recusado: Conversa", "declined", L10N.format("pt-PT")),
    ("Tentativo: Conversa", "tentative", L10N.format("pt-PT")),
    ("Aceito: Conversa", "accepted", L10N.format("pt-BR")),
    ("Tentativa: Conversa", "tentative", L10N.format("pt-BR")),
]
OLD_LIGHTNING = [
    ("Event Invitation Reply (Accepted): Chat", "accepted", "issue 18"),
    ("Event Invitation Reply (Declined): Chat", "declined", "issue 18"),
    ("Event Invitation Reply (Tentative): Chat", "tentative", "issue 18"),
]
OUTLOOK_GOOGLE_APPLE = [
    ("Accepted: Chat @ Thu Nov 5, 2026 10am - 10:20am (EST) (sam@example.edu)", "accepted",
     "Google Calendar, tests/test_rsvp.py"),
    ("Declined: Chat", "declined", "Outlook and Exchange, tests/test_rsvp.py"),
    ("Tentative: Chat", "tentative", "Outlook and Exchange, tests/test_rsvp.py"),
    ("Accepté\u00a0: Entretien", "accepted", "French Outlook, no-break space: issue 18"),
    ("Refusé\u00a0: Entretien", "declined", "French Outlook, no-break space: issue 18"),
    ("Provisoire\u202f: Entretien", "tentative", "French Outlook, narrow no-break space"),
    ("Angenommen: Gespräch", "accepted", "German Outlook, tests/test_rsvp.py"),
    ("Mit Vorbehalt angenommen: Gespräch", "tentative", "German Outlook, tests/test_rsvp.py"),
    ("Rechazado: Entrevista", "declined", "Spanish Outlook, tests/test_rsvp.py"),
    ("Rifiutato: Colloquio", "declined", "Italian Outlook"),
    ("Provvisorio: Colloquio", "tentative", "Italian Outlook"),
    ("Geweigerd: Gesprek", "declined", "Dutch Outlook"),
    ("Recusado: Conversa", "declined", "Portuguese Outlook"),
    ("Accepterat: Samtal", "accepted", "Swedish Outlook"),
    ("Avböjt: Samtal", "declined", "Swedish Outlook"),
    ("Invitation Accepted: Chat", "accepted", "Apple Calendar, tests/test_rsvp.py"),
    ("Declined with note: Chat @ Thu Nov 5, 2026", "declined", "an answer with a comment"),
]


def metadata_only(subject: str, *, content_type: str = "multipart/mixed") -> MessageMeta:
    """What gmail.metadata gives: headers, no body, no calendar part."""
    return MessageMeta(
        id="m1", thread_id="t1", label_ids=frozenset({"INBOX"}), snippet="",
        internal_date=datetime(2026, 11, 4, 15, 0, tzinfo=UTC),
        headers=(("From", "ada@example.org"), ("Subject", subject),
                 ("Content-Type", content_type)),
    )


@pytest.mark.parametrize(("subject", "answer", "source"),
                         THUNDERBIRD + OLD_LIGHTNING + OUTLOOK_GOOGLE_APPLE)
def test_the_subject_alone_gives_the_answer(subject: str, answer: str, source: str) -> None:
    found = classify(metadata_only(subject), owner_email=USER, contact_email="ada@example.org")
    assert (found.kind, found.rsvp) == (EventKind.RSVP, answer), source


@pytest.mark.parametrize("subject", [
    "Einladungsantwort: Informationsgespräch",  # de calendar-itip.ftl itip-reply-subject
    "Réponse à l\u2019invitation : Entretien",  # fr
    "Invitation Reply: Chat",  # en-GB
])
def test_thunderbirds_answerless_subject_is_an_answer_of_unknown_kind(subject: str) -> None:
    found = classify(metadata_only(subject), owner_email=USER, contact_email="ada@example.org")
    assert (found.kind, found.rsvp) == (EventKind.RSVP, "unknown")


@pytest.mark.parametrize("subject", [
    "Re: Accepted the offer at Acme, so no call needed",
    "Re: Provisional agenda for our chat",
    "Voorlopige planning",
    "Re: Tentatively, yes",
])
def test_people_writing_these_words_are_still_replies(subject: str) -> None:
    found = classify(metadata_only(subject), owner_email=USER, contact_email="ada@example.org")
    assert found.kind is EventKind.REPLY


def _ics(partstat: str, uid: str = "ix-42@outreach", sequence: int = 1) -> str:
    return (
        "BEGIN:VCALENDAR\r\nPRODID:-//test//EN\r\nVERSION:2.0\r\nMETHOD:REPLY\r\n"
        f"BEGIN:VEVENT\r\nUID:{uid}\r\nSEQUENCE:{sequence}\r\n"
        "DTSTART:20261105T150000Z\r\nDTEND:20261105T152000Z\r\n"
        "ORGANIZER:mailto:sam@example.edu\r\n"
        f"ATTENDEE;PARTSTAT={partstat};CN=Ada:mailto:ada@example.org\r\n"
        "END:VEVENT\r\nEND:VCALENDAR\r\n"
    )


def _message(subject: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = "Ada <ada@example.org>"
    message["To"] = USER
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain="example.org")
    message["Date"] = format_datetime(datetime(2026, 11, 4, 15, 0, tzinfo=UTC))
    return message


def google_reply(partstat: str) -> EmailMessage:
    """Google Calendar: text and html, the REPLY inline and again as invite.ics."""
    message = _message("Declined: Chat @ Thu Nov 5, 2026 10am - 10:20am (EST)")
    message.set_content("Ada has declined this invitation.")
    message.add_alternative("<p>Ada has declined this invitation.</p>", subtype="html")
    message.add_alternative(_ics(partstat), subtype="calendar", params={"method": "REPLY"})
    message.add_attachment(_ics(partstat).encode(), maintype="application", subtype="ics",
                           filename="invite.ics")
    return message


def outlook_reply(partstat: str) -> EmailMessage:
    """Outlook and Exchange: multipart/alternative with text/calendar; method=REPLY."""
    message = _message("Refusé\u00a0: Entretien")
    message.set_content("")
    message.add_alternative(_ics(partstat), subtype="calendar", params={"method": "REPLY"})
    return message


def apple_reply(partstat: str, *, octet_stream: bool = False) -> EmailMessage:
    """Apple Calendar: a line of text and the answer attached as iCal-<date>-<time>.ics."""
    message = _message("Invitation Declined: Chat")
    message.set_content("Ada has declined your invitation.")
    maintype, subtype = ("application", "octet-stream") if octet_stream else ("text", "calendar")
    message.add_attachment(_ics(partstat).encode(), maintype=maintype, subtype=subtype,
                           filename="iCal-20261104-150000.ics")
    return message


def thunderbird_reply(partstat: str) -> EmailMessage:
    """Thunderbird: text, the REPLY inline (method=REPLY) and as invite.ics."""
    message = _message("Einladung abgelehnt: Informationsgespräch")
    message.set_content("Ada hat Ihre Termineinladung abgelehnt.")
    message.add_attachment(_ics(partstat), subtype="calendar", params={"method": "REPLY"},
                           disposition="inline")
    message.add_attachment(_ics(partstat).encode(), maintype="application", subtype="ics",
                           filename="invite.ics")
    return message


def old_lightning_reply(partstat: str) -> EmailMessage:
    """The old Lightning compatible reply: the calendar part is the whole message."""
    message = _message("Event Invitation Reply (Declined): Chat")
    message.set_content(_ics(partstat), subtype="calendar", params={"method": "REPLY"})
    return message


@pytest.mark.parametrize("build", [google_reply, outlook_reply, apple_reply, thunderbird_reply,
                                   old_lightning_reply])
def test_with_the_body_the_calendar_part_wins_and_gives_the_uid(build: object) -> None:
    """The subject says declined; the calendar part (PARTSTAT) says accepted: it wins."""
    assert callable(build)
    meta = MessageMeta.from_email(build("ACCEPTED"))
    assert itip_answer(meta) == ("accepted", "ix-42@outreach", 1, "its calendar part")


def test_apples_attachment_typed_octet_stream_is_read_by_its_name() -> None:
    meta = MessageMeta.from_email(apple_reply("TENTATIVE", octet_stream=True))
    assert itip_answer(meta) == ("tentative", "ix-42@outreach", 1, "its calendar part")


# --- through Gmail, on both scopes ------------------------------------------------------


@pytest.fixture(params=["metadata", "readonly"])
def scope(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def gmail_sent(workspace: Path, fake_gmail: FakeGoogle, monkeypatch: pytest.MonkeyPatch,  # noqa: F811
               scope: str) -> AppContext:
    """Ada got our message (sent Monday 2 March 10:00); the workspace reads Gmail with
    gmail.metadata, or with the gmail.readonly opt-in."""
    from outreach.google.auth import scopes_for

    if scope == "readonly":
        fake_gmail.set_access_token("fake-access-token", scopes=scopes_for("readonly"))
    gmail_workspace(workspace, fake_gmail)
    if scope == "readonly":
        configure(workspace, google={"read_scope": "readonly"})
    set_now(monkeypatch, at("2026-03-02 09:00"))
    app = gmail_app(workspace, fake_gmail)
    add_contacts(app, ("Ada Lovelace", "ada@example.org"))
    [row] = draft(app, "outreach", "ada@example.org")
    assert row.draft_id
    fake_gmail.set_now(at("2026-03-02 10:00"))
    fake_gmail.send_draft_as_user(row.draft_id)
    set_now(monkeypatch, at("2026-03-02 11:00"))
    sync(app)
    return app


def _rsvp_details(app: AppContext) -> list[str]:
    return [e.detail for e in app.store.events.all() if e.kind == "rsvp"]


@pytest.mark.parametrize("build", [thunderbird_reply, old_lightning_reply, outlook_reply,
                                   apple_reply])
def test_an_answer_in_a_thread_of_its_own_is_read_by_its_subject_or_its_uid(
    gmail_sent: AppContext, fake_gmail: FakeGoogle, build: object, scope: str  # noqa: F811
) -> None:
    """Calendars answer in a new thread. Under gmail.metadata only headers can be read, so
    the subject decides (every one of these says declined). Under gmail.readonly a contact's
    message outside our threads is read in full, so its calendar part and UID decide: here
    the UID is none of Ada's meetings (nothing is booked), so it is a reply to read, never
    an answer applied. Apple's part is an attachment: read with messages.attachments.get."""
    assert callable(build)
    message = build("DECLINED")
    fake_gmail.reset_log()
    fake_gmail.deliver(message, internal_date=at("2026-03-02 12:00"))
    sync(gmail_sent)
    assert 403 not in fake_gmail.status_counts
    attachments = fake_gmail.method_counts.get("gmail.users.messages.attachments.get", 0)
    if scope == "metadata":
        assert _rsvp_details(gmail_sent) == ["declined the invite (its subject)"]
        assert attachments == 0
        return
    assert _rsvp_details(gmail_sent) == []
    (event,) = [e for e in gmail_sent.store.events.all() if e.kind != "own_send"]
    assert event.kind == "reply" and "not your meeting" in event.detail, event.detail
    assert attachments == (1 if build is apple_reply else 0)


def test_an_answer_in_our_thread_is_read_by_uid_under_readonly(
    gmail_sent: AppContext, fake_gmail: FakeGoogle, scope: str  # noqa: F811
) -> None:
    """An answer that lands in our thread (it answers our message and keeps its subject):
    gmail.readonly reads the body, so the calendar part and its UID decide, and a UID that is
    none of the contact's meetings (here: nothing is booked) makes it a reply to read, never
    an answer applied to a meeting; gmail.metadata sees headers only, and a "Re:" subject says
    nothing of an answer, so it is a reply too."""
    row = row_for(gmail_sent, "ada@example.org")
    message = outlook_reply("DECLINED")
    message.replace_header("Subject", f"Re: {row.subject}")
    message["In-Reply-To"] = row.message_id
    message["References"] = row.message_id
    fake_gmail.deliver(message, internal_date=at("2026-03-02 12:00"))
    sync(gmail_sent)
    assert _rsvp_details(gmail_sent) == []
    kinds = [e.kind for e in gmail_sent.store.events.all() if e.kind != "own_send"]
    assert kinds == ["reply"]
    if scope == "readonly":  # read, and said why it was not applied
        (event,) = [e for e in gmail_sent.store.events.all() if e.kind == "reply"]
        assert "not your meeting" in event.detail, event.detail


@pytest.mark.parametrize("subject", [
    "Abwesenheitsnotiz: Ihre Nachricht",
    "Respuesta automática: Entrevista informativa",
    "Réponse automatique\u00a0: Entretien",
    "Risposta automatica: Colloquio",
    "Automatisch antwoord: Gesprek",
    "Resposta automática: Conversa",
    "Automatiskt svar: Samtal",
])
def test_a_non_english_auto_reply_in_a_new_thread_is_an_auto_reply(
    gmail_sent: AppContext, fake_gmail: FakeGoogle, subject: str  # noqa: F811
) -> None:
    message = _message(subject)
    message.set_content("Ich bin bis zum 13.03.2026 nicht im Büro.")
    fake_gmail.deliver(message, internal_date=at("2026-03-02 12:00"))
    sync(gmail_sent)
    kinds = [e.kind for e in gmail_sent.store.events.all() if e.kind != "own_send"]
    assert kinds == ["auto_reply"]
