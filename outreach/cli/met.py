"""`outreach met` and `outreach referrals`: the conversation recorded, and who referred whom."""

from __future__ import annotations

import click

from outreach.app import AppContext, pass_app
from outreach.cli.output import emit_json, json_option

_EDITOR_TEMPLATE = """

# Notes on your conversation with {name}: what they said, what to try, whom to contact.
# The first line is what a thank-you quotes ("I keep coming back to what you said about ...").
# Lines starting with # are ignored; an empty note cancels.
"""


def _check_referrals(
    ctx: click.Context, param: click.Parameter, values: tuple[str, ...]
) -> tuple[str, ...]:
    from outreach.errors import ContactError
    from outreach.services.meetings.meetings_log import parse_referral

    for value in values:
        try:
            parse_referral(value)
        except ContactError as exc:
            raise click.BadParameter(f"{exc.message} {exc.hint or ''}".strip()) from None
    return values


def _notes_from_editor(label: str, ref: str) -> str:
    from outreach.cli.output import interactive
    from outreach.errors import OutreachError

    if not interactive():
        raise OutreachError(
            "No --notes given, and there is no terminal to open an editor in.",
            hint=f'Pass them: `outreach met {ref} --notes "what you talked about"`.',
        )
    try:
        text = click.edit(_EDITOR_TEMPLATE.format(name=label), extension=".md")
    except click.ClickException as exc:
        raise OutreachError(
            f"Could not open an editor for the notes: {exc.format_message()}",
            hint='Pass the notes with --notes "...", or set $EDITOR (e.g. EDITOR=nano).',
        ) from None
    lines = [line for line in (text or "").splitlines() if not line.lstrip().startswith("#")]
    notes = "\n".join(lines).strip()
    if not notes:
        raise OutreachError(
            "No notes were written, so nothing was recorded.",
            hint='Write the notes in the editor and save, or pass --notes "...".',
        )
    return notes


def _has_notes(app: AppContext, contact_id: int) -> bool:
    """Whether the conversation is recorded with notes already (`met` again only adds)."""
    meeting = app.store.meetings.latest(contact_id)
    return meeting is not None and meeting.state == "held" and bool(meeting.notes.strip())


@click.command()
@click.argument("contact")
@click.option(
    "--notes",
    help="What THEY said: a topic, their advice or a sentence (else $EDITOR opens, on a "
    'terminal). The thank-you recalls the first item: "what you said about ...".',
)
@click.option(
    "--takeaways",
    help='What YOU will do with it, e.g. "take the battery course": the thank-you says '
    "\"I'm going to ...\".",
)
@click.option(
    "--referral",
    "referrals",
    multiple=True,
    callback=_check_referrals,
    metavar='"NAME <EMAIL>"',
    help='Someone they suggested you talk to (repeatable); your note to them names CONTACT. '
    'A name alone ("Bob at RMI") is kept until you add their address.',
)
@click.option(
    "--referral-no-mention",
    "unnamed_referrals",
    multiple=True,
    callback=_check_referrals,
    metavar='"NAME <EMAIL>"',
    help="Someone they suggested, without permission to say so: your note to them does not "
    "name CONTACT (repeatable).",
)
@click.option(
    "--resources",
    help="What they mentioned: books, courses, groups, links (new lines or \";\" between).",
)
@click.option(
    "--promise",
    "promises",
    multiple=True,
    metavar="TEXT",
    help='Something you promised, e.g. "send my résumé" (repeatable): in `outreach due` until '
    "`outreach promises --done N`; the thank-you mentions it.",
)
@click.option(
    "--missed",
    is_flag=True,
    help="The booked meeting did not happen (they did not show, or you could not): it is "
    "never thanked, and `outreach due` offers new times instead.",
)
@json_option
@pass_app
def met(
    app: AppContext,
    contact: str,
    missed: bool,
    notes: str | None,
    takeaways: str | None,
    referrals: tuple[str, ...],
    unnamed_referrals: tuple[str, ...],
    resources: str | None,
    promises: tuple[str, ...],
    as_json: bool,
) -> None:
    """Record a conversation with CONTACT: what they said (--notes), what you will do
    (--takeaways), resources they mentioned, what you promised, and who they suggested you
    talk to (--referral).

    With no options, on a terminal, it asks each question in turn. Marks the booked meeting
    as held (or records one of the configured length, ending now, if nothing was booked).
    Separate several items with new lines or ";": the thank-you uses the first of each. Each
    referral becomes a contact referred by CONTACT, ready for `outreach followup` once it has
    an address.
    """
    from outreach.cli.capture import MET_FLAGS, interview
    from outreach.cli.output import interactive
    from outreach.errors import OutreachError
    from outreach.services.meetings.meetings_log import record_meeting

    if missed:
        _record_missed(app, contact, as_json, bool(notes or takeaways or resources or referrals
                                                   or unnamed_referrals or promises))
        return
    who = app.store.contacts.get(contact)
    no_options = all(value is None for value in (notes, takeaways, resources))
    if no_options and not (referrals or unnamed_referrals or promises):
        if not interactive():
            raise OutreachError(
                "Nothing to record: no options given, and no terminal to ask the questions on.",
                hint=f"Pass what to record: `outreach met {who.email or who.id} {MET_FLAGS}`.",
            )
        answers = interview(who)
        if answers.empty:
            raise OutreachError(
                "Nothing was answered, so nothing was recorded.",
                hint="Run it again and answer at least one question, or pass --notes.",
            )
        notes, takeaways = answers.notes, answers.takeaways
        resources, promises = answers.resources, tuple(answers.promises)
        referrals, unnamed_referrals = tuple(answers.referrals), tuple(answers.unnamed_referrals)
    elif notes is None and not _has_notes(app, who.id):  # adding to a recorded conversation
        notes = _notes_from_editor(who.label(), who.email or str(who.id))  # keeps its notes
    result = record_meeting(
        app,
        contact,
        notes=notes,
        takeaways=takeaways,
        referrals=referrals,
        unnamed_referrals=unnamed_referrals,
        resources=resources,
        promises=promises,
    )
    if as_json:
        emit_json(
            {
                "contact": who.email or str(who.id),
                "meeting_created": result.created_meeting,
                "referrals_added": [_ref_json(p) for p in result.added],
                "referrals_linked": [_ref_json(p) for p in result.linked],
                "referrals_unchanged": [
                    _ref_json(p)
                    for p in [*result.unchanged, *result.unchanged_named, *result.known]
                ],
                "promises": [{"id": p.id, "promise": p.text} for p in result.promises],
            }
        )
        return
    how = "recorded now (nothing was booked)" if result.created_meeting else "marked as held"
    click.echo(f"Conversation with {who.label()} {how}.")
    for person in result.added:
        quiet = "" if person.mention_referrer is not False else f" (without naming {who.name})"
        if person.email:
            click.echo(f"  added referral {person.label()}{quiet}")
        else:
            click.echo(
                f"  added referral {person.label()}{quiet}: no address yet, so unreachable until "
                f"you add one: `outreach contacts edit {person.id} --email ADDRESS`"
            )
    for person in result.linked:
        click.echo(f"  {person.label()} is now marked as referred by {who.name}")
    for person in result.known:
        click.echo(f"  {person.label()} was already recorded as referred by {who.name}")
    for person in result.unchanged:
        click.echo(f"  {person.label()} was already referred by someone else; left as it was")
    for promise in result.promises:
        click.echo(f"  promise {promise.id}: {promise.text} (in `outreach due` until done)")
    for person in result.unchanged_named:
        click.echo(f"  {person.label()} was already recorded as their referral")
    reachable = [p for p in (*result.added, *result.linked) if p.email]
    click.echo(
        "Next: `outreach followup` drafts the thank-you"
        + (" and the referral outreach." if reachable else ".")
    )


def _record_missed(app: AppContext, contact: str, as_json: bool, other_options: bool) -> None:
    from outreach.errors import OutreachError
    from outreach.services.conversation.outcomes import mark_missed

    if other_options:
        raise OutreachError(
            "--missed records that the meeting did not happen; it takes no notes, referrals "
            "or promises.",
            hint="Run `outreach met CONTACT --missed` alone.",
        )
    result = mark_missed(app, contact)
    ref = result.contact.email or str(result.contact.id)
    if as_json:
        emit_json({"contact": ref, "meeting": result.meeting.id, "state": result.meeting.state})
        return
    click.echo(f"The meeting with {result.contact.label()} is marked missed; no thank-you.")
    click.echo(f"Next: `outreach draft newtimes {ref}` to offer new times.")


def _ref_json(person: object) -> dict[str, object]:
    from outreach.contacts.model import Contact

    assert isinstance(person, Contact)
    return {"id": person.id, "email": person.email, "name": person.name, "org": person.org}


@click.command()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["tree", "mermaid", "dot"]),
    default="tree",
    show_default=True,
    help="tree: on the terminal; mermaid: a flowchart for notes apps (Obsidian, GitHub); "
    "dot: Graphviz (`dot -Tsvg`).",
)
@json_option
@pass_app
def referrals(app: AppContext, fmt: str, as_json: bool) -> None:
    """Who referred whom, as a tree, with each contact's stage."""
    from outreach.services.meetings.meetings_log import ReferralNode, referral_tree

    roots = referral_tree(app.store)
    if as_json:
        emit_json([root.to_json() for root in roots])
        return
    if fmt != "tree":
        from outreach.services.contacts.referral_graph import dot, mermaid

        click.echo((mermaid if fmt == "mermaid" else dot)(roots), nl=False)
        return
    if not roots:
        click.echo('No referrals yet. Record them with `outreach met CONTACT --referral "..."`.')
        return
    from rich.console import Console
    from rich.markup import escape
    from rich.tree import Tree

    def label(node: ReferralNode) -> str:
        return f"{escape(node.contact.label())} [dim]({node.stage.value})[/dim]"

    def add(branch: Tree, node: ReferralNode) -> None:
        for child in node.children:
            add(branch.add(label(child)), child)

    tree = Tree("[bold]Referrals[/bold]")
    for root in roots:
        add(tree.add(label(root)), root)
    Console(soft_wrap=False).print(tree)
