"""The contact record as importers produce it and templates see it."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from outreach.contacts.zoneguess import ZoneGuess

# Fields with a column of their own; everything else an import finds goes to ``extra``.
CORE_FIELDS = (
    "email",
    "name",
    "first_name",
    "last_name",
    "org",
    "title",
    "timezone",
    "linkedin_url",
    "notes",
)


@dataclass
class ContactRecord:
    """One contact as read from a file or typed by the user, before it is stored.

    ``email`` may be None: LinkedIn exports omit most addresses, and such contacts are kept but
    flagged unreachable. ``line`` is where the record starts in its file, for error messages.
    """

    name: str
    email: str | None = None
    first_name: str = ""
    last_name: str = ""
    org: str = ""
    title: str = ""
    timezone: str = ""
    linkedin_url: str = ""
    notes: str = ""
    source: str = ""
    extra: dict[str, str] = field(default_factory=dict)
    tags: list[str] = field(default_factory=list)
    line: int = 0


@dataclass
class Contact:
    """A stored contact."""

    id: int
    name: str
    email: str | None
    first_name: str = ""
    last_name: str = ""
    org: str = ""
    title: str = ""
    timezone: str = ""
    linkedin_url: str = ""
    notes: str = ""
    source: str = ""
    referred_by: int | None = None
    extra: dict[str, str] = field(default_factory=dict)
    tags: list[str] = field(default_factory=list)
    created_at: str = ""
    updated_at: str = ""
    # Whether the first note to this referral may name who referred them (None: not asked).
    mention_referrer: bool | None = None

    @property
    def reachable(self) -> bool:
        """Whether mail can be addressed to this contact."""
        return bool(self.email)

    @cached_property
    def timezone_guess(self) -> ZoneGuess | None:
        """A best guess from country data (address, phone, email domain) when no time zone was
        given; None when one was given or nothing points to a single-zone country."""
        if self.timezone:
            return None
        from outreach.contacts.zoneguess import guess_zone

        return guess_zone(self.email, self.extra)

    @property
    def zone_name(self) -> str:
        """The zone to show their times in: the one given, else the guess, else ""."""
        if self.timezone:
            return self.timezone
        guess = self.timezone_guess
        return guess.zone if guess is not None else ""

    def describe_zone(self) -> str:
        """How listings and previews state the contact's zone, guess or not."""
        if self.timezone:
            return self.timezone
        guess = self.timezone_guess
        if guess is not None:
            return guess.describe()
        return "unknown"

    @property
    def display_first_name(self) -> str:
        """First name for greetings: the stored one, else the first word of the name."""
        if self.first_name:
            return self.first_name
        return self.name.split()[0] if self.name.split() else self.name

    def template_vars(self) -> dict[str, Any]:
        """What a template sees as ``contact``: core fields plus extra columns."""
        values: dict[str, Any] = dict(self.extra)
        values.update(
            id=self.id,
            name=self.name,
            email=self.email or "",
            first_name=self.display_first_name,
            last_name=self.last_name,
            org=self.org,
            title=self.title,
            timezone=self.timezone,
            linkedin_url=self.linkedin_url,
            notes=self.notes,
            source=self.source,
            tags=list(self.tags),
        )
        return values

    def label(self) -> str:
        """How errors and listings name this contact."""
        return f"{self.name} <{self.email}>" if self.email else f"{self.name} (#{self.id})"
