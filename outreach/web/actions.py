"""The actions (POST): each checks nothing itself, calls one service under the writer lock,
then shows where the user was with what happened (or the CLI's error and hint).

Every route here is wrapped by :func:`outreach.web.app.action` (CSRF first)."""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path
from urllib.parse import quote

from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import Response

from outreach.app import AppContext
from outreach.clock import iso
from outreach.errors import ContactError, OutreachError
from outreach.web.answers import ANSWER_ROUTES
from outreach.web.app import back_to, done, page, read, state_of, write
from outreach.web.pages import NAV
from outreach.web.uploads import save_uploads


def _field(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def _number(form: FormData, name: str) -> int:
    value = _field(form, name)
    if not value.isdigit():
        raise OutreachError(f"The form sent no valid {name} number.", hint="Reload the page.")
    return int(value)


def _contact_path(ref: str) -> str:
    return f"/contact/{quote(ref, safe='@')}"


def _plural(n: int, word: str, many: str | None = None) -> str:
    return f"{n} {word if n == 1 else many or word + 's'}"


async def sync_now(request: Request, form: FormData) -> Response:
    from outreach.services.sync.run import sync
    from outreach.services.workspace.mailbox_words import mailbox_shown

    report, where = await write(request, lambda app: (sync(app), mailbox_shown(app)))
    counts = report.counts()
    found = ", ".join(f"{_plural(n, kind.replace('_', '-'))}" for kind, n in counts.items())
    lines = [f"{c.contact}: {c.text}" for c in report.changes]
    message = f"Synced {where}: {found or 'nothing new'}."
    return done(request, back_to(form, "/"), message, hint="; ".join([*lines, *report.notes]))


async def draft(request: Request, form: FormData) -> Response:
    from outreach.services.drafting.compose import draft_for_contact

    template, ref = _field(form, "template"), _field(form, "contact")
    text = form.get("text")
    edited = text.replace("\r\n", "\n") if isinstance(text, str) else None
    files = await save_uploads(request, form)
    try:
        report = await write(
            request, lambda app: draft_for_contact(app, template, ref, text=edited, attach=files)
        )
        if report.failed:
            label, reason = report.failed[0]
            raise OutreachError(f"Not drafted for {label}: {reason}",
                                hint="Try again: nothing is doubled.")
    except BaseException:
        for path in files:
            shutil.rmtree(path.parent, ignore_errors=True)
        raise
    verb = "Updated the" if report.updated else "Drafted the"
    carried = f", with {', '.join(p.name for p in files)} attached" if files else ""
    return done(request, back_to(form, _contact_path(ref)),
                f"{verb} {template} message{carried}; review it, then send it with its button.")


async def send(request: Request, form: FormData) -> Response:
    """Send one drafted message, or queue it for its recipient's morning (``[mail]
    deliver_window``) as `outreach send` does; "Send now" is `send --now`."""
    from outreach.services.background.heartbeat import watch_running
    from outreach.services.sending.queue import when_both
    from outreach.services.sending.send_one import SendOutcome, send_or_queue

    number = _number(form, "message")
    right_now = _field(form, "now") == "yes"

    def work(app: AppContext) -> tuple[SendOutcome, str, bool, bool, str]:
        outcome = send_or_queue(app, number, right_now=right_now)
        when = ""
        if outcome.queued_at is not None:
            row = app.store.messages.by_id(number)
            when = when_both(app, row.contact_id, outcome.queued_at)
        watching = watch_running(app)
        files = app.mail_kind().files_on_disk
        return outcome, when, watching, files, str(app.workspace.root / "sent")

    outcome, when, watching, files_only, sent_dir = await write(request, work)
    report = outcome.report
    target = back_to(form, "/")
    if outcome.queued_at is not None:
        hint = "Take it off the queue with its button, or press “Send now” to send it at once."
        if not watching:
            hint += (" Queued mail goes out only while `outreach watch` runs on this machine: "
                     "start it, or install it with `outreach service install`.")
        return done(request, target, f"Queued for {outcome.name}'s morning: it goes {when}.",
                    hint=hint)
    if report.stale:
        label, why = report.stale[0]
        return done(request, target, f"Not sent ({label}): {why}", "error")
    if report.failed or report.uncertain:
        label, why = (report.failed or report.uncertain)[0]
        return done(request, target, f"Not sent ({label}): {why}", "error",
                    "`outreach sync` will tell whether it left.")
    if report.already:
        return done(request, target, f"Already sent from your mailbox: {report.already[0]} "
                    "(not sent again).")
    if files_only:
        return done(request, target, f"Marked as sent: moved to {sent_dir}; nothing was emailed "
                    "(the local backend only writes files).")
    return done(request, target, f"Sent to {report.sent[0]}.")


async def book(request: Request, form: FormData) -> Response:
    from outreach.services.meetings.booking import book as book_slot

    ref, at = _field(form, "contact"), _field(form, "at") or None
    slot = None if at else _number(form, "slot")
    anyway = _field(form, "anyway") == "yes"
    clock = "theirs" if _field(form, "clock") == "theirs" else "yours"  # the form's choice
    result = await write(
        request,
        lambda app: book_slot(app, ref, slot=slot, at=at, send=False,
                              confirm=lambda _question: anyway, pick=lambda _q: clock),
    )
    return done(request, back_to(form, "/"), f"Booked {result.when}; the invite is drafted: "
                "send it with its button.", hint=result.calendar_note)


async def met(request: Request, form: FormData) -> Response:
    from outreach.services.meetings.meetings_log import record_meeting

    ref = _field(form, "contact")
    referrals = [line.strip() for line in _field(form, "referrals").splitlines() if line.strip()]
    promises = [line.strip() for line in _field(form, "promises").splitlines() if line.strip()]
    result = await write(
        request,
        lambda app: record_meeting(
            app, ref, notes=_field(form, "notes") or None,
            takeaways=_field(form, "takeaways") or None, referrals=referrals, promises=promises,
        ),
    )
    added = f" Added {', '.join(c.name for c in result.added)} (referred)." if result.added else ""
    return done(request, back_to(form, "/"),
                f"Recorded the conversation with {result.contact.name}.{added}")


async def promise_done(request: Request, form: FormData) -> Response:
    from outreach.services.drafting.promises import mark_promises

    number = _number(form, "promise")
    views = await write(request, lambda app: mark_promises(app, done=[number]))
    return done(request, back_to(form, "/"), f"Marked kept: {views[0].text}.")


async def close(request: Request, form: FormData) -> Response:
    from outreach.services.contacts.closing import close_contact

    ref, reason = _field(form, "contact"), _field(form, "reason") or "no reply"
    closed = await write(
        request, lambda app: close_contact(app.store, ref, reason, iso(app.now()))
    )
    return done(request, back_to(form, "/"), f"Closed {closed.label()} ({reason}).")


async def prep(request: Request, form: FormData) -> Response:
    from outreach.services.meetings.brief import prepare

    ref = _field(form, "contact")
    _text, note = await write(request, lambda app: prepare(app, ref))
    also = " It is also on your Google Calendar, beside the meeting." if note == "" else ""
    return done(request, _contact_path(ref) + "#brief", f"Here is the brief for the call.{also}",
                hint=f"Not on your calendar: {note}" if note else "")


async def compose_check(request: Request, form: FormData) -> Response:
    """The Compose page again, with the user's edited text linted (nothing is written)."""
    from outreach.services.drafting.compose import compose_view

    template, ref = _field(form, "template"), _field(form, "contact")
    raw = form.get("text")
    text = raw.replace("\r\n", "\n") if isinstance(raw, str) else None
    view = await read(request, lambda app: compose_view(app, template, ref, text))
    return page(request, "compose.html", title="Compose", nav=NAV, view=view,
                template=template, ref=ref, text=view.preview.rendered.text, checked=True)


EDITABLE = ("name", "email", "org", "title", "timezone", "notes")


async def edit(request: Request, form: FormData) -> Response:
    from outreach.services.contacts.manage import edit_contact

    ref = request.path_params["ref"]
    changes = {name: _field(form, name) for name in EDITABLE if name in form}
    add = tuple(t for t in re.split(r"[,\s]+", _field(form, "add_tags")) if t)
    updated = await write(
        request,
        lambda app: edit_contact(app.store, ref, changes=changes, set_extra={}, unset_extra=(),
                                 add_tags=add, remove_tags=(), now=iso(app.now())),
    )
    return done(request, _contact_path(updated.email or str(updated.id)),
                f"Saved {updated.label()}.")


async def import_preview(request: Request, form: FormData) -> Response:
    """Step one: the upload is kept, and imported as a dry run (the CLI's --dry-run)."""
    from outreach.services.contacts.manage import import_contacts

    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise ContactError("Choose a contacts file to import.",
                           hint="CSV (LinkedIn, Google Contacts, any CSV) or vCard.")
    name = re.sub(r"[^A-Za-z0-9._-]", "_", Path(upload.filename).name)[:80] or "contacts.csv"
    folder = Path(tempfile.mkdtemp(prefix="outreach-ui-"))
    path = folder / name
    path.write_bytes(await upload.read())
    tag = _field(form, "tag")
    try:
        report = await write(
            request,
            lambda app: import_contacts(app.store, path, fmt="auto", tags=(tag,) if tag else (),
                                        dry_run=True, now=iso(app.now())),
        )
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    uploads = state_of(request).uploads
    for earlier, _tag in uploads.values():  # one preview waits at a time: forget the others
        shutil.rmtree(earlier.parent, ignore_errors=True)
    uploads.clear()
    key = folder.name
    uploads[key] = (path, tag)
    return page(request, "import.html", title="Import", nav=NAV, preview=report, upload=key,
                file_name=name, tag=tag)


async def import_apply(request: Request, form: FormData) -> Response:
    """Step two: the same file imported for real, after the preview."""
    from outreach.services.contacts.manage import import_contacts

    kept = state_of(request).uploads.pop(_field(form, "upload"), None)
    if kept is None:
        raise ContactError("That upload is no longer here.", hint="Choose the file again.")
    path, tag = kept
    try:
        report = await write(
            request,
            lambda app: import_contacts(app.store, path, fmt="auto", tags=(tag,) if tag else (),
                                        dry_run=False, now=iso(app.now())),
        )
    finally:
        shutil.rmtree(path.parent, ignore_errors=True)
    summary = report.summary
    return done(request, "/pipeline", f"Imported {path.name}: {len(summary.added)} added, "
                f"{len(summary.updated)} updated, {len(summary.unchanged)} unchanged, "
                f"{_plural(len(report.result.problems), 'row')} skipped.")


ACTION_ROUTES = [
    ("/sync", sync_now),
    ("/draft", draft),
    ("/compose/check", compose_check),
    ("/send", send),
    *ANSWER_ROUTES,
    ("/book", book),
    ("/met", met),
    ("/promise-done", promise_done),
    ("/close", close),
    ("/prep", prep),
    ("/contact/{ref}/edit", edit),
    ("/import/preview", import_preview),
    ("/import", import_apply),
]
