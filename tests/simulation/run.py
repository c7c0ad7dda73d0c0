"""The days of one simulation, one after another (see the package docstring)."""

from __future__ import annotations

import random
from collections import Counter
from datetime import datetime, timedelta

import pytest

from tests.conversation_world import USER, World
from tests.helpers_sync import configure
from tests.simulation.invariants import Threads, check_due, check_sent
from tests.simulation.mailbox import Mailbox, Received
from tests.simulation.people import NY, Party, random_party
from tests.simulation.user import BlindUser

START = datetime(2026, 3, 2, 9, 0, tzinfo=NY)  # a Monday morning
DAILY_CAP = 8  # [mail] daily_send_cap: with a dozen first messages, some wait a day


class Simulation:
    def __init__(self, world: World, seed: int, people: int, days: int) -> None:
        self.world, self.seed, self.people, self.days = world, seed, people, days
        self.rng = random.Random(seed)
        self.parties: list[Party] = []
        self.mailbox = Mailbox(world)
        self.threads = Threads(world)
        self.user = BlindUser(world, self.rng, self.party_of, self.added)
        self.sent: list[Received] = []

    # -- who is who --------------------------------------------------------------------

    def party_of(self, address: str) -> Party | None:
        wanted = address.casefold()
        return next((p for p in self.parties if wanted in p.addresses), None)

    def added(self, address: str, by: Party | None) -> None:
        """The user added a contact: a referral becomes a new party; a colleague or an
        assistant is already one of ``by``'s side."""
        if by is not None and address in by.addresses:
            if by.assistant is not None and address == by.assistant[0]:
                by.assistant_added = True
            return
        if self.party_of(address) is None:
            party = random_party(self.rng, len(self.parties))
            party.address = party.speaker = address.casefold()
            if by is not None and by.referred:
                party.name = by.referred.partition(" <")[0]
            party.zone = ""  # the user did not give one: they write in the user's zone
            self.parties.append(party)
            party.note(self.world.now, f"added as a referral of {by.address if by else '?'}")

    def fail(self, party: Party | None, what: str, message: Received | None) -> None:
        who = party.address if party else "?"
        lines = [f"seed {self.seed}, contact {who}, {self.world.now:%a %d %b %Y %H:%M}: {what}"]
        if message is not None:
            lines.append(f"  message: {message.label()}")
        if party is not None:
            lines += ["  their story:", *(f"    {line}" for line in party.log[-14:])]
        mine = [c for c in self.user.commands if party is None or party.address in c
                or any(a in c for a in party.addresses)]
        lines += ["  the user ran:", *(f"    {c}" for c in mine[-10:])]
        pytest.fail("\n".join(lines))

    # -- the simulation ----------------------------------------------------------------

    def setup(self) -> None:
        home = self.world.home
        config = home / "config.toml"
        configure(home, schedule={"busy": []}, mail={"daily_send_cap": DAILY_CAP})
        if self.world.backend == "gmail":  # a project with a raised quota: no pacing waits
            configure(home, google={"quota_per_minute": 1_200_000})
        text = config.read_text()
        config.write_text(text.replace("[user]\n", '[user]\nresume = "resume.pdf"\n', 1))
        (home / "resume.pdf").write_bytes(b"%PDF-1.4\n% Sam Rivera, resume\n%%EOF\n")
        self.world.at(f"{START:%Y-%m-%d %H:%M}")

    def add_wave(self, count: int) -> None:
        """The user adds a few people and drafts each one first message."""
        for _ in range(count):
            party = random_party(self.rng, len(self.parties))
            self.parties.append(party)
            args = ["contacts", "add", party.address, "--name", party.name, "--org", party.org,
                    "--set", "connection=the State University alumni directory"]
            if party.zone:
                args += ["--tz", party.zone]
            self.user.run(*args)
            self.user.run("draft", "outreach", party.address)
            party.note(self.world.now, f"added; script {party.script}, after booking "
                       f"{party.after_booking}, shows up {party.shows_up}")

    def run(self) -> None:
        self.setup()
        waves = [self.people - self.people // 3, self.people // 3]
        for offset in range(self.days):
            day = START + timedelta(days=offset)
            if day.weekday() >= 5:
                continue
            self.world.at(f"{day:%Y-%m-%d} 09:00")
            if offset in (0, 7) and waves:
                self.add_wave(waves.pop(0))
            self.morning()
            self.world.at(f"{day:%Y-%m-%d} 13:00")
            for hour in (13, 14, 15, 16):
                self.world.at(f"{day:%Y-%m-%d} {hour}:00")
                for party in self.parties:
                    party.act(self.world, self.world.now, self.sent)

    def summary(self) -> dict[str, int]:
        """What happened, to show the run covered the moves (and for the report)."""
        counts: Counter[str] = Counter()
        for m in self.sent:
            counts["messages"] += 1
            counts["first messages"] += not m.message["In-Reply-To"]
            counts["invites"] += m.invite_method == "REQUEST"
            counts["thank-yous"] += "taking the time to talk" in m.text
            counts["follow-ups"] += any(w in m.text for w in ("slipped past", "earlier exchange"))
            counts["with attachment"] += m.attachments > 0 and m.invite_method is None
        for party in self.parties:
            counts["contacts"] += 1
            for line in party.log:
                for move in ("writes (pick)", "writes (propose)", "writes (defer)",
                             "writes (no)", "writes (move)", "writes (referral)", "is away",
                             "bounces", "takes over", "an assistant", "accepts", "declines",
                             "did not show up"):
                    counts[move] += move in line
        return dict(counts)

    def morning(self) -> None:
        now = self.world.now
        items = self.user.morning(now)
        for party in self.parties:
            check_due(party, items, now, self.fail, self.sent)
        # "Did it happen?" first; then the times they chose, before drafts hold others.
        first = ("confirm_meeting", "book", "reschedule")
        for item in sorted(items, key=lambda d: first.index(d["action"])
                           if d["action"] in first else len(first)):
            try:
                self.user.act(item)
            except AssertionError as error:  # a command refused: name who and when
                self.fail(self.party_of(str(item["contact"])), f"{item}: {error}", None)
            if item["action"] == "close":
                party = self.party_of(str(item["contact"]))
                if party is not None:
                    party.closed = True
        self.user.run("send", "--yes")
        fresh = self.mailbox.new()
        day_ago = [m for m in self.sent if m.date > now - timedelta(days=1)]
        if len(day_ago) + len(fresh) > DAILY_CAP:
            self.fail(None, f"{len(day_ago) + len(fresh)} messages in 24 hours, over the "
                      f"daily cap of {DAILY_CAP}", fresh[-1])
        for message in fresh:
            party = self.party_of(message.to)
            if party is None:
                if message.to != USER:
                    self.fail(None, f"mail to {message.to}, a stranger", message)
                continue
            check_sent(party, message, now, self.sent, self.fail)
            self.sent.append(message)
            party.awaiting_user = None
            party.receive(message, now)
        self.threads.load()
        for party in {id(self.party_of(m.to)): self.party_of(m.to) for m in fresh}.values():
            if party is not None:  # whose correspondence changed
                self.threads.check(party, self.fail)
        self.user.run("sync")
