"""The contacts and their side: each plays a random mix of moves, written as real mail.

A :class:`Party` is one contact and whoever answers for them (a colleague who takes over, an
assistant). It reads what it received (parsed back from the backend's record) and answers,
some days later: picks a time, proposes its own, defers, says no, stays silent, is away (an
out-of-office note), bounces, forwards the request, has an assistant answer, RSVPs, asks to
move the meeting, or refers someone after the thank-you. It also keeps the truth the
invariants are checked against (what they picked, when they said no, who took over).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from zoneinfo import ZoneInfo

from outreach.compose.mime import base_subject
from tests.conversation_world import USER, World
from tests.simulation.mailbox import Received

NY = ZoneInfo("America/New_York")
ZONES = ["America/New_York", "America/Chicago", "Europe/London", "Europe/Berlin", ""]
FIRST = ["Ada", "Grace", "Alan", "Edsger", "Barbara", "Kurt", "Rosa", "Vera", "Hedy", "Wes",
         "Nora", "Lin", "Mae", "Hal", "Ines", "Greta", "Omar", "Priya", "Tariq", "Yuki"]
LAST = ["Lovelace", "Hopper", "Kay", "Dijkstra", "Liskov", "Goedel", "Parks", "Rubin", "Lamarr",
        "Clark", "Ephron", "Wei", "Jemison", "Abelson", "Ortega", "Weber", "Haddad", "Nair"]
ORGS = ["Acme", "Initech", "Globex", "Umbrella Health", "Stark Energy", "Wayne Analytics"]
ANSWERS = ["pick", "pick", "pick", "propose", "defer", "no", "silence"]
PRELUDES = ["", "", "", "away", "bounce", "forward", "assistant", "defer"]
ORDINALS = ["first", "second", "third"]
WEEKDAY = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def business_days_after(day: datetime, count: int) -> datetime:
    while count > 0:
        day += timedelta(days=1)
        if day.weekday() < 5:
            count -= 1
    return day


@dataclass
class Party:
    """One contact and their side, with their script and the truth about them."""

    address: str
    name: str
    org: str
    zone: str
    script: list[str]  # how they answer each request for a time, in order
    after_booking: str  # accept, decline, move, quiet
    shows_up: bool
    refers: bool
    rng: random.Random
    speaker: str = ""  # who talks for them now (a colleague once one took over)
    colleague: tuple[str, str] | None = None  # (address, name) who takes over
    assistant: tuple[str, str] | None = None
    took_over_at: datetime | None = None
    said_no_at: datetime | None = None
    bounced: bool = False
    acceptable: set[datetime] = field(default_factory=set)  # times they picked or proposed
    declined: set[tuple[str, int]] = field(default_factory=set)  # (UID, SEQUENCE)
    deferred_until: datetime | None = None
    last_real_inbound: datetime | None = None  # their side's last message that is not automatic
    last_inbound_kind: str = ""
    awaiting_user: datetime | None = None  # a message the user has not acted on yet
    pending: list[tuple[datetime, str]] = field(default_factory=list)
    invites_seen: int = 0
    referred: str = ""  # "Name <address>" they suggested after the thank-you
    picked_order: dict[datetime, int] = field(default_factory=dict)  # latest picked last
    meeting_at: datetime | None = None  # the start of the meeting their latest invite is for
    meeting_recorded: bool = True  # met / met --missed run since that meeting
    held_at: datetime | None = None  # when a meeting with them was recorded as held
    promised: bool = False  # the user promised them something at the meeting
    closed: bool = False  # the user closed the conversation
    assistant_added: bool = False  # the user added their assistant (`--assistant-of`)
    log: list[str] = field(default_factory=list)
    seen: list[Received] = field(default_factory=list)  # everything sent so far (to anyone)

    def __post_init__(self) -> None:
        self.speaker = self.speaker or self.address

    @property
    def first_name(self) -> str:
        return self.name.split()[0]

    @property
    def addresses(self) -> set[str]:
        found = {self.address}
        found |= {side[0] for side in (self.colleague, self.assistant) if side is not None}
        return found

    @property
    def their_zone(self) -> ZoneInfo:
        return ZoneInfo(self.zone) if self.zone else NY

    def note(self, now: datetime, text: str) -> None:
        self.log.append(f"{now:%a %d %b %H:%M} {text}")

    # -- reading what arrived ----------------------------------------------------------

    def receive(self, message: Received, now: datetime) -> None:
        """Plan an answer to a message the user sent them."""
        self.note(now, f"receives {message.subject!r}: {message.text[:90]!r}")
        if self.bounced or self.said_no_at is not None:
            return
        if message.invite_method == "REQUEST":
            self.invites_seen += 1
            move = self.after_booking if self.invites_seen == 1 else "accept"
            self._plan(now, 0 if move == "accept" else self.rng.randint(0, 2), move)
        elif message.text.startswith(("Hi", "Thank")) and "taking the time" in message.text:
            if self.refers and not self.referred:
                self._plan(now, self.rng.randint(0, 2), "refer")
        elif message.offered or "times" in message.text or "minutes" in message.text:
            if any(what in ("answer", "comeback") for _, what in self.pending):
                return  # they will answer when they said they would
            self._plan(now, self.rng.randint(0, 3), "answer")

    def _plan(self, now: datetime, days: int, what: str) -> None:
        when = business_days_after(now, days).replace(hour=13 + self.rng.randint(0, 3))
        self.pending.append((when, what))

    # -- answering ---------------------------------------------------------------------

    def act(self, world: World, now: datetime, received: list[Received]) -> None:
        """Do what was planned for now or earlier."""
        self.seen = received
        due = [p for p in self.pending if p[0] <= now]
        self.pending = [p for p in self.pending if p[0] > now]
        for _, what in due:
            if self.bounced or self.said_no_at is not None:
                return
            if what in ("answer", "comeback"):
                move = self.script.pop(0) if self.script else "silence"
                self._answer(world, now, move, received)
            else:
                getattr(self, f"_after_{what}")(world, now, received)

    def _answer(self, world: World, now: datetime, move: str, received: list[Received]) -> None:
        rng = self.rng
        if move == "pick":
            self._pick(world, now, received, "")
        elif move == "propose":
            at = self._a_time(now)
            self._say(world, now, "propose", rng.choice([
                f"None of those work for me, I'm afraid. How about {self._words(at)}?",
                f"Thanks for reaching out. I'm booked at those times; could we do "
                f"{self._words(at)} instead?",
            ]), picked=at)
        elif move == "defer":
            friday = now + timedelta(days=4 - now.weekday() + 7)  # "next week": by its end
            self.deferred_until = friday
            until = business_days_after(now, rng.randint(3, 9))  # kept, or late
            self._say(world, now, "defer", rng.choice([
                "Thanks for your note. Let me check my calendar and get back to you next week.",
                "Happy to help, but this week is hectic. Let me get back to you next week.",
            ]))
            self.pending.append((until.replace(hour=14), "comeback"))
            self.script.insert(0, rng.choice(["pick", "pick", "propose", "silence"]))
        elif move == "no":
            self._say(world, now, "no", rng.choice([
                "Thanks for thinking of me, but I'm not able to help at the moment.",
                "I'm sorry, but I don't have the time for this right now. Best of luck.",
            ]))
            self.said_no_at = now
        elif move == "away":
            self._away(world, now)
        elif move == "bounce":
            world.bounce(self.speaker)
            self.bounced = True
            self.note(now, "their server bounces the message")
        elif move == "forward":
            self._forward(world, now, received)
        elif move == "assistant":
            self._assistant(world, now, received)
        else:
            self.note(now, "stays silent")

    def _future_offers(self, now: datetime, received: list[Received]) -> list[datetime]:
        mine = [m for m in received if m.to in self.addresses and m.offered]
        if not mine:
            return []
        return [t for t in mine[-1].offered if t > now + timedelta(hours=3)]

    def _pick(self, world: World, now: datetime, received: list[Received], lead: str) -> None:
        mine = [m for m in received if m.to in self.addresses and m.offered]
        future = self._future_offers(now, received)
        if not future:
            at = self._a_time(now)
            self._say(world, now, "propose", f"{lead}Sorry for the slow reply. Those times "
                      f"have passed; would {self._words(at)} work?", picked=at)
            return
        at = self.rng.choice(future)
        ordinal = ORDINALS[mine[-1].offered.index(at)]
        self._say(world, now, "pick", lead + self.rng.choice([
            f"Happy to talk. The {ordinal} time works for me.",
            f"Thanks for getting in touch! The {ordinal} time suits me well.",
        ]), picked=at)

    def _a_time(self, now: datetime) -> datetime:
        """A time of theirs that falls in the user's working hours (as people who know
        each other's zones propose), in their zone."""
        hours = [10, 11] if self.zone.startswith("Europe") else [10, 11, 14]
        taken = [t for m in self.seen for t in [*m.offered, m.start] if t is not None]
        for _ in range(20):
            day = business_days_after(now, self.rng.randint(3, 8)).astimezone(NY)
            ours = day.replace(hour=self.rng.choice(hours), minute=0, second=0, microsecond=0)
            if all(abs(ours - t) >= timedelta(hours=1) for t in taken):
                break  # the user is free then (they have not offered or booked it)
        return ours.astimezone(self.their_zone)

    def _words(self, at: datetime) -> str:
        zone = " my time" if self.zone and self.zone != "America/New_York" else ""
        return f"{WEEKDAY[at.weekday()]} {at.day} {at:%B} at {at:%H:%M}{zone}"

    def _say(self, world: World, now: datetime, kind: str, body: str,
             picked: datetime | None = None) -> None:
        signed = f"Hi Sam,\n\n{body}\n\n{self.speaker_name}"
        world.reply(self.speaker, signed, name=self.speaker_name)
        self._inbound(now, kind, picked)
        self.note(now, f"writes ({kind}): {body!r}")

    @property
    def speaker_name(self) -> str:
        if self.colleague and self.speaker == self.colleague[0]:
            return self.colleague[1]
        return self.name

    def _inbound(self, now: datetime, kind: str, picked: datetime | None) -> None:
        self.last_real_inbound, self.last_inbound_kind = now, kind
        if kind != "defer":  # a deferral makes the conversation wait: nothing to do yet
            self.awaiting_user = now
        if picked is not None:
            self.acceptable.add(picked)
            self.picked_order[picked] = len(self.picked_order) + 1

    def _away(self, world: World, now: datetime) -> None:
        back = business_days_after(now, self.rng.randint(4, 8))
        last = world.received(self.speaker)[-1]
        subject = f"Automatic reply: {base_subject(str(last['Subject']))}"
        message = _mail(world, self.speaker, subject,
                        f"I am out of the office until {WEEKDAY[back.weekday()]} {back.day} "
                        f"{back:%B} with limited access to email. I will reply when I return.")
        message["Auto-Submitted"] = "auto-replied"
        if self.rng.random() < 0.5:  # some servers answer in the thread, some in one of its own
            message["In-Reply-To"] = str(last["Message-ID"])
            message["References"] = str(last["Message-ID"])
        else:
            del message["Subject"]
            message["Subject"] = "Out of office"
        world.deliver(message)
        self.pending.append((business_days_after(back, 1).replace(hour=15), "comeback"))
        self.note(now, f"is away until {back:%d %b} (auto-reply)")

    def _forward(self, world: World, now: datetime, received: list[Received]) -> None:
        local, domain = self.address.split("@")
        address, name = f"jo.{local}@{domain}", "Jo Marsh"
        self.colleague = (address, name)
        last = world.received(self.speaker)[-1]
        forward = make_msgid(domain=self.address.rpartition("@")[2])
        at: datetime | None = self._a_time(now)
        asks = (f"Would {self._words(at)} work for you?" if at else
                "Could you send me a few times that suit you?")
        if self.rng.random() < 0.3:
            at, asks = None, "Could you send me a few times that suit you?"
        body = (f"Hi Sam,\n\n{self.first_name} forwarded me your note; I'm happy to talk "
                f"instead, as I lead that work now. {asks}\n\n{name}")
        message = _mail(world, f"{name} <{address}>",
                        f"Re: Fwd: {base_subject(str(last['Subject']))}", body)
        message["Cc"] = f"{self.name} <{self.address}>"
        message["In-Reply-To"] = forward
        chain = str(last["References"] or "").split()
        message["References"] = " ".join([*chain, str(last["Message-ID"]), forward])
        world.deliver(message)
        self.speaker, self.took_over_at = address, now
        self._inbound(now, "takeover", at)
        self.note(now, f"forwards it; {name} <{address}> takes over: {body!r}")

    def _assistant(self, world: World, now: datetime, received: list[Received]) -> None:
        address = f"assistant.{self.address.split('@')[0]}@{self.address.split('@')[1]}"
        self.assistant = (address, "Pat Lee")
        future = self._future_offers(now, received)
        if future:
            at = future[0]
            mine = [m for m in received if m.to in self.addresses and m.offered][-1]
            said = f"The {ORDINALS[mine.offered.index(at)]} time you suggested works."
        else:
            at = self._a_time(now)
            said = f"She could do {self._words(at)}."
        body = (f"Hello Sam,\n\n{self.first_name} asked me to find a time with you. "
                f"{said}\n\nPat Lee")
        message = _mail(world, f"Pat Lee <{address}>", f"Meeting with {self.name}", body)
        message["Cc"] = f"{self.name} <{self.address}>"
        if self.rng.random() < 0.5:  # answering in the thread, the contact copied
            last = world.received(self.address)[-1]
            del message["Subject"]
            message["Subject"] = f"Re: {base_subject(str(last['Subject']))}"
            message["In-Reply-To"] = str(last["Message-ID"])
            message["References"] = " ".join(
                [*str(last["References"] or "").split(), str(last["Message-ID"])])
        world.deliver(message)
        self._inbound(now, "assistant", at)
        self.note(now, f"an assistant, Pat Lee <{address}>, answers: {body!r}")

    # -- after the booking and the thank-you --------------------------------------------

    def _after_accept(self, world: World, now: datetime, received: list[Received]) -> None:
        if world.invites(self.speaker)[-1].decoded("DTSTART") <= now:
            self.note(now, "never answers the invite (the meeting has passed)")
            return
        world.rsvp(self.speaker, "accepted")
        self.note(now, "their calendar accepts the invite")

    def _after_accept_move(self, world: World, now: datetime,
                           received: list[Received]) -> None:
        self._after_accept(world, now, received)
        self._plan(now, self.rng.randint(1, 2), "move")

    def _after_quiet(self, world: World, now: datetime, received: list[Received]) -> None:
        self.note(now, "says nothing about the invite")

    def _after_decline(self, world: World, now: datetime, received: list[Received]) -> None:
        invite = world.invites(self.speaker)[-1]
        if invite.decoded("DTSTART") <= now:
            self.note(now, "never answers the invite (the meeting has passed)")
            return
        world.rsvp(self.speaker, "declined")
        self.declined.add((str(invite["UID"]), int(invite["SEQUENCE"])))
        self.acceptable.discard(invite.decoded("DTSTART"))
        self.meeting_recorded = True  # declined: there is nothing to ask about
        self._inbound(now, "declined", None)
        self.script.insert(0, "pick")
        self.note(now, "their calendar declines the invite")

    def _after_move(self, world: World, now: datetime, received: list[Received]) -> None:
        if world.invites(self.speaker)[-1].decoded("DTSTART") <= now and self.shows_up:
            self.note(now, "no longer asks to move it: the meeting took place")
            return
        at = self._a_time(now)
        self._say(world, now, "move", f"Something came up, I'm sorry. Could we do "
                  f"{self._words(at)} instead?", picked=at)

    def _after_refer(self, world: World, now: datetime, received: list[Received]) -> None:
        self.referred = f"Grace Hopper <grace.{self.address.split('@')[0]}@example.net>"
        self._say(world, now, "referral", f"Glad to help. You should also talk to "
                  f"{self.referred}; tell her I sent you.")


def _mail(world: World, sender: str, subject: str, body: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = f"Sam Rivera <{USER}>"
    message["Subject"] = subject
    message["Date"] = format_datetime(world.now)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2].rstrip(">"))
    message.set_content(body)
    return message


def random_party(rng: random.Random, number: int) -> Party:
    """Someone with a random script: a prelude (away, bounce, forward, ...) then answers."""
    first, last = rng.choice(FIRST), rng.choice(LAST)
    script = [m for m in (rng.choice(PRELUDES), rng.choice(ANSWERS)) if m]
    return Party(
        address=f"{first.lower()}.{last.lower()}{number}@example.org",
        name=f"{first} {last}",
        org=rng.choice(ORGS),
        zone=rng.choice(ZONES),
        script=script,
        after_booking=rng.choice(["accept", "accept", "decline", "move", "accept_move",
                                   "quiet"]),
        shows_up=rng.random() < 0.75,
        refers=rng.random() < 0.4,
        rng=rng,
    )
