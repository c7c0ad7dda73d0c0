"""The actions that answer Today's off-script items and the delivery queue (POST): each
calls the one service its command calls (`reply --seen`, `met --missed`, `contacts add
--referred-by/--takes-over-from/--assistant-of`, `discard`, `queue cancel`) under the writer
lock, then shows where the user was with what happened.

Every route here is wrapped by :func:`outreach.web.app.action` (CSRF first)."""

from __future__ import annotations

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response

from outreach.app import AppContext
from outreach.clock import iso
from outreach.contacts.model import Contact
from outreach.errors import ContactError, OutreachError
from outreach.web.app import back_to, done, write


def _field(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def _plural(n: int, word: str) -> str:
    return f"{n} {word if n == 1 else word + 's'}"


async def queue_cancel(request: Request, form: FormData) -> Response:
    """`outreach queue cancel CONTACT`: off the queue, still a draft."""
    from outreach.services.sending.queue import cancel_from_queue

    ref = _field(form, "contact")
    report = await write(request, lambda app: cancel_from_queue(app, [ref]))
    taken = report.taken
    if not taken and report.gone:
        return done(request, back_to(form, "/"), f"Too late: {report.gone[0][0]} has already "
                    "gone (Outlook sent it at its time); `sync` records it.")
    if not taken:
        return done(request, back_to(form, "/"), "Nothing was queued for them.")
    return done(request, back_to(form, "/"),
                f"Took {', '.join(taken)} off the queue; still a draft, to send or discard.")


async def discard(request: Request, form: FormData) -> Response:
    """`outreach discard CONTACT`: their unsent drafts removed, what they held freed."""
    from outreach.services.drafting.discard import discard_drafts

    report = await write(request, lambda app: discard_drafts(app, _field(form, "contact")))
    what = ", ".join(f"the {item}" for item in report.discarded)
    released = (f"; {_plural(report.released, 'offered time')} released"
                if report.released else "")
    kept = (" Their invite is kept: reschedule or cancel change it."
            if report.kept_invites else "")
    return done(request, back_to(form, "/"),
                f"Discarded {what} to {report.label}{released}.{kept}")


async def reply_seen(request: Request, form: FormData) -> Response:
    """`outreach reply CONTACT --seen`: read, nothing more to do."""
    from outreach.services.conversation.outcomes import mark_replies_seen

    who = await write(request, lambda app: mark_replies_seen(app, _field(form, "contact")))
    return done(request, back_to(form, "/"), f"Marked {who.label()}'s replies so far as read.")


async def met_missed(request: Request, form: FormData) -> Response:
    """`outreach met CONTACT --missed`: it did not happen; no thank-you, new times due."""
    from outreach.services.conversation.outcomes import mark_missed

    result = await write(request, lambda app: mark_missed(app, _field(form, "contact")))
    return done(request, back_to(form, "/"), f"The meeting with {result.contact.label()} is "
                "marked missed; no thank-you. Offer new times when you are ready.")


ADD_HOW = ("referred-by", "takes-over-from", "assistant-of")


async def add_person(request: Request, form: FormData) -> Response:
    """`outreach contacts add EMAIL --name NAME` with --referred-by, --takes-over-from or
    --assistant-of CONTACT, as the due item's command says."""
    from outreach.contacts.model import ContactRecord
    from outreach.services.contacts.manage import add_contact
    from outreach.services.conversation.their_side import add_assistant, take_over

    email, name = _field(form, "email"), _field(form, "name")
    how, of = _field(form, "how"), _field(form, "of")
    if how not in ADD_HOW or not of:
        raise OutreachError("The form sent no valid relation.", hint="Reload the page.")
    if not email:
        raise ContactError(f"Give {name or 'them'} an email address to add them.",
                           hint="Type it in the box beside the button.")
    if how == "assistant-of":
        contact = await write(request, lambda app: add_assistant(app, email, of))
        return done(request, back_to(form, "/"), f"{name} <{email}> is recorded as "
                    f"{contact.label()}'s assistant: copied on the invites and confirmations.")
    record = ContactRecord(name=name or email, email=email, source="manual")

    def work(app: AppContext) -> Contact:
        if how == "takes-over-from":
            return take_over(app, record, of)
        return add_contact(app.store, record, referred_by=of, now=iso(app.now()))

    added = await write(request, work)
    also = (f"; takes the conversation over from {of}, in the same thread"
            if how == "takes-over-from" else f", referred by {of}")
    return done(request, back_to(form, "/"), f"Added {added.label()}{also}.")


ANSWER_ROUTES = [
    ("/queue/cancel", queue_cancel),
    ("/discard", discard),
    ("/reply/seen", reply_seen),
    ("/met/missed", met_missed),
    ("/contacts/add", add_person),
]
