"""Gathering busy times from the configured sources and proposing slots per contact.

Busy sources are read once per run. Slots proposed to one contact are held at once, so the
next contact in the same run (and any later run, until the hold expires or the meeting is
booked) is not offered the same time; when free time runs out, `[schedule] when_full` (or
`outreach draft --when-full`) says what happens (see :class:`SlotPlanner`).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from outreach.app import AppContext
from outreach.calendars.ics_feed import fetch_feed, is_feed, shown
from outreach.clock import iso
from outreach.contacts.model import Contact
from outreach.errors import ContactError, ScheduleError
from outreach.schedule.busy import busy_from_ics, load_ics_busy
from outreach.schedule.engine import SlotEngine
from outreach.schedule.intervals import Interval, subtract
from outreach.schedule.slots import Slot, check_request, no_slot_error, to_slots


def contact_zone(contact: Contact) -> ZoneInfo | None:
    """The contact's zone: the one given, else a guess from country data, else None."""
    if not contact.zone_name:
        return None
    try:
        return ZoneInfo(contact.zone_name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ContactError(
            f"{contact.label()} has an unknown time zone {contact.timezone!r}.",
            hint=f"Fix it: `outreach contacts edit {contact.id} --tz Europe/Berlin`.",
        ) from None


def contact_zone_or_none(contact: Contact) -> ZoneInfo | None:
    """The contact's zone, or None when it is unknown or not a valid zone name (reported
    where it matters: proposing slots)."""
    try:
        return contact_zone(contact)
    except ContactError:
        return None


def gather_busy(app: AppContext, start: datetime, end: datetime) -> list[Interval]:
    """Busy intervals from every configured source within [start, end)."""
    config = app.config
    busy: list[Interval] = []
    for source in config.schedule.busy:
        if source in ("google", "microsoft"):  # the mailbox's own calendar
            kind = app.mail_kind()
            if kind.busy_source != source:
                continue  # no such account to ask
            from outreach.services.meetings.calendar_sync import counted_by_calendar

            # The calendar reports the tool's own events too: count those once, from the store.
            found = kind.read_busy(config, app.calendar, start, end)
            busy.extend(subtract(found, counted_by_calendar(app)))
        elif is_feed(source):
            data = fetch_feed(source, app.workspace.cache_dir)
            busy.extend(busy_from_ics(data, start, end, config.user.zone, source=shown(source)))
        else:
            busy.extend(load_ics_busy(app.workspace.resolve(source), start, end, config.user.zone))
    for meeting in app.store.meetings.scheduled():
        busy.append(
            Interval(datetime.fromisoformat(meeting.start), datetime.fromisoformat(meeting.end))
        )
    return busy


FEW = 5
"""With when_full "stop", up to this many contacts without a free slot are asked for their
times (with a note) instead of stopping the run."""


class SlotsExhaustedError(ScheduleError):
    """Free time ran out part-way through a batch, and the user has not said what to do."""


_OUTSIDE_RANGE = -1  # the engine owner that holds the time outside a range they proposed


class SlotPlanner:
    """Proposes slots contact after contact, holding each contact's slots as it goes.

    One :class:`SlotEngine` serves the whole run: busy times are read once, the slots held in
    the database and those given out in this run block later contacts, and each contact costs
    the same however many came before. A contact that still holds valid slots from an earlier
    run is offered the same times again.

    When free time runs out (no time left that nobody else was offered), ``when_full`` says
    what the contacts left over get: ``"ask"`` no slots (the templates then ask for their
    times), ``"share"`` times already offered to others, the least-offered first, ``"stop"``
    no slots, and if more than :data:`FEW` are left over, :meth:`check` raises before anything
    is drafted, saying how many contacts got slots of their own and what to change (a few are
    asked for their times, each with a note: stopping a batch of 50 because three contacts in
    Kolkata share one evening helps nobody). Default: ``"share"`` if the config says so, else
    ``"ask"`` (``outreach draft`` passes the config's choice or its ``--when-full``).
    """

    def __init__(
        self,
        app: AppContext,
        now: datetime,
        when_full: str | None = None,
        within: tuple[datetime, datetime] | None = None,
    ) -> None:
        self.app = app
        self.now = now
        schedule = app.config.schedule
        if when_full is None:
            when_full = "share" if schedule.when_full == "share" else "ask"
        self.when_full = "ask" if within is not None else when_full
        window_end = now + timedelta(days=schedule.horizon_days + 1)
        self.engine = SlotEngine(
            now, schedule, app.config.user.zone, gather_busy(app, now, window_end)
        )
        if within is not None:  # a range they proposed: no time outside it (never released)
            self.engine.hold(_OUTSIDE_RANGE, now, max(now, within[0]))
            self.engine.hold(_OUTSIDE_RANGE, min(within[1], window_end), window_end)
        # Holds belong to (contact, message): a re-run of the same message keeps its times; a
        # new message to the same contact (new times after "none of those work") gets others.
        self._owners: dict[tuple[int, str], int] = {}
        self._owners_of: dict[int, list[int]] = {}
        self._latest_key: dict[int, str] = {}
        held = app.store.proposals.held(iso(now))
        for row in sorted(held, key=lambda r: (r.created_at, r.id)):
            key = row.message_idem_key or ""
            self._latest_key[row.contact_id] = key
            self.engine.hold(
                self._owner(row.contact_id, key),
                datetime.fromisoformat(row.start),
                datetime.fromisoformat(row.end),
            )
        self.held_before = len({row.contact_id for row in held})
        self.notes: dict[int, str] = {}  # contact id -> why its slots are not its own, or none
        self.shared: dict[int, int] = {}  # contact id -> most other holders of one of its times
        self.planned = 0  # contacts proposed for
        self.own = 0  # ... who got slots nobody else holds
        self.exhausted: list[Contact] = []  # ... who got none because others hold the time

    def _owner(self, contact_id: int, key: str) -> int:
        """The engine's owner number for the holds of one message to one contact."""
        owner = self._owners.get((contact_id, key))
        if owner is None:
            owner = self._owners[contact_id, key] = len(self._owners) + 1
            self._owners_of.setdefault(contact_id, []).append(owner)
        return owner

    def slots_for(
        self,
        contact: Contact,
        count: int | None = None,
        *,
        fallback: bool = True,
        key: str | None = None,
    ) -> list[Slot]:
        """Slots for one contact, held against everyone else's (and held for it at once).

        ``key`` is the idempotency key of the message they are for: slots still held for the
        same message are offered again (a re-run changes no times); slots held for another
        message to the contact block like anyone else's. Without a key (preview, `outreach
        slots`), the contact's latest held offer is taken as the message.

        ``fallback=False`` (one contact, e.g. `outreach slots`): no slot at all is an error that
        says what to widen. Otherwise a contact without slots gets none and a note; the
        templates then ask for the contact's own times.
        """
        config = self.app.config
        wanted = check_request(
            config.schedule, config.schedule.slot_count if count is None else count
        )
        zone = contact_zone(contact)
        share = fallback and self.when_full == "share"
        if key is None:
            key = self._latest_key.get(contact.id, "")
        owner = self._owner(contact.id, key)
        proposal = self.engine.propose(zone, wanted, owner, share=share, keep_own=True)
        self.planned += 1
        if not proposal.chosen:
            if proposal.possible and fallback:
                self.exhausted.append(contact)
                self.notes[contact.id] = (
                    "free time ran out (every free slot is offered to someone else), "
                    "so it asks for their times"
                )
                return []
            error = no_slot_error(self.engine, zone, bool(self.held_before or self.planned > 1))
            if not fallback:
                raise error
            self.notes[contact.id] = f"no slot, so it asks for their times: {error.message}"
            if error.hint:
                self.notes[contact.id] += f" {error.hint}"
            return []
        if proposal.shared:
            self.shared[contact.id] = proposal.shared
            self.notes[contact.id] = (
                "free time ran out, so its times are also offered to other contacts"
            )
        else:
            self.own += 1
        for previous in self._owners_of[contact.id]:  # drafting releases all the contact held
            self.engine.release(previous)
        for c in proposal.chosen:
            self.engine.hold(owner, c.start, c.end)
        self._latest_key[contact.id] = key
        return to_slots(proposal.chosen, config.user.zone, zone)

    def check(self) -> None:
        """Stop before anything is drafted when free time ran out for more than :data:`FEW`
        contacts and ``when_full`` is "stop".

        Raises:
            SlotsExhaustedError: naming how many contacts got slots of their own and the
                choices: ask for their times, share times, or make room.
        """
        if self.when_full != "stop" or len(self.exhausted) <= FEW:
            return
        schedule = self.app.config.schedule
        left = len(self.exhausted)
        total = self.planned
        per_time = _about_per_time(left * schedule.slot_count, self.engine.held_spans())
        if self.own:
            message = (
                f"Free time runs out: {self.own} of {_n(total)} contacts can be offered slots "
                f"nobody else is offered; {_n(left)} would get none. Nothing was drafted."
            )
            batch = f"draft a smaller batch (--limit {self.own}, then later --stage new)"
        else:
            message = (
                f"No free time is left in the next {schedule.horizon_days} days: every free "
                f"slot is already offered to other contacts ({_n(self.held_before)} with "
                f"slots held, for up to {schedule.hold_days} days or until booked). "
                "Nothing was drafted."
            )
            batch = "wait until held slots are booked or released"
        hint = (
            f"Choose what the {_n(left)} get: `--when-full ask` drafts them asking for their "
            f"times; `--when-full share` offers them times already offered to others (each "
            f"time to about {per_time} people). Or make room: {batch}, raise [schedule] "
            f"horizon_days (now {schedule.horizon_days}), or widen working_hours "
            f'("{schedule.working_hours}") or working_days in config.toml. To choose once '
            'for all, set [schedule] when_full = "ask" or "share".'
        )
        raise SlotsExhaustedError(message, hint=hint)


def _about_per_time(offers: int, held_spans: int) -> int:
    """How many people each held time would be offered to, if ``offers`` more were spread."""
    if held_spans == 0:
        return offers
    return 1 + -(-offers // held_spans)


def _n(number: int) -> str:
    return f"{number:,}"
