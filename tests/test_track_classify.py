"""Classification of messages in tracked threads, as a specification.

Gmail inputs are built in the exact JSON shape of ``users.messages.get(format=metadata)``;
``tests/data/mail/*.eml`` are the same kinds of messages as files, for the local backend.
"""

from __future__ import annotations

import email
import email.policy
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from outreach.track.classify import MessageMeta, classify, is_out_of_office_subject
from outreach.track.model import EventKind
from outreach.track.returndate import find_return_date

OWNER = "sam@example.edu"
CONTACT = "ada@example.org"
MAIL = Path(__file__).parent / "data" / "mail"
SENT_AT_MS = 1772463912000  # 2026-03-02T15:05:12Z


def gmail_message(
    headers: list[tuple[str, str]],
    *,
    labels: tuple[str, ...] = ("INBOX", "UNREAD"),
    snippet: str = "",
    internal_ms: int | None = SENT_AT_MS,
    mime_type: str = "text/plain",
) -> dict[str, Any]:
    """A message resource as Gmail returns it with format=metadata."""
    resource: dict[str, Any] = {
        "id": "18e0a1b2c3d4e5f6",
        "threadId": "18e0a1b2c3d40000",
        "labelIds": list(labels),
        "snippet": snippet,
        "sizeEstimate": 5123,
        "historyId": "987654",
        "payload": {
            "partId": "",
            "mimeType": mime_type,
            "filename": "",
            "headers": [{"name": name, "value": value} for name, value in headers],
            "body": {"size": 0},
        },
    }
    if internal_ms is not None:
        resource["internalDate"] = str(internal_ms)
    return resource


Headers = list[tuple[str, str]]


def from_contact(
    subject: str = "Re: A question from a fellow alum", *extra: tuple[str, str]
) -> Headers:
    return [
        ("From", "Ada Lovelace <ada@example.org>"),
        ("To", "Sam Rivera <sam@example.edu>"),
        ("Subject", subject),
        ("Date", "Mon, 2 Mar 2026 10:05:12 -0500"),
        *extra,
    ]


def run(resource: dict[str, Any], contact: str | None = CONTACT) -> Any:
    return classify(MessageMeta.from_gmail(resource), owner_email=OWNER, contact_email=contact)


def load_eml(name: str) -> email.message.EmailMessage:
    msg = email.message_from_bytes((MAIL / name).read_bytes(), policy=email.policy.default)
    assert isinstance(msg, email.message.EmailMessage)
    return msg


# --- our own sends ------------------------------------------------------------------------


def test_message_labelled_sent_is_own_send() -> None:
    headers = [("From", "Sam <sam@example.edu>"), ("Subject", "A question")]
    result = run(gmail_message(headers, labels=("SENT",)))
    assert result.kind is EventKind.OWN_SEND
    assert result.sender == "sam@example.edu"


def test_message_from_owner_without_sent_label_is_own_send() -> None:
    headers = [("From", "Sam Rivera <SAM@Example.edu>"), ("Subject", "Re: hi")]
    assert run(gmail_message(headers, labels=("INBOX",))).kind is EventKind.OWN_SEND


def test_sent_label_wins_even_from_a_send_as_alias() -> None:
    headers = [("From", "Sam <sam.rivera@alumni.example.edu>"), ("Subject", "Re: hi")]
    assert run(gmail_message(headers, labels=("SENT",))).kind is EventKind.OWN_SEND


def test_draft_in_the_thread_is_not_a_send() -> None:
    headers = [("From", "Sam <sam@example.edu>"), ("Subject", "Re: hi")]
    assert run(gmail_message(headers, labels=("DRAFT",))).kind is EventKind.OTHER


# --- bounces ------------------------------------------------------------------------------

GMAIL_DSN_HEADERS = [
    ("Delivered-To", "sam@example.edu"),
    ("X-Failed-Recipients", "ada@example.org"),
    ("From", "Mail Delivery Subsystem <mailer-daemon@googlemail.com>"),
    ("To", "sam@example.edu"),
    ("Auto-Submitted", "auto-replied"),
    ("Subject", "Delivery Status Notification (Failure)"),
    ("Date", "Mon, 02 Mar 2026 07:05:12 -0800 (PST)"),
    ("MIME-Version", "1.0"),
    (
        "Content-Type",
        'multipart/report; boundary="000000000000a1b2c3"; report-type=delivery-status',
    ),
]
GMAIL_DSN_SNIPPET = (
    "Address not found Your message wasn&#39;t delivered to ada@example.org because the "
    "address couldn&#39;t be found, or is unable to receive mail. Learn more here: "
    "https://support.google.com/mail/?p=NoSuchUser The response was: 550 5.1.1"
)


def test_gmail_dsn_is_a_bounce_with_the_failed_recipient() -> None:
    result = run(
        gmail_message(GMAIL_DSN_HEADERS, snippet=GMAIL_DSN_SNIPPET, mime_type="multipart/report")
    )
    assert result.kind is EventKind.BOUNCE
    assert result.failed_recipient == "ada@example.org"
    assert result.sender == "mailer-daemon@googlemail.com"


def test_bounce_is_checked_before_auto_reply() -> None:
    # Gmail's DSNs carry Auto-Submitted: auto-replied; they are still bounces.
    assert ("Auto-Submitted", "auto-replied") in GMAIL_DSN_HEADERS
    result = run(gmail_message(GMAIL_DSN_HEADERS, snippet=GMAIL_DSN_SNIPPET))
    assert result.kind is EventKind.BOUNCE


def test_failed_recipient_falls_back_to_the_snippet() -> None:
    headers = [h for h in GMAIL_DSN_HEADERS if h[0] != "X-Failed-Recipients"]
    result = run(gmail_message(headers, snippet=GMAIL_DSN_SNIPPET))
    assert result.failed_recipient == "ada@example.org"


def test_failed_recipient_prefers_the_contact_among_several() -> None:
    headers = [h for h in GMAIL_DSN_HEADERS if h[0] != "X-Failed-Recipients"]
    headers.append(("X-Failed-Recipients", "grace@example.com, ada@example.org"))
    assert run(gmail_message(headers)).failed_recipient == "ada@example.org"


def test_snippet_is_unescaped() -> None:
    meta = MessageMeta.from_gmail(gmail_message(GMAIL_DSN_HEADERS, snippet=GMAIL_DSN_SNIPPET))
    assert "wasn't delivered" in meta.snippet


@pytest.mark.parametrize(
    ("sender", "subject"),
    [
        ("MAILER-DAEMON@mx.example.org", "Undeliverable: A question from a fellow alum"),
        (
            "Mail Delivery System <MAILER-DAEMON@mail.example.net>",
            "Mail delivery failed: returning message to sender",
        ),
        ("postmaster@example.org", "Returned mail: see transcript for details"),
        (
            "Mail Delivery Subsystem <mailer-daemon@googlemail.com>",
            "Delivery Status Notification (Failure)",
        ),
        ("postmaster@outlook.com", "Unzustellbar: Eine Frage"),
    ],
)
def test_mailer_daemon_with_failure_subject_is_a_bounce(sender: str, subject: str) -> None:
    headers = [("From", sender), ("Subject", subject), ("Content-Type", "text/plain")]
    result = run(
        gmail_message(headers, snippet="Your message to ada@example.org couldn't be delivered.")
    )
    assert result.kind is EventKind.BOUNCE
    assert result.failed_recipient == "ada@example.org"


def test_delay_notice_is_not_a_bounce() -> None:
    headers = [
        h if h[0] != "Subject" else ("Subject", "Delivery Status Notification (Delay)")
        for h in GMAIL_DSN_HEADERS
        if h[0] != "X-Failed-Recipients"
    ]
    snippet = (
        "Delivery incomplete There was a temporary problem delivering your message to "
        "ada@example.org. Gmail will retry for 46 more hours."
    )
    assert run(gmail_message(headers, snippet=snippet)).kind is EventKind.OTHER


def test_postmaster_writing_normally_is_not_a_bounce() -> None:
    headers = [("From", "postmaster@example.org"), ("Subject", "Re: A question")]
    assert run(gmail_message(headers)).kind is EventKind.REPLY


def test_read_receipt_is_other() -> None:
    headers = from_contact(
        "Read: A question from a fellow alum",
        ("Content-Type", 'multipart/report; report-type=disposition-notification; boundary="b1"'),
    )
    assert run(gmail_message(headers)).kind is EventKind.OTHER


# --- auto-replies -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value", ["auto-replied", "auto-generated", "auto-notified", "Auto-Replied; owner=ada"]
)
def test_auto_submitted_other_than_no_is_an_auto_reply(value: str) -> None:
    result = run(gmail_message(from_contact("Re: A question", ("Auto-Submitted", value))))
    assert result.kind is EventKind.AUTO_REPLY
    assert result.return_date is None


def test_auto_submitted_no_is_a_reply() -> None:
    result = run(gmail_message(from_contact("Re: A question", ("Auto-Submitted", "no"))))
    assert result.kind is EventKind.REPLY


@pytest.mark.parametrize(
    "header",
    [("X-Autoreply", "yes"), ("X-Autorespond", "Out of office"), ("Precedence", "auto_reply")],
)
def test_autoreply_headers_make_an_auto_reply(header: tuple[str, str]) -> None:
    assert run(gmail_message(from_contact("Re: A question", header))).kind is EventKind.AUTO_REPLY


@pytest.mark.parametrize(
    "subject",
    [
        "Out of Office: A question from a fellow alum",
        "Automatic reply: A question from a fellow alum",
        "Auto-Reply: A question",
        "[Auto-Reply] A question",
        "Autoreply: A question",
        "Away from my email",
        "On vacation",
        "I'm on leave until January",
        "Abwesenheitsnotiz: Eine Frage",
        "Automatische Antwort: Eine Frage",
        "Absence du bureau",
        "Absent: Une question",
        "Réponse automatique : Une question",
        "Respuesta automática: Una pregunta",
        "Fuera de la oficina",
        "Risposta automatica: Una domanda",
        "Fuori sede",
        "Afwezigheid: Een vraag",
        "Automatisch antwoord: Een vraag",
        "Resposta automática: Uma pergunta",
        "Ausência temporária",
        "Autosvar: En fråga",
        "Automatyczna odpowiedź: Pytanie",
        "Автоответ: Вопрос",
        "自動返信: ご質問",
    ],
)
def test_out_of_office_subjects_in_many_languages(subject: str) -> None:
    assert is_out_of_office_subject(subject)
    assert run(gmail_message(from_contact(subject))).kind is EventKind.AUTO_REPLY


@pytest.mark.parametrize(
    "subject",
    [
        "Re: A question from a fellow alum",
        "Re: Your move away from consulting",
        "Re: Holiday plans for the team offsite",
        "Re: Questions about leave policies",
    ],
)
def test_ordinary_reply_subjects_are_not_out_of_office(subject: str) -> None:
    assert not is_out_of_office_subject(subject)
    assert run(gmail_message(from_contact(subject))).kind is EventKind.REPLY


def test_auto_reply_carries_its_return_date() -> None:
    resource = gmail_message(
        from_contact("Automatic reply: A question from a fellow alum"),
        snippet="Thank you for your message. I am out of the office and will be back on "
        "Monday, 9 March.",
    )
    result = run(resource)
    assert result.kind is EventKind.AUTO_REPLY
    assert result.return_date == date(2026, 3, 9)


# --- bulk mail and replies ----------------------------------------------------------------


def test_newsletter_in_a_tracked_thread_is_other_not_a_reply() -> None:
    headers = [
        ("From", "Example Corp News <news@example.org>"),
        ("Subject", "This week at Example Corp"),
        ("List-Unsubscribe", "<mailto:unsubscribe@news.example.org>"),
        ("Precedence", "bulk"),
    ]
    assert run(gmail_message(headers)).kind is EventKind.OTHER


def test_bulk_auto_generated_mail_is_other() -> None:
    headers = [
        ("From", "noreply@example.org"),
        ("Subject", "Your weekly digest"),
        ("Auto-Submitted", "auto-generated"),
        ("List-Id", "<digest.example.org>"),
    ]
    assert run(gmail_message(headers)).kind is EventKind.OTHER


def test_bulk_precedence_with_out_of_office_subject_is_an_auto_reply() -> None:
    headers = from_contact("Out of office", ("Precedence", "bulk"))
    assert run(gmail_message(headers)).kind is EventKind.AUTO_REPLY


def test_contact_reply_is_a_reply() -> None:
    result = run(gmail_message(from_contact(), snippet="Happy to chat! Thursday works."))
    assert result.kind is EventKind.REPLY
    assert result.sender == CONTACT


def test_reply_from_an_assistant_counts_as_a_reply() -> None:
    headers = [("From", "Mary <assistant.office@example.org>"), ("Subject", "Re: A question")]
    result = run(gmail_message(headers))
    assert result.kind is EventKind.REPLY
    assert "not the contact" in result.reason


def test_reply_without_a_known_contact_address_is_a_reply() -> None:
    assert run(gmail_message(from_contact()), contact=None).kind is EventKind.REPLY


def test_message_without_sender_is_other() -> None:
    assert run(gmail_message([("Subject", "Re: A question")])).kind is EventKind.OTHER


# --- dates --------------------------------------------------------------------------------


def test_occurred_at_comes_from_internal_date_in_utc() -> None:
    result = run(gmail_message(from_contact()))
    assert result.occurred_at == datetime(2026, 3, 2, 15, 5, 12, tzinfo=UTC)


def test_occurred_at_falls_back_to_the_date_header() -> None:
    resource = gmail_message(from_contact(), internal_ms=None)
    assert run(resource).occurred_at == datetime(2026, 3, 2, 15, 5, 12, tzinfo=UTC)


def test_message_without_any_date_is_an_error() -> None:
    resource = gmail_message([("From", "ada@example.org"), ("Subject", "Re: x")], internal_ms=None)
    with pytest.raises(ValueError, match="neither internalDate nor a Date header"):
        run(resource)


# --- .eml samples (the local backend) -----------------------------------------------------


def test_eml_gmail_dsn_bounce() -> None:
    meta = MessageMeta.from_email(load_eml("gmail_dsn_bounce.eml"), ["INBOX"])
    result = classify(meta, owner_email=OWNER, contact_email=CONTACT)
    assert result.kind is EventKind.BOUNCE
    assert result.failed_recipient == "ada@example.org"
    assert result.occurred_at == datetime(2026, 3, 2, 15, 5, 12, tzinfo=UTC)


def test_eml_bounce_without_failed_recipients_header_uses_the_body() -> None:
    msg = load_eml("gmail_dsn_bounce.eml")
    del msg["X-Failed-Recipients"]
    meta = MessageMeta.from_email(msg)
    assert "Address not found" in meta.snippet
    assert classify(meta, owner_email=OWNER, contact_email=None).failed_recipient == CONTACT


def test_eml_outlook_automatic_reply_with_return_date() -> None:
    meta = MessageMeta.from_email(load_eml("outlook_automatic_reply.eml"), ["INBOX"])
    result = classify(meta, owner_email=OWNER, contact_email=CONTACT)
    assert result.kind is EventKind.AUTO_REPLY
    assert result.return_date == date(2025, 12, 8)
    assert result.sender == CONTACT


def test_eml_german_abwesenheitsnotiz() -> None:
    meta = MessageMeta.from_email(load_eml("german_abwesenheitsnotiz.eml"), ["INBOX"])
    assert meta.subject.startswith("Abwesenheitsnotiz: Eine Frage zu Ihrer Arbeit bei Müller")
    result = classify(meta, owner_email=OWNER, contact_email="juergen.mueller@example.de")
    assert result.kind is EventKind.AUTO_REPLY
    assert result.return_date == date(2025, 12, 8)  # "ab dem 8.12.", not "bis 5.12."


def test_eml_assistant_reply() -> None:
    meta = MessageMeta.from_email(load_eml("assistant_reply.eml"), ["INBOX"])
    result = classify(meta, owner_email=OWNER, contact_email=CONTACT)
    assert result.kind is EventKind.REPLY
    assert result.sender == "assistant.office@example.org"


def test_eml_newsletter_is_other() -> None:
    meta = MessageMeta.from_email(load_eml("newsletter.eml"), ["INBOX"])
    assert "Five stories" in meta.snippet  # html body reduced to text
    assert classify(meta, owner_email=OWNER, contact_email=CONTACT).kind is EventKind.OTHER


def test_eml_received_at_plays_internal_date() -> None:
    received = datetime(2026, 3, 4, 17, 0, tzinfo=UTC)
    meta = MessageMeta.from_email(load_eml("assistant_reply.eml"), received_at=received)
    assert meta.occurred_at == received


def test_eml_parsed_with_compat32_policy_gives_the_same_result() -> None:
    data = (MAIL / "german_abwesenheitsnotiz.eml").read_bytes()
    msg = email.message_from_bytes(data)  # compat32: encoded words left to us
    meta = MessageMeta.from_email(msg)
    assert "Müller" in meta.subject
    assert classify(meta, owner_email=OWNER, contact_email=None).return_date == date(2025, 12, 8)


# --- return dates -------------------------------------------------------------------------

DEC_1 = date(2025, 12, 1)  # a Monday


@pytest.mark.parametrize(
    ("subject", "body", "expected"),
    [
        ("Automatic reply", "I will be back on Monday, 8 December.", date(2025, 12, 8)),
        ("Out of office", "I'm away, returning 12/08.", date(2025, 12, 8)),
        ("Out of office", "I am away until 2025-12-08.", date(2025, 12, 8)),
        ("Out of office", "Back on Dec 8th, thanks!", date(2025, 12, 8)),
        ("Out of office", "I'm back December 8, 2025.", date(2025, 12, 8)),
        ("Abwesenheitsnotiz", "Ich bin zurück am 8.12.", date(2025, 12, 8)),
        ("Abwesenheitsnotiz", "Ab dem 8. Dezember bin ich wieder da.", date(2025, 12, 8)),
        ("Réponse automatique", "Je serai de retour le 8 décembre.", date(2025, 12, 8)),
        ("Réponse automatique", "Absente jusqu'au 1er décembre 2025.", date(2025, 12, 1)),
        ("Respuesta automática", "Estoy fuera hasta el 8 de diciembre de 2025.", date(2025, 12, 8)),
        ("Risposta automatica", "Sono in ferie, rientro il 9 dicembre.", date(2025, 12, 9)),
        (
            "Automatisch antwoord",
            "Ik ben afwezig, vanaf maandag 8 december weer terug.",
            date(2025, 12, 8),
        ),
        ("Resposta automática", "Estou de férias até 08/12.", date(2025, 12, 8)),
        ("Out of office", "I'm out of the office 1-5 December.", date(2025, 12, 5)),
        ("Out of office", "I'm back on Friday.", date(2025, 12, 5)),
        ("Out of office", "Thanks for your email.", None),
        ("Abwesenheitsnotiz", "Ich bin am 8.12. zurück.", date(2025, 12, 8)),
        (
            "Abwesenheitsnotiz",
            "Ich bin am 8.12. wieder da. Ab 15.12. bin ich im Urlaub.",
            date(2025, 12, 8),
        ),
        ("Automatisch antwoord", "Ik ben op 8 december weer terug.", date(2025, 12, 8)),
        ("Réponse automatique", "Joignable à partir du 8 décembre.", date(2025, 12, 8)),
    ],
)
def test_return_date_is_parsed(subject: str, body: str, expected: date | None) -> None:
    assert find_return_date(subject, body, DEC_1) == expected


def test_return_cue_beats_until_cue() -> None:
    body = "I am out until Friday 5 December and back in the office on Monday 8 December."
    assert find_return_date("Out of office", body, DEC_1) == date(2025, 12, 8)


def test_missing_year_means_the_next_occurrence() -> None:
    assert find_return_date("OOO", "Back on 5 January.", date(2025, 12, 20)) == date(2026, 1, 5)


def test_ambiguous_numeric_date_in_english_takes_the_sooner_reading() -> None:
    # 05/06 after 1 May: 6 May (US) is sooner than 5 June (UK).
    assert find_return_date("OOO", "Back 05/06.", date(2025, 5, 1)) == date(2025, 5, 6)
    # 05/06 after 10 May: 5 June (UK) is sooner than 6 May next year.
    assert find_return_date("OOO", "Back 05/06.", date(2025, 5, 10)) == date(2025, 6, 5)


def test_ambiguous_numeric_date_in_a_day_first_language_reads_day_first() -> None:
    body = "Estoy de vacaciones, regreso el 05/06."
    assert find_return_date("Respuesta automática", body, date(2025, 5, 1)) == date(2025, 6, 5)


def test_day_over_twelve_disambiguates() -> None:
    assert find_return_date("OOO", "Returning 12/13.", DEC_1) == date(2025, 12, 13)
    assert find_return_date("OOO", "Returning 13/12.", DEC_1) == date(2025, 12, 13)


def test_dotted_dates_are_day_first() -> None:
    assert find_return_date("OOO", "Back 02.03.2026", DEC_1) == date(2026, 3, 2)


def test_times_and_around_the_clock_are_not_dates() -> None:
    body = "Back on 8 December 10:00. Urgent? Our desk is open 24/7."
    assert find_return_date("Out of office", body, DEC_1) == date(2025, 12, 8)
    assert find_return_date("Out of office", "Support is available 24/7.", DEC_1) is None


def test_subject_dates_are_not_a_fallback() -> None:
    # Without a cue, only the body counts: the subject repeats ours ("... on 12/15?").
    assert find_return_date("Automatic reply: Coffee on 12/15?", "I am away.", DEC_1) is None


# --- without a snippet (gmail.metadata), and with bodies (the gmail.readonly opt-in) --------


def full_resource(message: email.message.Message, labels: tuple[str, ...] = ("INBOX",)) -> Any:
    """``message`` as Gmail's format=full resource (built by the fake's own encoder)."""
    from tests.fakegoogle.state import StoredMessage, message_resource

    stored = StoredMessage("18e0a1b2c3d4e5f6", "18e0a1b2c3d40000", list(labels),
                           message.as_bytes(), SENT_AT_MS, 1)
    return message_resource(stored, "full")


def metadata_resource(message: email.message.Message) -> Any:
    """``message`` as format=metadata gives it: headers only, no snippet."""
    from tests.fakegoogle.state import StoredMessage, message_resource

    stored = StoredMessage("18e0a1b2c3d4e5f6", "18e0a1b2c3d40000", ["INBOX"],
                           message.as_bytes(), SENT_AT_MS, 1)
    resource = message_resource(stored, "metadata")
    assert "snippet" not in resource
    return resource


def test_a_bounce_is_known_from_headers_alone() -> None:
    meta = MessageMeta.from_gmail(metadata_resource(load_eml("gmail_dsn_bounce.eml")))
    assert meta.text == ""
    result = classify(meta, owner_email=OWNER, contact_email=CONTACT)
    assert (result.kind, result.failed_recipient) == (EventKind.BOUNCE, CONTACT)


def test_a_bounce_without_x_failed_recipients_names_no_one_from_headers_alone() -> None:
    msg = load_eml("gmail_dsn_bounce.eml")
    del msg["X-Failed-Recipients"]
    result = run(metadata_resource(msg))
    assert (result.kind, result.failed_recipient) == (EventKind.BOUNCE, None)


def test_with_bodies_the_delivery_report_names_the_failed_recipient() -> None:
    msg = load_eml("gmail_dsn_bounce.eml")
    del msg["X-Failed-Recipients"]
    meta = MessageMeta.from_gmail(full_resource(msg))
    assert [(r.address, r.action, r.status) for r in meta.delivery] == [
        ("ada@example.org", "failed", "5.1.1")]
    assert classify(meta, owner_email=OWNER, contact_email=None).failed_recipient == CONTACT


def test_with_bodies_a_delay_report_is_not_a_bounce_whatever_its_subject() -> None:
    text = (MAIL / "gmail_dsn_bounce.eml").read_text().replace("Action: failed", "Action: delayed")
    msg = email.message_from_string(text, policy=email.policy.default)
    msg.replace_header("Subject", "Mail delivery notification")
    assert run(metadata_resource(msg)).kind is EventKind.BOUNCE  # headers alone: a report
    assert run(full_resource(msg)).kind is EventKind.OTHER  # the report says: delayed


def test_an_auto_reply_whose_date_is_only_in_the_body() -> None:
    msg = load_eml("outlook_automatic_reply.eml")
    without = run(metadata_resource(msg))
    assert (without.kind, without.return_date) == (EventKind.AUTO_REPLY, None)
    with_body = run(full_resource(msg))
    assert (with_body.kind, with_body.return_date) == (EventKind.AUTO_REPLY, date(2025, 12, 8))


def test_the_quoted_original_is_not_read_for_a_return_date() -> None:
    msg = email.message.EmailMessage()
    msg["From"] = "Ada Lovelace <ada@example.org>"
    msg["To"] = OWNER
    msg["Subject"] = "Automatic reply: A question"
    msg["Date"] = "Mon, 2 Mar 2026 10:05:12 -0500"
    msg["Auto-Submitted"] = "auto-replied"
    msg.set_content("I am away with limited access to email.\n\nOn Mon, 2 Mar 2026 Sam Rivera "
                    "wrote:\n> Would Thursday 12 March at 14:00 or Friday 13 March suit you?\n")
    meta = MessageMeta.from_gmail(full_resource(msg))
    assert "12 March" not in meta.body
    assert run(full_resource(msg)).return_date is None


def test_a_snippet_when_gmail_gives_one_still_adds_a_return_date() -> None:
    headers = from_contact("Automatic reply: A question", ("Auto-Submitted", "auto-replied"))
    result = run(gmail_message(headers, snippet="I am out of the office until 13 March 2026."))
    assert result.return_date == date(2026, 3, 13)
