"""What templates see as ``meeting``, built from the contact's latest meeting: its time in both
zones, how to join, the notes and takeaways, resources, open promises, and the people the
contact referred with what came of each (for the keep-in-touch note that closes the loop)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from outreach.app import AppContext
from outreach.compose.render import meeting_vars
from outreach.contacts.model import Contact
from outreach.schedule.slots import Slot
from outreach.services.meetings.availability import contact_zone_or_none
from outreach.track.model import Action, ContactFacts, Stage
from outreach.track.pipeline import contact_due_actions, stage


def _abbreviation(moment: datetime) -> str:
    return moment.tzname() or moment.strftime("%z")


def _day_clock(moment: datetime) -> str:
    return f"{moment:%a} {moment.day} {moment:%b}, {moment:%H:%M} {_abbreviation(moment)}"


def format_span(app: AppContext, contact: Contact, start: datetime, end: datetime) -> str:
    """A time in both people's zones, e.g. "Tue 2 Dec, 10:00-10:20 EST / 15:00-15:20 GMT".

    A meeting recorded by `met` without a booking has no length: then just its start.
    """
    user_tz, contact_tz = app.config.user.zone, contact_zone_or_none(contact)
    if end > start:
        return Slot(start, end).format(user_tz, contact_tz)
    mine = _day_clock(start.astimezone(user_tz))
    if contact_tz is None or start.astimezone(contact_tz).utcoffset() == start.astimezone(
        user_tz
    ).utcoffset():
        return mine
    return f"{mine} / {_day_clock(start.astimezone(contact_tz))}"


def meeting_context(
    app: AppContext, contact: Contact, *, include_cancelled: bool = True
) -> dict[str, Any] | None:
    """The contact's latest meeting as template variables, or None when there is none (nor,
    unless ``include_cancelled``, when it did not take place: cancelled or declined)."""
    meeting = app.store.meetings.latest(contact.id)
    if meeting is None or (
        meeting.state in ("cancelled", "declined") and not include_cancelled
    ):
        return None
    start = datetime.fromisoformat(meeting.start)
    end = datetime.fromisoformat(meeting.end)
    zone = app.config.user.zone
    referrals = referral_outcomes(app, contact)
    values = meeting_vars(
        start=_day_clock(start.astimezone(zone)),
        end=f"{end.astimezone(zone):%H:%M} {_abbreviation(end.astimezone(zone))}",
        when=format_span(app, contact, start, end),
        join=meeting.join_url or app.config.schedule.how_to_join,
        notes=meeting.notes,
        takeaways=meeting.takeaways,
        referrals=referrals,
    )
    values["sequence"] = meeting.sequence
    values["state"] = meeting.state
    # Texts fit what happened: thanks only for a conversation held; "as promised" new times
    # only after a cancellation the contact received.
    values["held"] = meeting.met_at is not None
    values["missed"] = meeting.state == "missed"  # the state `conversation` records
    values["missed_before"] = _missed_before(app, contact, meeting.id)
    values["invited"] = any(
        row.reached_contact for row in app.store.messages.invites_for(meeting.id)
    )
    values["rsvp"] = meeting.rsvp or ""
    values["resources"] = meeting.resources
    values["promises"] = [
        p.text for p in app.store.promises.for_meeting(meeting.id) if p.done_at is None
    ]
    return values


def _missed_before(app: AppContext, contact: Contact, meeting_id: int) -> str:
    """The time of the meeting just before this one, when they missed each other there (a
    new booking then begins "Sorry we missed each other on ..."), else ""."""
    earlier = [m for m in app.store.meetings.for_contact(contact.id) if m.id < meeting_id]
    if not earlier or earlier[-1].state != "missed":
        return ""
    previous = earlier[-1]
    return format_span(
        app, contact, datetime.fromisoformat(previous.start), datetime.fromisoformat(previous.end)
    )


def _outcome(app: AppContext, facts: ContactFacts) -> str:
    """What came of a referral, as :data:`outreach.compose.followthrough.OUTCOMES` names it.
    A first message left unanswered so long that `due` suggests closing is "no reply", not
    "waiting"."""
    current = stage(facts)
    if current is Stage.CLOSED:
        return "declined" if facts.closed_reason == "declined" else "no_reply"
    if current is Stage.BOUNCED:
        return "no_reply"
    if current in (Stage.MET, Stage.THANKED):
        return "met"
    if current is Stage.SCHEDULED:
        return "scheduled"
    if current is Stage.REPLIED:
        return "replied"
    if current is Stage.SENT:
        due = contact_due_actions(facts, app.config.followup, app.now(), app.config.user.zone)
        return "no_reply" if any(a.action is Action.CLOSE for a in due) else "waiting"
    return "not_yet"


def _month(moment: datetime, today: datetime) -> str:
    return f"in {moment:%B}" + ("" if moment.year == today.year else f" {moment.year}")


def referral_outcomes(app: AppContext, contact: Contact) -> list[dict[str, Any]]:
    """The people ``contact`` referred, each with what came of it: ``outcome``, ``when`` (a
    phrase such as "in March") and ``referred`` (whom they in turn introduced)."""
    store = app.store
    zone = app.config.user.zone
    today = app.now().astimezone(zone)
    found = []
    for person in store.contacts.referred_by(contact.id):
        facts = store.facts(person.id)[person.id]
        meeting = store.meetings.latest(person.id)
        outcome = _outcome(app, facts)
        when = ""
        if meeting is not None and outcome in ("met", "scheduled"):
            start = datetime.fromisoformat(meeting.start).astimezone(zone)
            when = _month(start, today) if outcome == "met" else (
                f"on {start:%a} {start.day} {start:%B}"
            )
        found.append(
            {
                "name": person.name,
                "email": person.email or "",
                "outcome": outcome,
                "when": when,
                "referred": [p.name for p in store.contacts.referred_by(person.id)],
                "may_name": person.mention_referrer is not False,
            }
        )
    return found
