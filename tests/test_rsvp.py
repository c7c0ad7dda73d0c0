"""Answers to invites (iTIP REPLY): recognised from the calendar part when the body can be
read, else from the subject calendars write (English, German, French, Spanish) or the
Content-Type, and recorded on the meeting they answer."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from outreach.track.classify import classify
from outreach.track.itip import itip_answer
from outreach.track.meta import MessageMeta
from outreach.track.model import EventKind


def meta(subject: str, *, calendar: str | None = None, content_type: str = "multipart/mixed",
         sender: str = "ada@example.org") -> MessageMeta:
    return MessageMeta(
        id="m1",
        thread_id="t9",
        label_ids=frozenset({"INBOX"}),
        snippet="",
        internal_date=datetime(2026, 3, 3, 12, 0, tzinfo=UTC),
        headers=(("From", sender), ("Subject", subject), ("Content-Type", content_type)),
        calendar=calendar,
    )


@pytest.mark.parametrize(
    ("subject", "answer"),
    [
        ("Accepted: Informational conversation @ Tue Mar 3, 2026 10am - 10:20am (EST)",
         "accepted"),
        ("Declined: Informational conversation @ Tue Mar 3, 2026", "declined"),
        ("Tentatively accepted: Informational conversation", "tentative"),
        ("Tentative: Informational conversation", "tentative"),  # Outlook
        ("Invitation Accepted: Informational conversation", "accepted"),  # Apple
        ("Angenommen: Informationsgespräch", "accepted"),
        ("Abgelehnt: Informationsgespräch", "declined"),
        ("Mit Vorbehalt angenommen: Informationsgespräch", "tentative"),
        ("Accepté : Entretien", "accepted"),
        ("Refusé : Entretien", "declined"),
        ("Accepté provisoirement : Entretien", "tentative"),
        ("Aceptado: Entrevista", "accepted"),
        ("Rechazado: Entrevista", "declined"),
        ("Aceptado provisionalmente: Entrevista", "tentative"),
    ],
)
def test_answers_are_read_from_the_subject_under_metadata(subject: str, answer: str) -> None:
    found = classify(meta(subject), owner_email="sam@example.edu", contact_email="ada@example.org")
    assert (found.kind, found.rsvp) == (EventKind.RSVP, answer)


def test_a_person_saying_accepted_in_a_reply_is_a_reply() -> None:
    found = classify(meta("Re: Accepted my offer elsewhere, sorry"), owner_email="sam@example.edu",
                     contact_email="ada@example.org")
    assert found.kind is EventKind.REPLY


CALENDAR = (
    "BEGIN:VCALENDAR\r\nMETHOD:REPLY\r\nBEGIN:VEVENT\r\nUID:abc-123@example.edu\r\n"
    "SEQUENCE:2\r\nATTENDEE;CN=Ada;PARTSTAT=DECLINED:mailto:ada@exa\r\n mple.org\r\n"
    "END:VEVENT\r\nEND:VCALENDAR\r\n"
)


def test_the_calendar_part_wins_when_the_body_can_be_read() -> None:
    """The subject says one thing in a language we may not know; PARTSTAT says another."""
    answer = itip_answer(meta("Something else entirely", calendar=CALENDAR))
    assert answer == ("declined", "abc-123@example.edu", 2, "its calendar part")


def test_a_calendar_reply_content_type_without_a_readable_answer_is_unknown() -> None:
    answer = itip_answer(meta("Re: our call", content_type="text/calendar; method=REPLY"))
    assert answer is not None and answer[0] == "unknown"
