"""A small world for playing whole conversations through the CLI, on any backend.

A :class:`World` is the user's workspace plus the people they write to. The test drives it as
the user would (``world.cli("book", ...)``) and as the contacts would (``world.reply(...)``,
``world.rsvp(...)``, ``world.bounce(...)``); time moves with ``world.at(...)``. Everything a
contact receives is read back as parsed ``EmailMessage`` objects, and :meth:`World.threads`
groups a contact's whole correspondence into threads the way the mailbox does:

- Gmail (the fake, with Gmail's threading rule): the fake's own thread ids;
- local: Maildir files grouped by their References chain's root, with the subject rule Gmail
  applies (a reply joins a thread only if its subject matches), so a drifting subject splits
  the conversation here too;
- imap (a real Dovecot and SMTP server): what the SMTP server accepted and what arrived in the
  INBOX, in the order it happened, grouped as the local backend's files are.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
from click.testing import Result

from outreach.compose.mime import base_subject
from tests.conftest import Invoke
from tests.conversation_mail import Thread, invite_of, is_calendar_answer, parse, text_of
from tests.fakegoogle.server import FakeGoogle
from tests.realmail.fixtures import MailServers

__all__ = [  # the parsing helpers live in tests.conversation_mail; tests import them from here
    "NY", "USER", "Thread", "World", "invite_of", "is_calendar_answer", "iter_messages",
    "parse", "text_of",
]

NY = ZoneInfo("America/New_York")
USER = "sam@example.edu"
_MSGID = re.compile(r"<[^<>\s]+>")


class World:
    """The user's workspace and mailbox, on one backend; see the module docstring."""

    def __init__(
        self,
        backend: str,
        home: Path,
        run: Invoke,
        fake: FakeGoogle | None,
        servers: MailServers | None = None,
    ) -> None:
        self.backend = backend
        self.home = home
        self._run = run
        self.fake = fake
        self.servers = servers
        self._arrived: list[tuple[int, EmailMessage]] = []  # (when, message) into the INBOX
        self.now = datetime(2026, 3, 2, 9, 0, tzinfo=NY)  # a Monday morning
        self._counter = 0

    # -- time and commands -----------------------------------------------------------------

    def at(self, text: str) -> None:
        """Move the clock to a New York wall time, e.g. "2026-03-04 10:00"."""
        self.now = datetime.fromisoformat(text).replace(tzinfo=NY)
        if self.fake is not None:
            self.fake.set_now(self.now)

    def cli(self, *args: str, input: str | None = None) -> Result:
        """Run an outreach command as the user, at the world's time."""
        return self._run(*args, input=input, env={"OUTREACH_NOW": self.now.isoformat()})

    def ok(self, *args: str, input: str | None = None) -> str:
        result = self.cli(*args, input=input)
        assert result.exit_code == 0, f"outreach {' '.join(args)}:\n{result.output}"
        return result.output

    def due(self) -> list[dict[str, object]]:
        import json

        return list(json.loads(self.ok("due", "--json")))

    def due_for(self, address: str) -> list[str]:
        return [str(d["action"]) for d in self.due() if d["contact"] == address]

    # -- what contacts receive -----------------------------------------------------------

    def _local(self, *folders: str) -> list[EmailMessage]:
        """Messages of the local Maildirs in the order they were written (the files' real
        modification times: the order things happened, even within one world minute)."""
        paths = [
            p
            for folder in folders
            if (self.home / folder).is_dir()
            for p in (self.home / folder).iterdir()
        ]
        paths.sort(key=lambda p: (p.stat().st_mtime_ns, p.name))
        return [parse(p.read_bytes()) for p in paths]

    def sent_messages(self) -> list[EmailMessage]:
        """Everything the user sent, oldest first, as the backend recorded it."""
        if self.fake is not None:
            found = [m for m in self.fake.messages() if "SENT" in m.label_ids]
            found.sort(key=lambda m: (m.internal_date, m.seq))
            return [parse(m.raw) for m in found]
        if self.servers is not None:
            return [parse(sub.raw) for sub in self.servers.smtp.accepted]
        return self._local("sent/cur")

    def _inbound(self) -> list[EmailMessage]:
        if self.fake is not None:
            found = [
                m for m in self.fake.messages() if not ({"SENT", "DRAFT"} & set(m.label_ids))
            ]
            found.sort(key=lambda m: (m.internal_date, m.seq))
            return [parse(m.raw) for m in found]
        if self.servers is not None:
            return [message for _, message in self._arrived]
        return self._local("inbox/new")

    def correspondence(self) -> list[EmailMessage]:
        """Every message sent or received (drafts aside), in the order it happened."""
        if self.fake is not None:
            stored = sorted(self.fake.messages(), key=lambda m: (m.internal_date, m.seq))
            return [parse(m.raw) for m in stored if "DRAFT" not in m.label_ids]
        if self.servers is not None:
            happened = [(sub.at, parse(sub.raw)) for sub in self.servers.smtp.accepted]
            happened += self._arrived
            return [m for _, m in sorted(happened, key=lambda p: p[0])]
        return self._local("sent/cur", "inbox/new")

    def received(self, address: str) -> list[EmailMessage]:
        """What ``address`` received from the user, oldest first."""
        wanted = address.casefold()
        return [
            m
            for m in self.sent_messages()
            if parseaddr(str(m["To"]))[1].casefold() == wanted
        ]

    def invites(self, address: str) -> list[icalendar.Event]:
        return [e for m in self.received(address) if (e := invite_of(m)) is not None]

    def drafts(self) -> list[EmailMessage]:
        if self.fake is not None:
            return [parse(d.message.raw) for d in self.fake.drafts()]
        if self.servers is not None:
            return [message for message, _ in self.servers.folder("Drafts")]
        folder = self.home / "outbox" / "cur"
        return [parse(p.read_bytes()) for p in sorted(folder.iterdir())] if folder.is_dir() else []

    def edit_draft(self, address: str, edited: EmailMessage) -> None:
        """The user changes the draft to ``address`` in their mail app and saves it: Gmail
        keeps the draft's id; an IMAP client APPENDs the new text with the same Message-ID
        and expunges the old message; in the outbox the file is written over."""
        if self.fake is not None:
            [stored] = [d for d in self.fake.drafts() if address in str(d.message.raw)]
            self.fake.edit_draft_as_user(stored.id, edited)
            return
        if self.servers is not None:
            client = self.servers.client()
            try:
                client.append("Drafts", edited.as_bytes(), flags=(b"\\Draft", b"\\Seen"))
                client.select_folder("Drafts")
                same = client.search(["HEADER", "Message-ID", str(edited["Message-ID"])])
                client.delete_messages([uid for uid in same if uid != max(same)])
                client.expunge()
            finally:
                client.logout()
            return
        [path] = [
            p for p in (self.home / "outbox" / "cur").iterdir()
            if address.encode() in p.read_bytes()
        ]
        path.write_bytes(edited.as_bytes())

    def delete_draft(self, address: str) -> None:
        """The user deletes the draft to ``address`` by hand, in their mail app."""
        if self.fake is not None:
            [stored] = [d for d in self.fake.drafts() if address in str(d.message.raw)]
            self.fake.delete_draft_as_user(stored.id)
            return
        if self.servers is not None:
            client = self.servers.client()
            try:
                client.select_folder("Drafts")
                found = client.search(["TO", address])
                assert found, f"no draft to {address}"
                client.delete_messages(found)
                client.expunge()
            finally:
                client.logout()
            return
        [path] = [
            p for p in (self.home / "outbox" / "cur").iterdir()
            if address.encode() in p.read_bytes()
        ]
        path.unlink()

    def threads(self, address: str, *, calendar_answers: bool = False) -> list[Thread]:
        """The contact's whole correspondence (both directions), grouped into threads.

        Answers their calendar sent to an invite (iTIP REPLY, "Accepted: ...") are left out
        unless asked for: calendars send them in threads of their own, by design."""
        wanted = address.casefold()

        def involves(m: EmailMessage) -> bool:
            if not calendar_answers and is_calendar_answer(m):
                return False
            people = {parseaddr(str(m[h]))[1].casefold() for h in ("From", "To")}
            return wanted in people

        if self.fake is not None:
            by_thread: dict[str, Thread] = {}
            stored = sorted(self.fake.messages(), key=lambda m: (m.internal_date, m.seq))
            for m in stored:
                if "DRAFT" in m.label_ids:
                    continue
                parsed = parse(m.raw)
                if involves(parsed):
                    by_thread.setdefault(m.thread_id, Thread()).messages.append(parsed)
            return list(by_thread.values())
        everything = [m for m in self.correspondence() if involves(m)]
        threads: list[Thread] = []
        where: dict[str, Thread] = {}
        for m in everything:
            referenced = _MSGID.findall(f"{m['In-Reply-To'] or ''} {m['References'] or ''}")
            home = next((where[r] for r in referenced if r in where), None)
            if home is not None and base_subject(home.subjects[0]) != base_subject(
                str(m["Subject"])
            ):
                home = None  # Gmail's rule: a different subject starts a new thread
            if home is None:
                home = Thread()
                threads.append(home)
            home.messages.append(m)
            where[str(m["Message-ID"])] = home
        return threads

    # -- what contacts send ----------------------------------------------------------------

    def _deliver(self, message: EmailMessage) -> None:
        if self.fake is not None:
            self.fake.deliver(message, internal_date=self.now)
            return
        if self.servers is not None:
            self.servers.dovecot.deliver(message)
            self._arrived.append((time.monotonic_ns(), message))
            return
        folder = self.home / "inbox" / "new"
        for sub in ("tmp", "new", "cur"):
            (self.home / "inbox" / sub).mkdir(parents=True, exist_ok=True)
        self._counter += 1
        name = f"{int(self.now.timestamp())}.M{self._counter}P{os.getpid()}.world"
        (folder / name).write_bytes(message.as_bytes())

    def deliver(self, message: EmailMessage) -> None:
        """Someone other than a contact writes (a colleague, an assistant): ``message`` as
        built by the test, delivered to the user's inbox."""
        self._deliver(message)

    def _new(self, sender: str, subject: str, body: str) -> EmailMessage:
        message = EmailMessage()
        message["From"] = sender
        message["To"] = f"Sam Rivera <{USER}>"
        message["Subject"] = subject
        message["Date"] = format_datetime(self.now)
        message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2].rstrip(">"))
        message.set_content(body)
        return message

    def reply(self, address: str, body: str, *, name: str = "") -> EmailMessage:
        """The contact answers the last message they received, in its thread."""
        last = self.received(address)[-1]
        message = self._new(f"{name} <{address}>" if name else address, "", body)
        del message["Subject"]
        message["Subject"] = f"Re: {base_subject(str(last['Subject']))}"
        chain = _MSGID.findall(str(last["References"] or ""))
        message["In-Reply-To"] = str(last["Message-ID"])
        message["References"] = " ".join([*chain, str(last["Message-ID"])])
        self._deliver(message)
        return message

    def write_new(self, address: str, subject: str, body: str) -> EmailMessage:
        """The contact writes a fresh message: a new thread, no In-Reply-To."""
        message = self._new(address, subject, body)
        self._deliver(message)
        return message

    def rsvp(self, address: str, answer: str) -> EmailMessage:
        """The contact's calendar answers the latest invite: an iTIP REPLY, in a new thread
        with the subject Google Calendar writes ("Accepted: <title> @ <time>")."""
        last = self.invites(address)[-1]
        partstat = {"accepted": "ACCEPTED", "declined": "DECLINED", "tentative": "TENTATIVE"}
        prefix = {"accepted": "Accepted", "declined": "Declined", "tentative": "Tentative"}
        start = last.decoded("DTSTART")
        subject = f"{prefix[answer]}: {last['SUMMARY']} @ {start:%a %b %d, %Y %H:%M}"
        reply = icalendar.Calendar()
        reply.add("prodid", "-//Google Inc//Google Calendar 70.9054//EN")
        reply.add("version", "2.0")
        reply.add("method", "REPLY")
        event = icalendar.Event()
        event.add("uid", str(last["UID"]))
        event.add("sequence", int(last["SEQUENCE"]))
        event.add("dtstamp", self.now)
        event.add("dtstart", start)
        event.add("summary", str(last["SUMMARY"]))
        event.add("organizer", f"mailto:{USER}")
        attendee = icalendar.vCalAddress(f"mailto:{address}")
        attendee.params["PARTSTAT"] = partstat[answer]
        event.add("attendee", attendee)
        reply.add_component(event)
        message = self._new(address, subject, f"{address} has {answer} this invitation.")
        message.add_alternative(
            reply.to_ical(), maintype="text", subtype="calendar", params={"method": "REPLY"}
        )
        self._deliver(message)
        return message

    def bounce(self, address: str) -> EmailMessage:
        """The recipient's server refuses the last message sent to ``address``: a DSN, as
        Gmail's mailer-daemon writes it, in the original's thread."""
        original = self.received(address)[-1]
        original_id = str(original["Message-ID"])
        raw = (
            "From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>\r\n"
            f"To: {USER}\r\n"
            "Subject: Delivery Status Notification (Failure)\r\n"
            f"Date: {format_datetime(self.now)}\r\n"
            f"Message-ID: {make_msgid(domain='mx.google.com')}\r\n"
            f"X-Failed-Recipients: {address}\r\n"
            f"In-Reply-To: {original_id}\r\n"
            f"References: {original_id}\r\n"
            "Auto-Submitted: auto-replied\r\n"
            "MIME-Version: 1.0\r\n"
            'Content-Type: multipart/report; report-type=delivery-status; boundary="b1"\r\n'
            "\r\n--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
            f"Your message wasn't delivered to {address} because the address couldn't be "
            "found.\r\n"
            "\r\n--b1\r\nContent-Type: message/delivery-status\r\n\r\n"
            "Reporting-MTA: dns; googlemail.com\r\n\r\n"
            f"Final-Recipient: rfc822; {address}\r\nAction: failed\r\nStatus: 5.1.1\r\n"
            "\r\n--b1\r\nContent-Type: text/rfc822-headers\r\n\r\n"
            f"Message-ID: {original_id}\r\nTo: {address}\r\n"
            f"Subject: {original['Subject']}\r\n"
            "\r\n--b1--\r\n"
        )
        report = parse(raw.encode("utf-8"))
        self._deliver(report)
        return report


def iter_messages(world: World, address: str) -> Iterator[EmailMessage]:
    for thread in world.threads(address):
        yield from thread.messages
