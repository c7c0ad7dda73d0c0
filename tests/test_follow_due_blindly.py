"""Follow `due` blindly and nothing embarrassing goes out (issue 17), as a seeded simulator.

Many conversations at once, for months: each contact plays a random mix of moves (picks,
counter-proposals, ranges, deferrals, noes, silence, out-of-office notes, handoffs to a
colleague, RSVPs that decline, asking to move the meeting, not showing up, referrals after the
thank-you), and a simulated user does exactly what `due` says every working day at 09:00
(the pure rules, :func:`outreach.track.pipeline.due_actions`, on facts the simulator keeps as
the store would). After every step the invariants hold:

- no thanks for a meeting that did not happen;
- no nudge after their side answered (a follow-up only once the wait they asked for is over);
- nothing after a no; nothing to the first contact after a colleague took over;
- no time booked that has passed or that they did not pick or propose;
- no second first message;
- no conversation dropped from `due` while it waits on the user.

Pure and seeded: a failure names the seed, the contact and the day, and replays exactly.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from outreach.config import FollowupConfig
from outreach.track.days import is_business_day
from outreach.track.model import Action, ContactFacts, DueAction, Stage
from outreach.track.pipeline import due_actions, stage
from outreach.track.reader import (
    Decline,
    Deferral,
    Finding,
    Handoff,
    ProposedRange,
    ProposedTime,
    Reading,
    Referral,
    SlotPick,
)

NY = ZoneInfo("America/New_York")
CONFIG = FollowupConfig()
START = date(2026, 3, 2)  # a Monday
DAYS = 120
PEOPLE = 30
MOVES = (
    "pick", "propose", "range", "defer", "defer_until", "no", "silence", "away", "handoff",
    "colleague", "assistant",
)


@dataclass
class Person:
    """A contact as the simulator knows them: the facts `due` reads, and the truth."""

    facts: ContactFacts
    shows_up: bool  # whether they come to a booked meeting
    moves: list[str]  # what they do each time they answer, in order
    after_booking: str  # "accept", "decline", "move", "quiet"
    refers_after_thanks: bool
    offered: list[datetime] = field(default_factory=list)  # start of each offered slot
    first_messages: int = 0
    thanked: int = 0
    said_no: bool = False
    held: bool = False  # a meeting really happened
    log: list[str] = field(default_factory=list)

    def note(self, day: datetime, text: str) -> None:
        self.log.append(f"{day:%a %d %b %H:%M} {text}")


class Simulation:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.seed = seed
        self.people: dict[int, Person] = {}
        self.next_id = 1
        for _ in range(PEOPLE):
            self._add(referred_by=None, at=None)

    # -- people ------------------------------------------------------------------------

    def _add(self, referred_by: int | None, at: datetime | None, **fields: object) -> Person:
        cid = self.next_id
        self.next_id += 1
        rng = self.rng
        facts = ContactFacts(
            contact_id=cid,
            email=f"p{cid}@example.org",
            name=f"Person {cid}",
            referred_by=referred_by,
            created_at=at,
        )
        person = Person(
            facts=replace(facts, **fields),  # type: ignore[arg-type]
            shows_up=rng.random() < 0.7,
            moves=[rng.choice(MOVES) for _ in range(4)],
            after_booking=rng.choice(("accept", "accept", "decline", "move", "quiet")),
            refers_after_thanks=rng.random() < 0.4,
        )
        self.people[cid] = person
        return person

    def fail(self, person: Person, now: datetime, what: str) -> None:
        history = "\n  ".join(person.log[-12:])
        pytest.fail(
            f"seed {self.seed}, contact {person.facts.contact_id}, {now:%a %d %b %H:%M}: "
            f"{what}\n  {history}"
        )

    # -- what we send ------------------------------------------------------------------

    def send(self, person: Person, now: datetime, kind: str) -> None:
        f = person.facts
        if f.closed:
            self.fail(person, now, f"a {kind} went to a closed contact")
        if person.said_no:
            self.fail(person, now, f"a {kind} went out after they said no")
        if f.handed_to is not None:
            self.fail(person, now, f"a {kind} went to them after a colleague took over")
        if kind == "thankyou" and not person.held:
            self.fail(person, now, "thanked for a meeting that did not happen")
        if kind == "first":
            person.first_messages += 1
            if person.first_messages > 1:
                self.fail(person, now, "a second first message")
        person.facts = replace(
            f,
            last_sent_at=now,
            first_sent_at=f.first_sent_at or (now if kind == "first" else None),
        )
        person.note(now, f"we send {kind}")

    def offer(
        self, person: Person, now: datetime, within: tuple[datetime, datetime] | None
    ) -> None:
        """Three fresh times, 2 to 10 days ahead (inside their range when they gave one)."""
        base = within[0] if within else now + timedelta(days=2)
        slots = [
            datetime.combine((base + timedelta(days=i)).date(), time(10), NY) for i in range(3)
        ]
        slots = [s if s > now + timedelta(hours=24) else s + timedelta(days=3) for s in slots]
        person.offered = slots
        person.facts = replace(person.facts, offered_until=slots[-1] + timedelta(minutes=20))

    # -- the user does what `due` says --------------------------------------------------

    def act(self, person: Person, item: DueAction, now: datetime) -> None:
        f = person.facts
        action = item.action
        if action is Action.FOLLOW_UP:
            waited = f.last_message_at is not None and (
                f.last_sent_at is None or f.last_message_at > f.last_sent_at
            )
            if waited and not (f.reading and f.reading.first(Deferral)):
                self.fail(person, now, "a nudge after their side answered")
            self.send(person, now, "followup")
            if stage(f) is Stage.SENT:
                person.facts = replace(person.facts, followups_sent=f.followups_sent + 1)
        elif action is Action.CLOSE:
            person.facts = replace(f, closed=True)
            person.note(now, "we close them")
        elif action is Action.BOOK:
            self.book(person, item, now)
        elif action is Action.PROPOSE_TIMES:
            window = item.detail("proposed_range")
            within = None
            if isinstance(window, dict):
                within = (
                    datetime.fromisoformat(window["start"]),
                    datetime.fromisoformat(window["end"]),
                )
            self.offer(person, now, within)
            self.send(person, now, "newtimes")
            person.facts = replace(person.facts, newtimes_sent_at=now)
        elif action is Action.RESCHEDULE:
            at = datetime.fromisoformat(str(item.detail("proposed")))
            if at <= now:
                self.fail(person, now, "moved the meeting to a time that has passed")
            self.send(person, now, "update")
            person.facts = replace(
                person.facts,
                meeting_start=at,
                meeting_end=at + timedelta(minutes=20),
                meeting_changed_at=now,
            )
        elif action is Action.CONFIRM_MEETING or (
            action is Action.THANK_YOU and f.met_at is None and not item.drafted
        ):
            self.confirm(person, now)
        elif action is Action.THANK_YOU:
            self.send(person, now, "thankyou")
            person.thanked += 1
            person.facts = replace(person.facts, thankyou_sent_at=now)
        elif action is Action.PREPARE:
            person.facts = replace(f, meeting_prepared_at=now)
        elif action is Action.READ_REPLY:
            person.facts = replace(f, replies_seen_at=now)
            person.note(now, "we read their reply")
        elif action is Action.ADD_REFERRAL:
            self.add_referral(person, item, now)
        elif action is Action.ADD_THEIR_SIDE:
            self.their_side(person, item, now)
        elif action is Action.REACH_REFERRAL:
            self.offer(person, now, None)
            self.send(person, now, "first")
        elif action is Action.KEEP_IN_TOUCH:
            self.send(person, now, "keepintouch")
        else:  # promises, congratulations: not played here
            pytest.fail(f"unexpected action {action}")

    def book(self, person: Person, item: DueAction, now: datetime) -> None:
        f = person.facts
        reading = f.reading
        slot, proposed = item.detail("slot"), item.detail("proposed")
        if reading is not None and reading.first(Decline) and not (slot or proposed):
            self.fail(person, now, "a booking after they said no")
        if proposed is not None:
            start = datetime.fromisoformat(str(proposed))
        elif slot is not None:
            start = person.offered[int(str(slot)) - 1]
        else:  # a reply outreach could not read: the user reads it and books the first time
            ahead = [s for s in person.offered if s > now]
            if not ahead:
                self.fail(person, now, "book suggested with no time left to book")
            start = ahead[0]
        if start <= now:
            self.fail(person, now, f"booked a time that has passed ({start})")
        pick = None if reading is None else reading.first(SlotPick)
        if pick is not None and slot is not None and int(str(slot)) != pick.slot:
            self.fail(person, now, "booked a slot they did not pick")
        self.send(person, now, "invite")
        person.facts = replace(
            person.facts,
            meeting_state="scheduled",
            meeting_start=start,
            meeting_end=start + timedelta(minutes=20),
            meeting_changed_at=now,
            meeting_rsvp=None,
            met_at=None,
            meeting_prepared_at=None,
        )

    def confirm(self, person: Person, now: datetime) -> None:
        f = person.facts
        assert f.meeting_start is not None
        if now < f.meeting_start:
            self.fail(person, now, "asked about a meeting that has not started")
        if person.shows_up:
            person.held = True
            person.facts = replace(f, meeting_state="held", met_at=now)
            person.note(now, "we record the meeting (met)")
        else:
            person.facts = replace(f, meeting_state="missed", meeting_changed_at=now)
            person.note(now, "we mark it missed (met --missed)")

    def their_side(self, person: Person, item: DueAction, now: datetime) -> None:
        """The user knows who wrote: `--takes-over-from` for a colleague, `--assistant-of`
        for an assistant (who is then copied, no longer someone new)."""
        f = person.facts
        email = item.detail("email")
        person.facts = replace(
            f, their_side_new=tuple(x for x in f.their_side_new if x[0] != email)
        )
        if str(email).startswith("pa"):
            person.note(now, "we record their assistant")
            return
        colleague = self._add(
            referred_by=f.contact_id,
            at=now,
            first_sent_at=f.first_sent_at,
            last_sent_at=f.last_sent_at,
            last_reply_at=f.last_message_at,
            last_message_at=f.last_message_at,
            offered_until=f.offered_until,
            reading=f.reading,
            picked_start=f.picked_start,
        )
        colleague.offered = list(person.offered)
        colleague.first_messages = 1
        person.facts = replace(
            person.facts, handed_to=colleague.facts.contact_id, last_message_at=None,
            reading=None,
        )
        person.note(now, f"colleague {colleague.facts.contact_id} takes the thread over")

    def add_referral(self, person: Person, item: DueAction, now: datetime) -> None:
        f = person.facts
        email = item.detail("email")
        named = [p for p in f.people_to_add if p.email == email]
        person.facts = replace(
            f, people_to_add=tuple(p for p in f.people_to_add if p.email != email)
        )
        if item.detail("handoff"):  # `--takes-over-from`: the colleague inherits the thread
            colleague = self._add(
                referred_by=f.contact_id,
                at=now,
                first_sent_at=f.first_sent_at,
                last_sent_at=f.last_sent_at,
                last_reply_at=f.last_message_at,
                last_message_at=f.last_message_at,
                offered_until=f.offered_until,
                reading=Reading(()),
            )
            colleague.offered = list(person.offered)
            colleague.first_messages = 1
            colleague.moves = ["pick", *colleague.moves]
            person.facts = replace(person.facts, handed_to=colleague.facts.contact_id)
            person.note(now, f"colleague {colleague.facts.contact_id} takes over")
        elif named:
            self._add(referred_by=f.contact_id, at=now)
            person.note(now, "we add their referral")

    # -- what they do --------------------------------------------------------------------

    def answer(self, person: Person, now: datetime) -> None:
        """Their turn, at 14:00 on a working day."""
        f = person.facts
        if f.closed or f.handed_to is not None or person.said_no:
            return
        current = stage(f)
        wrote_last = f.last_sent_at is not None and (
            f.last_message_at is None or f.last_sent_at > f.last_message_at
        )
        if current is Stage.SENT or (current is Stage.REPLIED and wrote_last):
            if self.rng.random() < 0.5:
                return  # not today
            move = person.moves.pop(0) if person.moves else "silence"
            self.reply(person, now, move)
        elif current is Stage.SCHEDULED and f.meeting_changed_at and f.meeting_rsvp is None:
            if wrote_last and self.rng.random() < 0.7:
                self.after_invite(person, now)
        elif current is Stage.THANKED and person.refers_after_thanks and wrote_last:
            person.refers_after_thanks = False
            grace = Referral("Grace", f"grace{f.contact_id}@example.org", "Also talk to Grace.")
            self.their_message(person, now, (grace,))
            person.facts = replace(person.facts, people_to_add=(grace,))

    def their_message(self, person: Person, now: datetime, findings: tuple[Finding, ...]) -> None:
        pick = next((x for x in findings if isinstance(x, SlotPick)), None)
        person.facts = replace(
            person.facts,
            last_reply_at=now,
            last_message_at=now,
            reading=Reading(findings),
            picked_start=None if pick is None else person.offered[pick.slot - 1],
        )
        person.note(now, f"they write: {[type(x).__name__ for x in findings] or 'unread'}")

    def reply(self, person: Person, now: datetime, move: str) -> None:
        rng = self.rng
        day = now.date()
        if move == "silence":
            return
        if move in ("colleague", "assistant"):  # someone new writes for them, picking a time
            who = "bob" if move == "colleague" else "pa"
            address = f"{who}{person.facts.contact_id}@example.org"
            ahead = [i + 1 for i, s in enumerate(person.offered) if s > now]
            findings = (SlotPick(ahead[0], "The first free one works."),) if ahead else ()
            self.their_message(person, now, findings)
            person.facts = replace(
                person.facts, their_side_new=((address, who.title(), now),)
            )
            return
        if move == "away":
            back = day + timedelta(days=rng.randint(3, 15))
            person.facts = replace(person.facts, auto_reply_at=now, auto_reply_return=back)
            person.note(now, f"out of office until {back}")
            return
        findings: tuple[Finding, ...]
        if move == "pick":
            ahead = [i + 1 for i, s in enumerate(person.offered) if s > now]
            # With nothing ahead: "is it too late?", nothing the reader can act on.
            findings = (SlotPick(rng.choice(ahead), "That one works."),) if ahead else ()
        elif move == "propose":
            at = datetime.combine(day + timedelta(days=rng.randint(2, 9)), time(11), NY)
            findings = (ProposedTime(at, "How about then?", False),)
        elif move == "range":
            start = datetime.combine(day + timedelta(days=7), time(9), NY)
            findings = (ProposedRange(start, start + timedelta(days=4, hours=3), "Any morning "
                                      "next week.", False),)
        elif move == "defer":
            findings = (Deferral(None, "Let me get back to you."),)
        elif move == "defer_until":
            findings = (Deferral(day + timedelta(days=rng.randint(3, 20)), "After the 15th."),)
        elif move == "no":
            findings = (Decline("I'm not able to help."),)
            person.said_no = True
        else:  # handoff
            bob = Handoff("Bob", f"bob{person.facts.contact_id}@example.org", "Ask Bob.")
            findings = (bob,)
            person.facts = replace(person.facts, people_to_add=(bob,))
        self.their_message(person, now, findings)

    def after_invite(self, person: Person, now: datetime) -> None:
        f = person.facts
        choice = person.after_booking
        person.after_booking = "quiet"
        if choice == "accept":
            person.facts = replace(f, meeting_rsvp="accepted", last_reply_at=now)
        elif choice == "decline":
            person.facts = replace(
                f, meeting_rsvp="declined", meeting_state="declined", last_reply_at=now,
                meeting_changed_at=now,
            )
            person.note(now, "they decline the invite")
        elif choice == "move":
            assert f.meeting_start is not None
            at = datetime.combine(now.date() + timedelta(days=4), time(11), NY)
            self.their_message(person, now, (ProposedTime(at, "Could we move it?", False),))

    # -- invariants that hold whatever happened ------------------------------------------

    def check(self, now: datetime, due: list[DueAction]) -> None:
        due_for = {a.contact_id for a in due}
        for person in self.people.values():
            f = person.facts
            if f.closed or f.handed_to is not None or person.said_no:
                continue
            if f.thankyou_sent_at is not None and not person.held:
                self.fail(person, now, "thanked without a meeting held")
            theirs = f.last_message_at
            ours = [m for m in (f.last_sent_at, f.replies_seen_at, f.met_at) if m is not None]
            waiting_on_user = theirs is not None and (not ours or theirs > max(ours))
            deferral = f.reading is not None and f.reading.first(Deferral) is not None
            added = (  # the people it named are contacts now: the user acted on it
                f.reading is not None
                and bool(f.reading.findings)
                and all(isinstance(x, Referral | Handoff) for x in f.reading.findings)
                and not f.people_to_add
            )
            if (
                waiting_on_user
                and not deferral
                and not added
                and theirs is not None
                and now - theirs > timedelta(days=1)
                and person.facts.contact_id not in due_for
            ):
                self.fail(person, now, "dropped from due while their reply waits on the user")

    def work_through(self, person: Person, now: datetime) -> None:
        """Do what `due` lists for the contact, running `due` again after each step (as a
        user does: a step may change what comes next)."""
        for _ in range(6):
            items = [
                a
                for a in due_actions([person.facts], CONFIG, now, NY)
                if a.action not in (Action.PROMISE, Action.CONGRATULATE)
            ]
            if not items:
                return
            self.act(person, items[0], now)
            now += timedelta(minutes=1)
        self.fail(person, now, f"`due` still lists {[a.action.value for a in items]}")

    # -- the months --------------------------------------------------------------------------

    def run(self) -> None:
        for person in list(self.people.values()):  # the first messages go out on day one
            self.offer(person, datetime.combine(START, time(9), NY), None)
            self.send(person, datetime.combine(START, time(9), NY), "first")
        for offset in range(1, DAYS):
            day = START + timedelta(days=offset)
            if not is_business_day(day):
                continue
            morning = datetime.combine(day, time(9), NY)
            due = due_actions([p.facts for p in self.people.values()], CONFIG, morning, NY)
            self.check(morning, due)
            for cid in dict.fromkeys(item.contact_id for item in due):
                self.work_through(self.people[cid], morning + timedelta(minutes=1))
            afternoon = datetime.combine(day, time(14), NY)
            for person in list(self.people.values()):
                self.answer(person, afternoon)
            evening = datetime.combine(day, time(18), NY)
            for person in self.people.values():  # meetings of the day happen, or not
                f = person.facts
                if (
                    f.meeting_state == "scheduled"
                    and f.meeting_end is not None
                    and morning <= f.meeting_end <= evening
                    and person.shows_up
                    and f.met_at is None
                ):
                    person.held = True


@pytest.mark.parametrize("seed", range(12))
def test_following_due_blindly_sends_nothing_embarrassing(seed: int) -> None:
    simulation = Simulation(seed)
    simulation.run()
    people = simulation.people.values()
    assert len(simulation.people) > PEOPLE  # referrals and colleagues joined
    assert any(p.facts.closed for p in people)
    assert any(p.thanked for p in people)
    assert any(p.facts.meeting_state == "missed" for p in people)
    assert any(p.facts.handed_to is not None for p in people)
