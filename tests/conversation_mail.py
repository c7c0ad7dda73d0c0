"""Reading back what a conversation's messages say: parsed messages, their text, the invite
they carry, and the threads they form (used by :mod:`tests.conversation_world`)."""

from __future__ import annotations

import email
import email.policy
import re
from dataclasses import dataclass, field
from email.message import EmailMessage

import icalendar

from outreach.compose.mime import base_subject

__all__ = ["Thread", "invite_of", "is_calendar_answer", "parse", "text_of"]

_MSGID = re.compile(r"<[^<>\s]+>")


def parse(data: bytes) -> EmailMessage:
    message = email.message_from_bytes(data, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


def text_of(message: EmailMessage) -> str:
    """The plain-text body, whitespace collapsed."""
    part = message.get_body(("plain",))
    assert part is not None, message
    content = part.get_content()
    assert isinstance(content, str)
    return " ".join(content.split())


def invite_of(message: EmailMessage) -> icalendar.Event | None:
    """The VEVENT of an invite's text/calendar part (None: not an invite)."""
    for part in message.walk():
        if part.get_content_type() == "text/calendar":
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            calendar = icalendar.Calendar.from_ical(payload)
            [event] = calendar.walk("VEVENT")
            event["X-TEST-METHOD"] = str(calendar["METHOD"])
            return event
    return None


def is_calendar_answer(message: EmailMessage) -> bool:
    return any(
        part.get_content_type() == "text/calendar"
        and str(part.get_param("method") or "").upper() == "REPLY"
        for part in message.walk()
    )


@dataclass
class Thread:
    """One thread of a contact's correspondence, oldest first."""

    messages: list[EmailMessage] = field(default_factory=list)

    @property
    def subjects(self) -> list[str]:
        return [str(m["Subject"]) for m in self.messages]

    def check_one_subject(self) -> None:
        """Every message carries the thread's first subject (Re: after the first)."""
        first = base_subject(self.subjects[0])
        for message in self.messages[1:]:
            assert base_subject(str(message["Subject"])) == first, self.subjects

    def check_chain(self) -> None:
        """Each message after the first answers the one before it, with the whole chain."""
        seen: list[str] = []
        for message in self.messages:
            own = str(message["Message-ID"])
            if seen:
                assert str(message["In-Reply-To"]) == seen[-1], (own, message["In-Reply-To"])
                references = _MSGID.findall(str(message["References"] or ""))
                assert references[-1] == seen[-1]
                assert set(references) <= set(seen)
            seen.append(own)
