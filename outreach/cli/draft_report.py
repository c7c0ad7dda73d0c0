"""How `draft` and `followup` report: grouped skip lines, zones, and their JSON items."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import click

from outreach.app import AppContext
from outreach.cli.output import plural, slot_json, zone_note

if TYPE_CHECKING:
    from outreach.contacts.model import Contact
    from outreach.services.drafting.drafts import DraftReport, PlannedMessage


def contact_ref(contact: Contact) -> str:
    return contact.email or str(contact.id)


def list_command(tag: str | None, stage: str | None, flag: str) -> str:
    parts = ["outreach contacts list"]
    if tag:
        parts.append(f"--tag {tag}")
    if stage:
        parts.append(f"--stage {stage}")
    parts.append(flag)
    return " ".join(parts)


def print_skipped(
    app: AppContext,
    skipped: Sequence[tuple[str, str]],
    *,
    tag: str | None = None,
    stage: str | None = None,
    verb: str = "skipped",
) -> None:
    """One line per reason, not per contact (each contact with --verbose); a missing address
    names the command that lists those contacts."""
    groups: dict[str, list[str]] = {}
    for label, reason in skipped:
        groups.setdefault(reason, []).append(label)
    for reason, labels in groups.items():
        if app.verbose or len(labels) == 1:
            for label in labels:
                click.secho(f"{verb} {label}: {reason}", fg="yellow", err=True)
            continue
        if reason.startswith("no email address"):
            click.secho(
                f"{verb} {plural(len(labels), 'contact')} without an email address: "
                f"`{list_command(tag, stage, '--no-email')}` lists them; add one with "
                "`outreach contacts edit CONTACT --email ADDRESS`.",
                fg="yellow",
                err=True,
            )
        else:
            click.secho(
                f"{verb} {plural(len(labels), 'contact')}: {reason} "
                "(`outreach --verbose ...` names them).",
                fg="yellow",
                err=True,
            )


def print_notes(app: AppContext, planned: Sequence[PlannedMessage]) -> None:
    notes = [(plan.contact.label(), plan.note) for plan in planned if plan.note]
    print_skipped(app, notes, verb="note   ")
    most = max((plan.shared_with for plan in planned), default=0)
    if most:
        click.secho(
            f"note    shared times: each is offered to at most {most + 1} people.",
            fg="yellow",
            err=True,
        )


def zone_summary(
    planned: Sequence[PlannedMessage], tag: str | None, stage: str | None
) -> None:
    """Say, once, whose times are shown in a guessed zone or in the user's zone only."""
    with_slots = [plan.contact for plan in planned if plan.slots]
    unknown = [c for c in with_slots if not c.zone_name]
    guessed = [c for c in with_slots if not c.timezone and c.timezone_guess is not None]
    if unknown:
        click.secho(
            f"{plural(len(unknown), 'contact')} without a known time zone: their times are in "
            f"yours only (`{list_command(tag, stage, '--no-timezone')}` lists them; set one "
            "with `outreach contacts edit CONTACT --tz Area/City`).",
            fg="yellow",
            err=True,
        )
    if guessed:
        one = len(guessed) == 1
        whose = "1 contact's time zone is a guess" if one else (
            f"{len(guessed)} contacts' time zones are guesses"
        )
        click.secho(
            f"{whose} from country data (address, phone or email domain): `--dry-run` shows "
            "each; `outreach contacts edit CONTACT --tz ZONE` confirms one.",
            fg="cyan",
            err=True,
        )


def plan_json(plan: PlannedMessage, status: str) -> dict[str, Any]:
    contact = plan.contact
    return {
        "contact": contact_ref(contact),
        "name": contact.name,
        "email": contact.email,
        "template": plan.template,
        "kind": plan.kind,
        "subject": plan.subject,
        "status": status,
        "timezone": contact.zone_name or None,
        "timezone_guessed": bool(contact.zone_name and not contact.timezone),
        "slots": [slot_json(slot, contact) for slot in plan.slots],
        "note": plan.note,
        "reminders": list(plan.reminders),
    }


def problems_json(items: Sequence[tuple[str, str]]) -> list[dict[str, str]]:
    return [{"contact": label, "reason": reason} for label, reason in items]


def where_drafts(app: AppContext) -> str:
    from outreach.services.workspace.mailbox_words import drafts_shown

    return drafts_shown(app)


def print_preview(planned: Sequence[PlannedMessage]) -> None:
    for plan in planned:
        click.echo(f"--- {plan.contact.label()}: {plan.subject}")
        if plan.note:
            click.echo(f"    note: {plan.note}")
        if plan.slots:
            click.echo(f"    their zone: {zone_note(plan.contact)}")
        for slot in plan.slots:
            click.echo(f"    slot: {slot}")


def draft_summary(report: DraftReport) -> str:
    left = "it is" if len(report.edited) == 1 else "they are"
    edited = f", {len(report.edited)} edited by you and left as {left}" if report.edited else ""
    return (
        f"Drafts: {len(report.created)} created, {len(report.updated)} updated, "
        f"{len(report.failed)} failed, {len(report.skipped)} skipped{edited}."
    )


def print_edited(labels: Sequence[str], command: str) -> None:
    """The drafts the user edited, which a run left alone, and how to replace them anyway."""
    for label in labels:
        click.secho(
            f"kept    {label}: you edited this draft, so it is left as it is "
            f"(`{command} --force` replaces it with a fresh one)",
            fg="yellow",
            err=True,
        )
