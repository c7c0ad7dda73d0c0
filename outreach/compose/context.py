"""What one message is rendered from (:class:`RenderContext`) and what rendering gives back
(:class:`RenderedMessage`); the ``user`` and ``meeting`` variables templates see."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from email.utils import parseaddr
from typing import TYPE_CHECKING, Any

from outreach.compose.filters import first_name

if TYPE_CHECKING:
    from outreach.config import UserConfig
    from outreach.contacts.model import Contact


@dataclass(frozen=True, kw_only=True)
class RenderContext:
    """Everything one message is rendered from. Mappings are copied, never mutated."""

    contact: Mapping[str, Any]
    contact_label: str
    user: Mapping[str, Any]
    today: date
    slots: Sequence[object] = ()
    referrer: Mapping[str, Any] | None = None
    meeting: Mapping[str, Any] | None = None
    meeting_minutes: int = 20
    # Where the conversation stands, so a text can fit it: ``replied_days_ago`` (their latest
    # reply, None when they never replied), ``offers_passed`` (every time offered is over).
    conversation: Mapping[str, Any] | None = None

    @classmethod
    def for_contact(
        cls,
        contact: Contact,
        user: UserConfig,
        *,
        today: date,
        slots: Sequence[object] = (),
        referrer: Contact | None = None,
        meeting: Mapping[str, Any] | None = None,
        meeting_minutes: int = 20,
        conversation: Mapping[str, Any] | None = None,
    ) -> RenderContext:
        """The context for a stored contact and the configured user."""
        return cls(
            contact=contact.template_vars(),
            contact_label=contact.label(),
            user=user_vars(user),
            today=today,
            slots=tuple(slots),
            referrer=None if referrer is None else referrer.template_vars(),
            meeting=meeting,
            meeting_minutes=meeting_minutes,
            conversation=conversation,
        )

    def variables(self) -> dict[str, Any]:
        """The template's variables."""
        return {
            "contact": dict(self.contact),
            "user": dict(self.user),
            "slots": list(self.slots),
            "referrer": None if self.referrer is None else dict(self.referrer),
            "meeting": None if self.meeting is None else dict(self.meeting),
            "today": self.today,
            "meeting_minutes": self.meeting_minutes,
            "conversation": dict(self.conversation or {}),
        }


VARIABLES: tuple[str, ...] = (
    "contact",
    "user",
    "slots",
    "referrer",
    "meeting",
    "today",
    "meeting_minutes",
    "conversation",
)


@dataclass(frozen=True)
class RenderedMessage:
    subject: str
    text: str
    html: str | None
    template_name: str
    kind: str = field(default="")


def user_vars(user: UserConfig) -> dict[str, str]:
    """What a template sees as ``user``: name, email, signature, timezone, first_name, extras."""
    values = dict(user.extra)
    values.update(
        name=user.name,
        email=user.email,
        signature=user.signature,
        timezone=user.timezone,
    )
    values.setdefault("first_name", first_name(user.name))
    return values


def meeting_vars(
    *,
    start: str,
    end: str,
    when: str | None = None,
    join: str = "",
    notes: str = "",
    takeaways: str = "",
    referrals: Iterable[Mapping[str, Any] | str] = (),
) -> dict[str, Any]:
    """What a template sees as ``meeting``.

    ``start``/``end`` are formatted times; ``when`` is the human phrase for the booked time
    (both zones), defaulting to ``start``; ``join`` says how to join (a link or a phone
    number, may be empty); ``notes`` and ``takeaways`` are the user's words from
    ``outreach met``; ``referrals`` are people they suggested, as mappings with ``name`` and
    ``email`` or as ``"Name <email>"`` strings, each given ``name``, ``first_name``, ``email``.
    """
    people: list[dict[str, Any]] = []
    for referral in referrals:
        if isinstance(referral, str):
            name, address = parseaddr(referral)
            person = {"name": name or address, "email": address}
        else:
            person = {str(k): v for k, v in referral.items()}  # outcome, referred, ...
            person["email"] = str(person.get("email", ""))
            person["name"] = str(person.get("name") or person["email"])
        person.setdefault("first_name", first_name(person["name"]))
        people.append(person)
    return {
        "start": start,
        "end": end,
        "when": when or start,
        "join": join,
        "notes": notes,
        "takeaways": takeaways,
        "referrals": people,
    }
