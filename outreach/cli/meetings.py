"""`outreach slots`, `book`, `reschedule` and `cancel`."""

from __future__ import annotations

from collections.abc import Callable

import click

from outreach.app import AppContext, pass_app
from outreach.cli.output import emit_json, json_option


@click.command()
@click.option("--contact", help="Show the times in this CONTACT's time zone too.")
@click.option("--count", type=click.IntRange(1, 10), help="How many slots (default: config).")
@json_option
@pass_app
def slots(app: AppContext, contact: str | None, count: int | None, as_json: bool) -> None:
    """Propose meeting times from your free time (nothing is held or written).

    With --contact, each time is shown in their zone too (a zone guessed from their country is
    said to be a guess). --json gives both zones for every slot.
    """
    from outreach.cli.output import slot_json, zone_note
    from outreach.services.meetings.availability import SlotPlanner

    person = app.store.contacts.get(contact) if contact else None
    planner = SlotPlanner(app, app.now())
    if person is None:
        from outreach.contacts.model import Contact

        person = Contact(id=0, name="(anyone)", email=None)
    if contact and not as_json:
        click.secho(f"(their time zone: {zone_note(person)})", fg="cyan", err=True)
    proposed = planner.slots_for(person, count, fallback=False)
    if as_json:
        emit_json([slot_json(slot, person) for slot in proposed])
        return
    for number, slot in enumerate(proposed, start=1):
        click.echo(f"{number}. {slot}")


def _report(result: object, verb: str, what: str = "invite") -> None:
    from outreach.services.meetings.booking import BookingResult

    assert isinstance(result, BookingResult)
    if result.calendar_note:
        click.secho(f"Note: {result.calendar_note}", fg="yellow", err=True)
    for label, reason in result.draft.failed:
        click.secho(f"failed  {label}: {reason}", fg="red", err=True)
    if result.draft.failed:
        raise SystemExit(1)
    if result.withdrawn:
        click.echo(
            f"{verb} {result.when}. The invite had not been sent, so nothing goes out: "
            "its draft was removed."
        )
    else:
        subject = f' ("{result.subject}")' if result.subject else ""
        if result.copied:
            subject += f", copied to {', '.join(result.copied)},"
        if result.sent is not None and result.sent.sent:
            click.echo(f"{verb} {result.when}; the {what}{subject} was sent.")
        else:
            click.echo(
                f"{verb} {result.when}; the {what}{subject} is drafted in the thread. Send it "
                "with `outreach send` (or from your mail client)."
            )
    _calendar_line(result.meeting)


def _calendar_line(meeting: object) -> None:
    """Where the meeting stands on the user's Google Calendar, when it is there."""
    from outreach.services.meetings.calendar_sync import MeetingRow, calendar_line

    assert isinstance(meeting, MeetingRow)
    line = calendar_line(meeting)
    if line is not None:
        click.echo(line)


def _asker(yes: bool) -> Callable[[str], bool]:
    """Questions about odd or busy times: --yes answers them; without a terminal to answer
    on, the question becomes an error that names the flag (never a bare "Aborted!")."""

    def ask(question: str) -> bool:
        if yes:
            click.echo(f"{question} Yes (--yes).", err=True)
            return True
        try:
            return click.confirm(question, default=False, err=True)
        except click.Abort:
            from outreach.errors import ScheduleError

            concern = question.removesuffix(" Book it anyway?").rstrip(".")
            raise ScheduleError(
                f"Not booked: {concern}, and there is no terminal to ask whether to book it "
                "anyway.",
                hint="Run it on a terminal to answer, or add --yes to book it anyway.",
            ) from None

    return ask


def _zone_picker() -> Callable[[object], str | None]:
    """Which clock a bare --at meant, asked on the terminal; None without one to ask on (the
    service then refuses, naming both readings). --yes never answers this: it is not a
    question of "anyway" but of which hour."""

    def pick(question: object) -> str | None:
        from outreach.services.meetings.booking import ZoneQuestion

        assert isinstance(question, ZoneQuestion)
        click.echo(f"Which time? {question.question}", err=True)
        click.echo(f"  1. {question.yours}", err=True)
        click.echo(f"  2. {question.theirs}", err=True)
        try:
            answer = click.prompt(
                "Type 1 or 2", type=click.Choice(["1", "2"]), show_choices=False, err=True
            )
        except click.Abort:
            return None
        return "yours" if answer == "1" else "theirs"

    return pick


yes_option = click.option(
    "--yes", is_flag=True, help="Book even an odd or busy time without asking."
)
their_time_option = click.option(
    "--their-time",
    is_flag=True,
    help="A bare --at time is on the contact's clock (their time zone), not yours.",
)


@click.command()
@click.argument("contact")
@click.option("--slot", type=click.IntRange(min=1), help="Book proposed slot N.")
@click.option(
    "--at",
    "at",
    metavar="DATETIME",
    help='Book this time: 2026-03-04T15:00+01:00, "2026-03-04 15:00 Europe/Berlin", or a bare '
    "time (yours; asked about when their zone differs).",
)
@click.option("--send", is_flag=True, help="Send the invite now instead of drafting it.")
@click.option(
    "--video/--no-video",
    default=None,
    help="Make a Google Meet link with the calendar event and put it in the invite (Gmail "
    "backend; default: [schedule] meet_link).",
)
@click.option(
    "--cc",
    "cc",
    multiple=True,
    metavar="ADDRESS",
    help="Copy ADDRESS (their assistant) on the invite, its updates and confirmations; "
    "remembered for CONTACT (repeatable; `contacts edit --no-cc` stops it).",
)
@their_time_option
@yes_option
@pass_app
def book(
    app: AppContext,
    contact: str,
    slot: int | None,
    at: str | None,
    send: bool,
    video: bool | None,
    cc: tuple[str, ...],
    their_time: bool,
    yes: bool,
) -> None:
    """Book a time with CONTACT and draft (or --send) a real calendar invite in the thread.

    --slot N books one of the times last proposed to CONTACT; --at books any future time,
    with an offset (2026-03-04T15:00+01:00) or a zone name ("2026-03-04 15:00 Europe/Berlin");
    a bare time is yours, or theirs with --their-time, and when their clock differs from yours
    you are asked which you meant (without a terminal it is refused). A time in the past
    is refused; one outside either person's working hours, at night for them, or no longer
    free is asked about first. Other slots held for CONTACT are released. With Gmail, the
    meeting is also put on your Google Calendar, with no guests: the only invitation CONTACT
    gets is yours, in the thread.
    """
    from outreach.services.meetings.booking import book as run_book

    if (slot is None) == (at is None):
        raise click.UsageError("Give exactly one of --slot N or --at DATETIME.")
    if their_time and at is None:
        raise click.UsageError("--their-time goes with --at (a slot's time is already known).")
    _report(
        run_book(
            app,
            contact,
            slot=slot,
            at=at,
            send=send,
            confirm=_asker(yes),
            video=video,
            their_time=their_time,
            pick=_zone_picker(),
            cc=list(cc) if cc else None,
        ),
        "Booked",
    )


@click.command()
@click.argument("contact")
@click.option("--at", "at", required=True, metavar="DATETIME", help="The new time.")
@click.option("--send", is_flag=True, help="Send the updated invite now.")
@their_time_option
@yes_option
@pass_app
def reschedule(
    app: AppContext, contact: str, at: str, send: bool, their_time: bool, yes: bool
) -> None:
    """Move CONTACT's meeting to a new time: one invite, with the same UID.

    If the earlier invite was never sent, its draft is rewritten (they will only ever see
    the new time); otherwise an updated invite (SEQUENCE + 1) is drafted in the thread.
    --at reads like `book --at` (an offset, a zone name, or --their-time).
    """
    from outreach.services.meetings.booking import reschedule as run_reschedule

    _report(
        run_reschedule(
            app,
            contact,
            at=at,
            send=send,
            confirm=_asker(yes),
            their_time=their_time,
            pick=_zone_picker(),
        ),
        "Moved to",
        "updated invite",
    )


@click.command()
@click.argument("contact")
@click.option("--send", is_flag=True, help="Send the cancellation now.")
@pass_app
def cancel(app: AppContext, contact: str, send: bool) -> None:
    """Cancel CONTACT's meeting.

    If they never received the invite, its draft is removed and nothing is sent; otherwise a
    cancellation (METHOD:CANCEL) is drafted in the thread, to remove it from their calendar.
    """
    from outreach.services.meetings.booking import cancel as run_cancel

    _report(run_cancel(app, contact, send=send), "Cancelled", "cancellation")
