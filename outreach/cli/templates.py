"""`outreach templates ...`: list, show, new, preview, lint."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from outreach.app import AppContext, pass_app
from outreach.cli.output import emit_json, json_option, plural, print_table, zone_note

if TYPE_CHECKING:
    from outreach.compose.templates import TemplateSource


@click.group()
def templates() -> None:
    """List, show, start, preview and lint templates."""


def _origin(source: TemplateSource) -> str:
    if source.builtin:
        return "built-in"
    if source.overrides_builtin:
        return f"{source.path} (overrides built-in)"
    return str(source.path)


@templates.command("list")
@json_option
@pass_app
def list_(app: AppContext, as_json: bool) -> None:
    """Every template, its kind, and where it comes from (built-in or your workspace)."""
    from outreach.compose.templates import list_templates, parse_template

    sources = list_templates(app.workspace.templates_dir)
    parsed = {source.name: parse_template(source) for source in sources}
    if as_json:
        emit_json(
            [
                {
                    "name": source.name,
                    "kind": parsed[source.name].kind,
                    "description": parsed[source.name].description,
                    "builtin": source.builtin,
                    "overrides_builtin": source.overrides_builtin,
                    "path": None if source.builtin else str(source.path),
                }
                for source in sources
            ]
        )
        return
    print_table(
        None,
        ["template", "kind", "description", "from"],
        [
            [s.name, parsed[s.name].kind, parsed[s.name].description, _origin(s)]
            for s in sources
        ],
    )


@templates.command("show")
@click.argument("template")
@click.option(
    "--builtin", is_flag=True, help="Print the built-in of that name, even if you override it."
)
@pass_app
def show(app: AppContext, template: str, builtin: bool) -> None:
    """Print TEMPLATE's source (your workspace's version if you have one).

    To start your own from it: `outreach templates new NAME --from TEMPLATE`.
    """
    from outreach.compose.templates import get_template, load_templates

    source = get_template(
        load_templates(None if builtin else app.workspace.templates_dir), template
    )
    if not builtin and source.overrides_builtin:
        click.secho(
            f"(your {source.path}; `--builtin` shows the built-in one)", fg="yellow", err=True
        )
    click.echo(source.text, nl=False)


@templates.command("new")
@click.argument("name")
@click.option(
    "--from",
    "base",
    metavar="TEMPLATE",
    help="The template to start from (default: the built-in of the same name).",
)
@json_option
@pass_app
def new(app: AppContext, name: str, base: str | None, as_json: bool) -> None:
    """Start a new template NAME in your workspace's templates/, copied from a built-in.

    `outreach templates new alumni --from outreach` makes templates/alumni.txt to edit; a NAME
    that is a built-in's (e.g. `outreach`) makes your own version of it, which replaces it.
    """
    from outreach.services.drafting.templates import new_template

    created = new_template(app.workspace.templates_dir, name, base)
    if as_json:
        emit_json({"name": created.name, "path": str(created.path), "from": created.base})
        return
    click.echo(f"Created {created.path} from the built-in {created.base} template.")
    click.echo(
        f"Edit it, then check it: `outreach templates lint {created.name}` and "
        f"`outreach templates preview {created.name} CONTACT`."
    )


@templates.command("preview")
@click.argument("template")
@click.argument("contact")
@pass_app
def preview(app: AppContext, template: str, contact: str) -> None:
    """Show exactly the message TEMPLATE makes for CONTACT (nothing is written or held)."""
    from outreach.services.drafting.preview import preview_message
    from outreach.services.workspace.setup import placeholders

    shown = preview_message(app, template, contact)
    person = shown.contact
    user = app.config.user
    left = placeholders(user)
    if left:
        from outreach.services.workspace.setup import placeholder_fix

        click.secho(
            f"Note: [user] {' and '.join(left)} still the placeholder; `outreach draft` "
            f"refuses to send this until you run `{placeholder_fix(left)}`.",
            fg="yellow",
            err=True,
        )
    if shown.proposes_slots:
        click.secho(f"(their time zone: {zone_note(person)})", fg="cyan", err=True)
        if shown.note:
            click.secho(f"(note: {shown.note})", fg="yellow", err=True)
    click.echo(f"From: {user.name} <{user.email}>")
    click.echo(f"To: {person.name} <{person.email or 'no email address'}>")
    click.echo(f"Subject: {shown.subject}")
    if shown.in_reply_to:
        click.echo(f"In-Reply-To: {shown.in_reply_to}")
    click.echo("")
    click.echo(shown.rendered.text.rstrip("\n"))


@templates.command("lint")
@click.argument("names", nargs=-1)
@json_option
@pass_app
def lint(app: AppContext, names: tuple[str, ...], as_json: bool) -> None:
    """Check templates (all, or NAMES) against the etiquette of a good request.

    Errors (exit 1) must be fixed before drafting; warnings are advice. Field names are checked
    against your contacts' columns, with a "did you mean" for typos.
    """
    from outreach.compose.lint import lint as lint_one
    from outreach.compose.lint import sample_context
    from outreach.compose.templates import get_template, load_templates

    available = load_templates(app.workspace.templates_dir)
    chosen = [get_template(available, name) for name in names] or list(available.values())
    context = sample_context(app.config.user, meeting_minutes=app.config.schedule.meeting_minutes)
    known = app.store.contacts.extra_keys()
    results = [(source, lint_one(source, context, known_fields=known)) for source in chosen]
    errors = sum(1 for _, found in results for f in found if f.severity == "error")
    if as_json:
        emit_json(
            [
                {
                    "template": source.name,
                    "path": None if source.builtin else str(source.path),
                    "ok": not any(f.severity == "error" for f in found),
                    "findings": [
                        {
                            "rule": f.rule,
                            "severity": f.severity,
                            "line": f.line,
                            "message": f.message,
                        }
                        for f in found
                    ],
                }
                for source, found in results
            ]
        )
    else:
        for source, findings in results:
            if not findings:
                click.echo(f"ok       {source.name}")
            for finding in findings:
                colour = "red" if finding.severity == "error" else "yellow"
                click.secho(str(finding), fg=colour)
    if errors:
        if not as_json:
            them = "it" if errors == 1 else "them"
            click.echo(f"{plural(errors, 'error')}. Fix {them} before drafting.", err=True)
        raise SystemExit(1)
