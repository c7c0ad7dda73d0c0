"""`outreach templates ...`: list, show, preview, lint."""

from __future__ import annotations

import click

from outreach.app import AppContext, pass_app
from outreach.cli.output import print_table


@click.group()
def templates() -> None:
    """List, show, preview and lint templates."""


@templates.command("list")
@pass_app
def list_(app: AppContext) -> None:
    """Every template, its kind, and where it comes from (built-in or your workspace)."""
    from outreach.compose.templates import list_templates, parse_template

    rows = []
    for source in list_templates(app.workspace.templates_dir):
        parsed = parse_template(source)
        origin = (
            "built-in"
            if source.builtin
            else (
                f"{source.path} (overrides built-in)"
                if source.overrides_builtin
                else str(source.path)
            )
        )
        rows.append([source.name, parsed.kind, parsed.description, origin])
    print_table(None, ["template", "kind", "description", "from"], rows)


@templates.command("show")
@click.argument("template")
@pass_app
def show(app: AppContext, template: str) -> None:
    """Print TEMPLATE's source, e.g. to copy it into your workspace's templates/ and edit."""
    from outreach.compose.templates import get_template, load_templates

    source = get_template(load_templates(app.workspace.templates_dir), template)
    click.echo(source.text, nl=False)


@templates.command("preview")
@click.argument("template")
@click.argument("contact")
@pass_app
def preview(app: AppContext, template: str, contact: str) -> None:
    """Show exactly the message TEMPLATE makes for CONTACT (nothing is written or held)."""
    from outreach.compose.templates import get_template, load_templates
    from outreach.services.availability import SlotPlanner
    from outreach.services.drafting import render_for_contact, uses_slots
    from outreach.services.meeting_context import meeting_context

    source = get_template(load_templates(app.workspace.templates_dir), template)
    person = app.store.contacts.get(contact)
    planner = SlotPlanner(app, app.now()) if uses_slots(source) else None
    slots = planner.slots_for(person) if planner else []
    rendered = render_for_contact(app, source, person, slots, meeting_context(app, person))
    user = app.config.user
    click.echo(f"From: {user.name} <{user.email}>")
    click.echo(f"To: {person.name} <{person.email or 'no email address'}>")
    click.echo(f"Subject: {rendered.subject}")
    click.echo("")
    click.echo(rendered.text.rstrip("\n"))
    if planner is not None and person.id in planner.notes:
        click.secho(f"note: {planner.notes[person.id]}", fg="yellow", err=True)


@templates.command("lint")
@click.argument("names", nargs=-1)
@pass_app
def lint(app: AppContext, names: tuple[str, ...]) -> None:
    """Check templates (all, or NAMES) against the etiquette of a good request."""
    from outreach.compose.lint import lint as lint_one
    from outreach.compose.lint import sample_context
    from outreach.compose.templates import get_template, load_templates

    available = load_templates(app.workspace.templates_dir)
    chosen = [get_template(available, name) for name in names] or list(available.values())
    context = sample_context(app.config.user, meeting_minutes=app.config.schedule.meeting_minutes)
    errors = 0
    for source in chosen:
        findings = lint_one(source, context)
        errors += sum(1 for f in findings if f.severity == "error")
        if not findings:
            click.echo(f"ok       {source.name}")
        for finding in findings:
            colour = "red" if finding.severity == "error" else "yellow"
            click.secho(str(finding), fg=colour)
    if errors:
        click.echo(f"{errors} error(s). Fix them before drafting.", err=True)
        raise SystemExit(1)
