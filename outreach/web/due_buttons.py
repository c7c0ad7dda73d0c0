"""The buttons of a due item, chosen by what its command does (the command `outreach due`
prints), so an action kind added later gets the buttons of its verb, or at least its text,
its command and a link to the contact: nothing here decides what is due or how."""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field
from urllib.parse import quote

from outreach.services.reporting.today import TodayItem

# Drafts carrying a calendar invite are made by booking, not by a template alone.
INVITE_KINDS = frozenset({"confirm", "cancel"})


@dataclass(frozen=True)
class Button:
    """A control on the Today page: a POST form (``fields`` hidden) or a link."""

    kind: str  # "post", "link", "met" (the record-the-meeting form) or "at" (a time to book)
    label: str
    path: str
    fields: dict[str, str] = field(default_factory=dict)
    primary: bool = False


def _words(command: str) -> list[str]:
    try:
        return shlex.split(command)
    except ValueError:
        return command.split()


def buttons_for(entry: TodayItem) -> list[Button]:
    item = entry.item
    ref, name = item.ref, item.name
    words = _words(item.command)[1:]  # without "outreach"
    verb = words[0] if words else ""
    buttons: list[Button] = []
    if entry.drafted:
        for message in entry.drafted:
            buttons.append(
                Button("post", f"Send “{message.subject}” to {name}", "/send",
                       {"message": str(message.id)}, primary=True)
            )
        first = entry.drafted[0]
        if first.kind not in INVITE_KINDS:
            buttons.append(Button("link", "Preview and edit", _compose(first.template, ref)))
    elif verb == "draft" and len(words) >= 2:
        template = words[1]
        buttons.append(Button("link", f"Preview and edit the {template} message",
                              _compose(template, ref), primary=True))
        buttons.append(Button("post", f"Draft the {template} message to {name}", "/draft",
                              {"template": template, "contact": ref}))
    elif verb == "book" and not entry.offered:
        buttons.append(Button("at", f"Book a time with {name}", "/book", {"contact": ref},
                              primary=True))
    elif verb == "book":
        for offer in entry.offered:
            picked = " (their pick)" if entry.picked == offer.slot else ""
            buttons.append(
                Button("post", f"Book slot {offer.slot}{picked}: {offer.when}", "/book",
                       {"contact": ref, "slot": str(offer.slot)},
                       primary=entry.picked in (None, offer.slot))
            )
    elif verb == "met":
        buttons.append(Button("met", f"Record the meeting with {name}", "/met",
                              {"contact": ref}, primary=True))
    elif verb == "promises" and "--done" in words:
        number = words[words.index("--done") + 1] if len(words) > words.index("--done") + 1 else ""
        buttons.append(Button("post", "Mark this promise done", "/promise-done",
                              {"promise": number}, primary=True))
    elif verb == "contacts" and words[1:2] == ["close"]:
        buttons.append(Button("post", f"Close {name} (no reply)", "/close",
                              {"contact": ref, "reason": "no reply"}, primary=True))
    elif verb == "prep":
        buttons.append(Button("post", f"Prepare: mark the brief for {name} read", "/prep",
                              {"contact": ref}, primary=True))
    buttons.append(Button("link", f"Open {name}", f"/contact/{quote(ref, safe='@')}"))
    return buttons


def _compose(template: str, ref: str) -> str:
    return f"/compose?template={quote(template)}&contact={quote(ref, safe='@')}"
