"""The `outreach` command line: a lazy group so `--help` imports no heavy library."""

from __future__ import annotations

import importlib
import logging
import sys
from typing import TYPE_CHECKING, Any

import click

from outreach import __version__
from outreach.errors import Interrupted, OutreachError

if TYPE_CHECKING:
    from outreach.app import LockMode

# name -> (module, attribute, one-line help). Modules load only when their command runs.
COMMANDS: dict[str, tuple[str, str, str]] = {
    "init": ("outreach.cli.workspace", "init", "Create a workspace, or update your details."),
    "demo": ("outreach.cli.workspace", "demo", "Run the pipeline on sample contacts, offline."),
    "doctor": ("outreach.cli.doctor", "doctor", "Check every setup step; name the fix for each."),
    "auth": ("outreach.cli.auth", "auth", "Connect, inspect or disconnect your Google account."),
    "contacts": (
        "outreach.cli.contacts",
        "contacts",
        "Import, list, search, edit, merge and delete contacts.",
    ),
    "templates": (
        "outreach.cli.templates",
        "templates",
        "List, show, start, preview and lint templates.",
    ),
    "slots": ("outreach.cli.meetings", "slots", "Propose meeting times from your free time."),
    "draft": ("outreach.cli.drafting", "draft", "Create one draft per contact from a template."),
    "send": ("outreach.cli.sending", "send", "Send drafted messages (asks first; daily cap)."),
    "discard": ("outreach.cli.sending", "discard", "Remove a contact's unsent draft."),
    "queue": ("outreach.cli.queue", "queue", "Messages waiting for their recipient's morning."),
    "service": (
        "outreach.cli.service",
        "service",
        "Run `watch` in the background: install, uninstall, status.",
    ),
    "sync": ("outreach.cli.tracking", "sync", "Fetch sends, replies, auto-replies and bounces."),
    "watch": ("outreach.cli.tracking", "watch", "Sync repeatedly and print what changed."),
    "status": ("outreach.cli.tracking", "status", "Counts per stage and reply rates."),
    "due": ("outreach.cli.tracking", "due", "What to do today: nudge, book, prepare, thank."),
    "book": ("outreach.cli.meetings", "book", "Book a time and draft the invite (--send sends)."),
    "reschedule": ("outreach.cli.meetings", "reschedule", "Move a booked meeting."),
    "cancel": ("outreach.cli.meetings", "cancel", "Cancel a booked meeting."),
    "met": ("outreach.cli.met", "met", "Record a conversation, notes and referrals."),
    "followup": (
        "outreach.cli.drafting",
        "followup",
        "Draft due nudges, thank-yous, referral and keep-in-touch notes.",
    ),
    "reply": (
        "outreach.cli.replies",
        "reply",
        "Record what a reply said, or that you read it.",
    ),
    "referrals": ("outreach.cli.met", "referrals", "Show who referred whom, as a tree."),
    "prep": ("outreach.cli.prep", "prep", "A one-page brief before a conversation."),
    "promises": ("outreach.cli.capture", "promises", "What you promised, and marking it kept."),
    "export": ("outreach.cli.export", "export", "Export contacts and their stages."),
    "restore": ("outreach.cli.restore", "restore", "Put back an automatic database backup."),
    "ui": ("outreach.cli.ui", "ui", "Open the pipeline as pages in your browser (local only)."),
}


# Commands that only read the workspace never wait for another outreach command (SQLite's WAL
# gives them a consistent snapshot). Every other command, including any added later, holds the
# workspace's writer lock from before it opens the database until it ends (outreach/lock.py).
READ_ONLY_COMMANDS = frozenset(
    {
        "auth status",
        "contacts list",
        "contacts show",
        "doctor",
        "due",
        "export",
        "queue",
        "referrals",
        "service status",
        "slots",
        "status",
        "templates",
    }
)
# Commands that take the lock themselves around each unit of work.
SELF_LOCKING_COMMANDS = frozenset({"watch", "queue cancel", "ui"})


def sharing_for(words: list[str]) -> LockMode:
    """How the command ``words`` (e.g. ["contacts", "list"]) shares the workspace."""
    for size in range(len(words), 0, -1):
        name = " ".join(words[:size])
        if name in SELF_LOCKING_COMMANDS:
            return "self"
        if name in READ_ONLY_COMMANDS:
            return "reader"
    return "writer"


def _current_sharing() -> LockMode:
    ctx = click.get_current_context(silent=True)
    return sharing_for(ctx.command_path.split()[1:] if ctx is not None else [])


class _EchoWarnings(logging.Handler):
    """Adapters' warnings (e.g. junk in a Maildir) on stderr, each once per command."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.seen: set[str] = set()

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if message not in self.seen:
            self.seen.add(message)
            click.secho(f"Warning: {message}", fg="yellow", err=True)


def _show_warnings(ctx: click.Context) -> None:
    logger = logging.getLogger("outreach")
    handler = _EchoWarnings()
    logger.addHandler(handler)
    ctx.call_on_close(lambda: logger.removeHandler(handler))


def print_error(exc: OutreachError) -> None:
    click.secho(f"Error: {exc.message}", fg="red", err=True)
    if exc.hint:
        click.echo(f"Hint: {exc.hint}", err=True)


class OutreachGroup(click.Group):
    """Loads commands on demand and turns OutreachError into a message and an exit code."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        entry = COMMANDS.get(cmd_name)
        if entry is None:
            return None
        module = importlib.import_module(entry[0])
        command = getattr(module, entry[1])
        assert isinstance(command, click.Command)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, COMMANDS[name][2]) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except Interrupted as exc:
            click.echo(exc.message, err=True)
            if exc.hint:
                click.echo(exc.hint, err=True)
            ctx.exit(exc.exit_code)
        except OutreachError as exc:
            print_error(exc)
            ctx.exit(exc.exit_code)
        except BrokenPipeError:
            _quiet_broken_pipe()
            ctx.exit(0)
        except KeyboardInterrupt:
            click.echo(
                "Interrupted. Work saved before it is kept, and the database never keeps half a "
                "step. Run the same command again to finish: it never makes a second copy of a "
                "draft or sends twice.",
                err=True,
            )
            ctx.exit(130)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except Exception as exc:
            named = _database_trouble(ctx, exc)
            if named is not None:
                print_error(named)
                ctx.exit(named.exit_code)
            if ctx.obj is not None and getattr(ctx.obj, "verbose", False):
                raise
            click.secho(f"Unexpected error: {type(exc).__name__}: {exc}", fg="red", err=True)
            click.echo(
                "Hint: this is a bug in outreach. Work saved before the error is kept, and the "
                "database never keeps half a step, so the same command can be run again. Run it "
                "with `outreach --verbose ...` to see the details, and report them.",
                err=True,
            )
            ctx.exit(70)


@click.group(cls=OutreachGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--verbose", "-v", is_flag=True, help="Show more detail (never secrets).")
@click.version_option(__version__, prog_name="outreach")
@click.pass_context
def cli(ctx: click.Context, verbose: bool) -> None:
    """outreach: run informational interviews from your terminal.

    Import contacts, draft personal notes that propose real free times, see replies, and always
    know what to do next. Start with `outreach demo`, then `outreach init`.
    """
    from outreach.app import AppContext

    app = AppContext.from_environment(verbose=verbose)
    app.lock_policy = _current_sharing
    app.command = _command_line(ctx)
    ctx.obj = app
    ctx.call_on_close(app.close)
    _show_warnings(ctx)


def _command_line(ctx: click.Context) -> str:
    """This command as a waiting one will name it: ``outreach draft outreach --tag x``."""
    if sys.argv and sys.argv[0].rsplit("/", 1)[-1] in ("outreach", "__main__.py"):
        return " ".join(["outreach", *sys.argv[1:]])[:200]
    return f"outreach {ctx.invoked_subcommand or ''}".strip()


def _database_trouble(ctx: click.Context, exc: Exception) -> OutreachError | None:
    """Database or workspace trouble (damaged, full, read-only, locked), named; else None."""
    app = ctx.obj
    if app is None or not hasattr(app, "workspace"):
        return None
    from outreach.services.workspace.trouble import name_trouble

    return name_trouble(exc, app.workspace)


def _quiet_broken_pipe() -> None:
    """The reader went away (`outreach contacts list | head -1`): stop without a word.

    Python flushes stdout again at exit and would complain a second time; point it at
    /dev/null first (the recipe in the signal module's documentation).
    """
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def main() -> None:
    try:
        cli(prog_name="outreach")
    except BrokenPipeError:
        _quiet_broken_pipe()
        sys.exit(0)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())  # type: ignore[func-returns-value]
