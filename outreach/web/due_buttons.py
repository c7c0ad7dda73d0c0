"""The buttons of a due item, chosen by what its command does (the command `outreach due`
prints, and the other commands that also do it), so an action kind added later gets the
buttons of its verb, or at least its text, its command and a link to the contact: nothing
here decides what is due or how."""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field
from urllib.parse import quote

from outreach.services.reporting.today import Drafted, TodayItem

# Drafts carrying a calendar invite are made by booking, not by a template alone.
INVITE_KINDS = frozenset({"confirm", "cancel"})
# `contacts add`'s relation flags, as the web's /contacts/add takes them.
ADD_FLAGS = ("--referred-by", "--takes-over-from", "--assistant-of")


@dataclass(frozen=True)
class Button:
    """A control on the Today page: a POST form (``fields`` hidden) or a link; "add" is a
    POST form with the email to type when the reply named nobody's address."""

    kind: str  # "post", "link", "met" (the record-the-meeting form), "at" (a time to book), "add"
    label: str
    path: str
    fields: dict[str, str] = field(default_factory=dict)
    primary: bool = False


def _words(command: str) -> list[str]:
    try:
        return shlex.split(command)
    except ValueError:
        return command.split()


def _option(words: list[str], name: str) -> str:
    """The value after ``name`` in a command's words (empty when absent)."""
    if name in words and words.index(name) + 1 < len(words):
        return words[words.index(name) + 1]
    return ""


def buttons_for(entry: TodayItem) -> list[Button]:
    item = entry.item
    ref, name = item.ref, item.name
    words = _words(item.command)[1:]  # without "outreach"
    verb = words[0] if words else ""
    others = [_words(command)[1:] for command in item.alternatives]
    buttons: list[Button] = []
    if entry.drafted:
        for message in entry.drafted:
            buttons += _send_buttons(message, ref, name)
        first = entry.drafted[0]
        if first.kind not in INVITE_KINDS:
            buttons.append(Button("link", "Preview and edit", _compose(first.template, ref)))
        if any(message.kind not in INVITE_KINDS for message in entry.drafted):
            buttons.append(Button("post", "Discard draft", "/discard", {"contact": ref}))
    elif verb == "draft" and len(words) >= 2:
        template = words[1]
        buttons.append(Button("link", f"Preview and edit the {template} message",
                              _compose(template, ref), primary=True))
        buttons.append(Button("post", f"Draft the {template} message to {name}", "/draft",
                              {"template": template, "contact": ref}))
    elif verb == "book" and "--at" in words and entry.proposed:
        buttons.append(Button("post", f"Book {entry.proposed}", "/book",
                              {"contact": ref, "at": _option(words, "--at")}, primary=True))
    elif verb == "book" and not entry.offered:
        buttons.append(Button("at", f"Book a time with {name}", "/book", {"contact": ref},
                              primary=True))
    elif verb == "book":
        for offer in entry.offered:
            picked = ", their pick" if entry.picked == offer.slot else ""
            buttons.append(
                Button("post", f"Book {offer.when} (slot {offer.slot}{picked})", "/book",
                       {"contact": ref, "slot": str(offer.slot)},
                       primary=entry.picked in (None, offer.slot))
            )
    elif verb == "met":
        buttons.append(Button("met", f"Record the meeting with {name}", "/met",
                              {"contact": ref}, primary=True))
        if any(other[:1] == ["met"] and "--missed" in other for other in others):
            buttons.append(Button("post", "Mark missed", "/met/missed", {"contact": ref}))
    elif verb == "reply" and "--seen" in words:
        buttons.append(Button("post", "Mark as read", "/reply/seen", {"contact": ref},
                              primary=True))
    elif verb == "contacts" and words[1:2] == ["add"]:
        for number, command in enumerate([words, *others]):
            if command[:2] == ["contacts", "add"]:
                buttons.append(_add_button(command, name, primary=number == 0))
    elif verb == "promises" and "--done" in words:
        buttons.append(Button("post", "Mark this promise done", "/promise-done",
                              {"promise": _option(words, "--done")}, primary=True))
    elif verb == "contacts" and words[1:2] == ["close"]:
        reason = _option(words, "--reason") or "no reply"
        buttons.append(Button("post", f"Close {name} ({reason})", "/close",
                              {"contact": ref, "reason": reason}, primary=True))
    elif verb == "prep":
        buttons.append(Button("post", f"Prepare: mark the brief for {name} read", "/prep",
                              {"contact": ref}, primary=True))
    buttons.append(Button("link", f"Open {name}", f"/contact/{quote(ref, safe='@')}"))
    return buttons


def _send_buttons(message: Drafted, ref: str, name: str) -> list[Button]:
    """Send (queued for their morning when `send` would queue it), Send now, and, for a
    queued message, Take off the queue."""
    what = f"“{message.subject}” to {name}"
    fields = {"message": str(message.id)}
    if message.queued_at:
        return [
            Button("post", f"Send {what} now", "/send", {**fields, "now": "yes"}),
            Button("post", f"Take {what} off the queue", "/queue/cancel", {"contact": ref}),
        ]
    buttons = [Button("post", f"Send {what}", "/send", fields, primary=True)]
    if message.windowed:
        buttons.append(Button("post", f"Send {what} now", "/send", {**fields, "now": "yes"}))
    return buttons


def _add_button(words: list[str], of_name: str, primary: bool) -> Button:
    """`contacts add EMAIL --name NAME --FLAG CONTACT` as a button (an email box when the
    reply gave no address)."""
    email = words[2] if len(words) > 2 and not words[2].startswith("--") else ""
    name = _option(words, "--name")
    flag = next((f for f in ADD_FLAGS if f in words), "--referred-by")
    fields = {"name": name, "how": flag[2:], "of": _option(words, flag)}
    label = f"Add {name}"
    if flag == "--assistant-of":
        label = f"Add {name} as {of_name}'s assistant"
    elif flag == "--takes-over-from":
        label = f"Add {name} (takes over from {of_name})"
    if email in ("", "EMAIL"):
        return Button("add", label, "/contacts/add", fields, primary=primary)
    return Button("post", label, "/contacts/add", {**fields, "email": email}, primary=primary)


def _compose(template: str, ref: str) -> str:
    return f"/compose?template={quote(template)}&contact={quote(ref, safe='@')}"
