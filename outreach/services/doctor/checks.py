"""`outreach doctor`: every step a working setup needs, checked in setup order.

Each check is a small function of a :class:`Doctor` that returns its finding(s). They run in
the order of :data:`CHECKS`; a check that needs an earlier one (the config, the keyring, ...)
says so with :meth:`Doctor.needs` and is shown as not checked when that step failed, so one
missing piece is reported once, with its fix, and every independent step is still checked.
The mailbox's own checks (the OAuth client and token for Gmail, the IMAP and SMTP logins, the
Microsoft sign-in, the local Maildirs) are its kind's (:meth:`BackendKind.health_steps`, in
``outreach/mail/*_health.py``): they run where mail belongs in the list, and only for the
configured kind. To add a check, write one function (here, or in the kind's health module) and
put it in :data:`CHECKS` (or the kind's ``STEPS``) where it belongs in the setup order.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from datetime import timedelta
from pathlib import Path

from outreach.app import AppContext
from outreach.errors import OutreachError
from outreach.mail.health import HealthStep
from outreach.mail.kinds import KINDS, BackendKind
from outreach.services.background.doctor_check import check_background
from outreach.services.doctor.base import Check, CheckFn, Doctor, NotChecked, fail, ok
from outreach.services.doctor.summary_check import check_summary

# --- the workspace ------------------------------------------------------------------------


def check_workspace(doc: Doctor) -> Iterable[Check]:
    root = doc.app.workspace.root
    fix = "Run `outreach init` here, or set OUTREACH_HOME to your workspace folder."
    if not root.exists():
        yield fail("workspace", f"no workspace at {root}", fix)
    elif not root.is_dir():
        yield fail("workspace", f"{root} is a file, not a folder", fix)
    elif not os.access(root, os.W_OK | os.X_OK):
        yield fail("workspace", f"{root} is not writable", f"Fix the permissions of {root}.")
    else:
        yield ok("workspace", str(root))


def check_config(doc: Doctor) -> Iterable[Check]:
    doc.needs("workspace")
    path = doc.app.workspace.config_file
    if not path.exists():
        yield fail("config", f"no config.toml in {path.parent}", "Run `outreach init`.")
        return
    try:
        _ = doc.app.config
    except OutreachError as exc:
        yield fail("config", exc.message, exc.hint or f"Fix {path}.")
        return
    yield ok("config", f"{path} is valid")


def check_database(doc: Doctor) -> Iterable[Check]:
    doc.needs("config")
    path = doc.app.workspace.db_file
    if not path.exists():
        yield fail("database", f"no database at {path}", "Run `outreach init` to create it.")
        return
    try:
        count = doc.app.store.contacts.count()
    except OutreachError as exc:
        yield fail("database", exc.message, exc.hint or "")
        return
    from outreach.store.trouble import not_writable

    blocked = not_writable(path)
    if blocked is not None:
        yield fail(
            "database",
            f"{blocked} is read-only for this user: reading commands work, nothing can be "
            f"recorded ({count} contact{'' if count == 1 else 's'} readable)",
            f"Give yourself write permission (`chmod u+w {blocked}`), or remount the disk "
            "read-write.",
        )
        return
    yield ok("database", f"{count} contact{'' if count == 1 else 's'} in {path.name}")


def check_user(doc: Doctor) -> Iterable[Check]:
    from outreach.services.workspace.setup import check_email, placeholder_fix, placeholders

    config = doc.config
    user = config.user
    missing = placeholders(user)
    if missing:
        shown = " and ".join(f"[user] {key}" for key in missing)
        yield fail(
            "user",
            f"{shown} {'is' if len(missing) == 1 else 'are'} still the example's "
            f"placeholder{'' if len(missing) == 1 else 's'}",
            f"Run `{placeholder_fix(missing)}`; drafts are signed with these.",
        )
        return
    try:
        check_email(user.email, "[user] email")
    except OutreachError as exc:
        yield fail(
            "user", exc.message, f"Fix it: `outreach init --email ...` (or edit {config.source})."
        )
        return
    if not user.name.strip():
        yield fail("user", "[user] name is empty", 'Run `outreach init --name "First Last"`.')
        return
    optional = [key for key in ("intro", "field", "school") if not user.extra.get(key)]
    if not user.signature:
        optional.append("signature")
    detail = f"{user.name} <{user.email}>, {user.timezone}"
    if optional:
        detail += f"; not set (optional): {', '.join(optional)}"
    yield ok("user", detail)


def check_busy_files(doc: Doctor) -> Iterable[Check]:
    from outreach.calendars.ics_feed import fetch_feed, is_feed, shown
    from outreach.schedule.busy import busy_from_ics, load_ics_busy

    config = doc.config
    answers = doc.app.mail_kind().busy_source
    for source in config.schedule.busy:
        if source == "google":
            if answers != source:
                yield ok(
                    "calendar",
                    '"google" in [schedule] busy is skipped with the local backend',
                )
            continue  # with Gmail, checked with the backend below
        if source == "microsoft":
            if answers != source:
                yield ok("calendar", '"microsoft" in [schedule] busy is skipped: the backend '
                         f'is "{doc.app.mail_kind().name}"')
            continue  # with Microsoft, checked with the backend below
        path = doc.app.workspace.resolve(source)
        now = doc.app.now()
        end = now + timedelta(days=config.schedule.horizon_days + 1)
        try:
            if is_feed(source):
                data = fetch_feed(source, doc.app.workspace.cache_dir)
                busy = busy_from_ics(data, now, end, config.user.zone, source=shown(source))
                path = Path(shown(source))
            else:
                busy = load_ics_busy(path, now, end, config.user.zone)
        except OutreachError as exc:
            yield fail("busy file", exc.message, exc.hint or "Fix [schedule] busy in config.toml.")
            continue
        times = f"{len(busy)} busy time{'' if len(busy) == 1 else 's'}"
        yield ok("busy file", f"{path}: {times} in the next {config.schedule.horizon_days} days")


def check_templates(doc: Doctor) -> Iterable[Check]:
    from outreach.compose.lint import lint_all, sample_context
    from outreach.compose.templates import load_templates

    config = doc.config
    try:
        templates = load_templates(doc.app.workspace.templates_dir)
    except OutreachError as exc:
        yield fail("templates", exc.message, exc.hint or "Fix the template file.")
        return
    context = sample_context(config.user, meeting_minutes=config.schedule.meeting_minutes)
    findings = lint_all(templates, context, known_fields=_known_fields(doc))
    errors = [f for f in findings if f.severity == "error"]
    warnings = len(findings) - len(errors)
    if errors:
        names = sorted({f.template for f in errors})
        yield fail(
            "templates",
            f"{len(errors)} lint error{'' if len(errors) == 1 else 's'} in {', '.join(names)}",
            "Run `outreach templates lint` to see them and fix the templates.",
        )
        return
    detail = f"{len(templates)} templates pass lint"
    if warnings:
        detail += f" ({warnings} warning{'' if warnings == 1 else 's'}: `outreach templates lint`)"
    yield ok("templates", detail)


def _known_fields(doc: Doctor) -> frozenset[str] | None:
    if not doc.outcomes.get("database"):
        return None
    return doc.app.store.contacts.extra_keys()


# --- the mailbox ---------------------------------------------------------------------------


def _only_for(kind: BackendKind, step: HealthStep) -> CheckFn:
    """The kind's own check, run only when it is the configured kind (keyed on the kind
    object, not its name)."""

    def check(doc: Doctor) -> Iterable[Check]:
        if doc.kind is not kind:
            return ()
        return step(doc)

    check.__name__ = getattr(step, "__name__", "check_mail")
    check.__doc__ = step.__doc__
    return check


MAIL_CHECKS: list[CheckFn] = [
    _only_for(kind, step) for kind in KINDS for step in kind.health_steps()
]


def check_integrity(doc: Doctor) -> Iterable[Check]:
    """``PRAGMA integrity_check`` on the database, and where its automatic backups are."""
    from outreach.store.backup import list_backups
    from outreach.store.trouble import explain, restore_hint

    doc.needs("database")
    app = doc.app
    backups = list_backups(app.workspace.backups_dir)
    kept = (
        f"{len(backups)} automatic backup{'s' if len(backups) != 1 else ''}, newest "
        f"{backups[0].name}"
        if backups
        else "no automatic backup yet (the first command of the day that writes makes one)"
    )
    try:
        problems = app.store.integrity_problems()
    except OutreachError as exc:
        yield fail("integrity", exc.message, exc.hint or "")
        return
    except Exception as exc:  # a damaged file can fail the check itself
        named = explain(exc, app.workspace.db_file, backup_dir=app.workspace.backups_dir)
        if named is None:
            raise
        yield fail("integrity", named.message, named.hint or "")
        return
    if problems:
        shown = "; ".join(problems[:3]) + (" ..." if len(problems) > 3 else "")
        yield fail(
            "integrity",
            f"the database is damaged: {shown}",
            restore_hint(app.workspace.backups_dir),
        )
        return
    yield ok("integrity", f"PRAGMA integrity_check: ok; {kept}")


# In setup order. Each entry is independent; add new checks where they belong.
CHECKS: list[CheckFn] = [
    check_workspace,
    check_config,
    check_database,
    check_user,
    check_busy_files,
    check_templates,
    *MAIL_CHECKS,  # the configured mailbox's own checks (issue 19: one door to each system)
    check_integrity,  # issue 12: the database file itself, and its backups
    check_summary,  # issue 16: the per-contact summary the reading commands use
    check_background,  # issue 21: watch runs where queued mail needs it
]


def run_checks(app: AppContext, checks: Iterable[CheckFn] | None = None) -> list[Check]:
    """Run every check in order; a check that cannot run is listed as not checked."""
    doc = Doctor(app)
    found: list[Check] = []
    for check in CHECKS if checks is None else checks:
        name = check.__name__.removeprefix("check_").replace("_", " ")
        try:
            results = list(check(doc))
        except NotChecked as skip:
            shown = skip.name or name
            if any(c.skipped and c.name == shown for c in found):
                continue
            results = [Check(shown, False, str(skip), skipped=True)]
        except OutreachError as exc:
            results = [Check(name, False, exc.message, exc.hint or "")]
        for result in results:
            doc.outcomes[result.name] = doc.outcomes.get(result.name, True) and result.ok
            found.append(result)
    return found


def passed(checks: Iterable[Check]) -> bool:
    return all(check.ok or check.skipped for check in checks)


__all__ = [
    "CHECKS",
    "Check",
    "CheckFn",
    "Doctor",
    "NotChecked",
    "fail",
    "ok",
    "passed",
    "run_checks",
]
