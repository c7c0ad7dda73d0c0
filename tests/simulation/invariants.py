"""What must hold after every step of the simulation, checked on the parsed messages.

Each check reads what the contact's side received (the backend's own record, parsed back)
against the truth the :class:`~tests.simulation.people.Party` keeps, and fails naming the
message.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import getaddresses

from outreach.compose.mime import base_subject
from tests.conversation_world import USER, World, is_calendar_answer
from tests.simulation.mailbox import Received
from tests.simulation.people import Party, business_days_after

LEAD = timedelta(hours=24)  # [schedule] lead_hours
_MSGID = re.compile(r"<[^<>\s]+>")
THANKS = ("taking the time to talk", "thank you again", "our conversation has stayed")
CLAIMS_ATTACHED = ("attached", "i've included", "i'm including", "i have included")
NUDGES = ("slipped past", "following up on our earlier exchange")

Fail = Callable[[Party | None, str, Received | None], None]


def check_sent(party: Party, message: Received, now: datetime, before: list[Received],
               fail: Fail) -> None:
    """One message the user just sent to ``party`` (``before``: what they had received)."""
    text = message.text.lower()
    if message.date != now:
        fail(party, f"Date {message.date:%d %b %H:%M} is not the send time", message)
    if party.said_no_at is not None and party.said_no_at < now:
        fail(party, "a message after they said no", message)
    if party.took_over_at is not None and message.to == party.address:
        fail(party, "a message to the first contact after a colleague took over", message)
    if any(words in text for words in THANKS) and party.held_at is None:
        fail(party, "thanks for a meeting that did not happen", message)
    if any(words in text for words in NUDGES) and party.last_real_inbound is not None:
        ours = [m.date for m in before if m.to in party.addresses]
        answered = not ours or party.last_real_inbound > max(ours)
        waited = party.last_inbound_kind == "defer" and party.deferred_until is not None and (
            now.date() > party.deferred_until.date())
        if answered and not waited:
            fail(party, "a nudge after their side answered", message)
        if party.last_real_inbound is not None and "slipped past" in text:
            fail(party, 'a follow-up says "in case my earlier message slipped past" to '
                 "someone who answered it", message)
    for start in message.offered:
        if start - now < LEAD:
            fail(party, f"offers {start:%a %d %b %H:%M %Z}, closer than lead_hours", message)
    firsts = [m for m in [*before, message]
              if m.to in party.addresses and not m.message["In-Reply-To"]]
    if len(firsts) > 1:
        fail(party, "a second first message", message)
    if any(word in text for word in CLAIMS_ATTACHED) and message.attachments == 0:
        fail(party, "says something is attached, and nothing is", message)
    if "as promised" in text:
        earlier = " ".join(m.text.lower() for m in before if m.to in party.addresses)
        if not (party.promised or "i'll suggest" in earlier or "i will suggest" in earlier):
            fail(party, '"as promised" when nothing was promised', message)
    if message.invite_method == "REQUEST":
        _check_invite(party, message, now, before, fail)


def _check_invite(party: Party, message: Received, now: datetime, before: list[Received],
                  fail: Fail) -> None:
    assert message.start is not None
    if message.start not in party.acceptable:
        fail(party, f"an invite for {message.start:%a %d %b %H:%M %Z}, a time their side did "
             "not pick (or declined)", message)
    if message.start <= now:
        fail(party, "an invite for a time that has passed", message)
    earlier = [m.sequence for m in before if m.uid == message.uid
               and m.invite_method == "REQUEST"]
    if earlier and message.sequence <= max(earlier):
        fail(party, f"SEQUENCE {message.sequence} after {max(earlier)} for the same meeting",
             message)
    assistant = party.assistant[0] if party.assistant and party.assistant_added else None
    if assistant and message.to == party.address and assistant not in message.cc:
        fail(party, "the invite does not copy their assistant", message)
    party.meeting_at, party.meeting_recorded = message.start, False


def check_due(party: Party, items: list[dict[str, object]], now: datetime, fail: Fail,
              received: list[Received]) -> None:
    """At 09:00 after sync: a conversation that waits on the user is in `due`."""
    if party.closed or party.bounced:
        return
    listed = [d for d in items if str(d["contact"]).casefold() in party.addresses
              or (party.referred and str(d["contact"]) in party.referred)]
    if listed:
        return
    if party.awaiting_user is not None and party.awaiting_user < now:
        fail(party, f"their {party.last_inbound_kind} reply of "
             f"{party.awaiting_user:%a %d %b} waits on the user, and `due` is silent", None)
    if (party.meeting_at is not None and not party.meeting_recorded
            and now >= business_days_after(party.meeting_at, 1)):
        fail(party, f"the meeting of {party.meeting_at:%a %d %b} passed, nothing recorded, "
             "and `due` is silent", None)
    if party.last_inbound_kind == "defer" and party.deferred_until is not None and (
            now >= business_days_after(party.deferred_until, 2)):
        ours = [m.date for m in received if m.to in party.addresses]
        if party.last_real_inbound is not None and max(ours) < party.last_real_inbound:
            fail(party, f"they deferred until {party.deferred_until:%a %d %b}; the wait is "
                 "over and `due` is silent", None)


class Threads:
    """The whole correspondence of a party, grouped into threads as a mailbox would."""

    def __init__(self, world: World) -> None:
        self.world = world
        self._messages: list[EmailMessage] = []

    def load(self) -> None:
        """Read the correspondence as it is now (once per step: the checks share it)."""
        self._messages = self.world.correspondence()

    def check(self, party: Party, fail: Fail) -> None:
        """One thread with our messages, one subject, each of ours answering the thread."""
        people = party.addresses

        def involves(m: EmailMessage) -> bool:
            if is_calendar_answer(m) or m["Auto-Submitted"] or "mailer-daemon" in str(m["From"]):
                return False
            found = {a.casefold() for _, a in getaddresses(
                [str(m[h] or "") for h in ("From", "To", "Cc")])}
            return bool(found & people)

        threads: list[list[EmailMessage]] = []
        where: dict[str, list[EmailMessage]] = {}
        for m in filter(involves, self._messages):
            referenced = _MSGID.findall(f"{m['In-Reply-To'] or ''} {m['References'] or ''}")
            home = next((where[r] for r in referenced if r in where), None)
            if home is not None and base_subject(str(home[0]["Subject"])).removeprefix(
                    "Fwd: ") != base_subject(str(m["Subject"])).removeprefix("Fwd: "):
                home = None
            if home is None:
                home = []
                threads.append(home)
            home.append(m)
            where[str(m["Message-ID"])] = home
        # Threads we write in: one we started, and at most a fresh one their side started
        # (an assistant's "Meeting with ..."), answered where it was asked.
        ours = [t for t in threads if any(USER in str(m["From"]) for m in t)]
        started = [t for t in ours if USER in str(t[0]["From"])]
        if len(started) > 1:
            fail(party, "more than one thread: " + " | ".join(
                str(t[0]["Subject"]) for t in started), None)
        for thread in ours:
            subjects = {base_subject(str(m["Subject"])).removeprefix("Fwd: ") for m in thread}
            if len(subjects) > 1:
                fail(party, f"one thread, several subjects: {sorted(subjects)}", None)
        for thread in ours:
            seen: list[str] = []
            for m in thread:
                if USER in str(m["From"]) and seen:
                    answered = str(m["In-Reply-To"] or "")
                    refs = _MSGID.findall(str(m["References"] or ""))
                    if answered not in seen or not refs or refs[-1] != answered:
                        fail(party, f"{m['Subject']!r} does not answer the thread "
                             f"(In-Reply-To {answered})", None)
                seen.append(str(m["Message-ID"]))
