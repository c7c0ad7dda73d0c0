"""Configuration and workspace paths.

The workspace is ``$OUTREACH_HOME``, else the platform's user data folder. ``config.toml`` is
validated into typed dataclasses; every error names the file, the key and what is accepted.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from zoneinfo import ZoneInfo

from outreach.errors import ConfigError
from outreach.schedule.delivery import DeliveryWindow, parse_window

ENV_HOME = "OUTREACH_HOME"
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_HOURS_RE = re.compile(r"^(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})$")
WHEN_FULL = ("stop", "ask", "share")
"""What `outreach draft` does when free time runs out (see ScheduleConfig.when_full)."""


@dataclass(frozen=True)
class Workspace:
    """Every path the tool writes, in one place."""

    root: Path

    @property
    def config_file(self) -> Path:
        return self.root / "config.toml"

    @property
    def templates_dir(self) -> Path:
        return self.root / "templates"

    @property
    def db_file(self) -> Path:
        return self.root / "outreach.db"

    @property
    def outbox_dir(self) -> Path:
        """Maildir of drafts written by the local backend."""
        return self.root / "outbox"

    @property
    def backups_dir(self) -> Path:
        """Rolling copies of the database (daily, and before each migration)."""
        return self.root / "backups"

    @property
    def inbox_dir(self) -> Path:
        """Maildir the local backend syncs replies from."""
        return self.root / "inbox"

    @property
    def heartbeat_file(self) -> Path:
        """Where a running `outreach watch` says it is alive (pid and time, each cycle)."""
        return self.root / "watch.heartbeat"

    @property
    def logs_dir(self) -> Path:
        """Logs of `watch` run as a background service (`outreach service install`)."""
        return self.root / "logs"

    @property
    def cache_dir(self) -> Path:
        """Copies of what can be fetched again (calendar feeds)."""
        return self.root / "cache"

    def resolve(self, path: str) -> Path:
        """Resolve a config path relative to the workspace."""
        candidate = Path(path).expanduser()
        return candidate if candidate.is_absolute() else self.root / candidate


def default_workspace() -> Workspace:
    """The workspace named by OUTREACH_HOME, else the platform's user data folder."""
    env = os.environ.get(ENV_HOME)
    if env:
        return Workspace(Path(env).expanduser())
    import platformdirs

    return Workspace(Path(platformdirs.user_data_dir("outreach", appauthor=False)))


@dataclass(frozen=True)
class UserConfig:
    name: str = "Your Name"
    email: str = "you@example.com"
    signature: str = ""
    timezone: str = "UTC"
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def resume(self) -> str:
        """``[user] resume``: the file a promise to send your résumé attaches ("" unset)."""
        return self.extra.get("resume", "")


@dataclass(frozen=True)
class MailConfig:
    backend: str = "local"
    daily_send_cap: int = 100
    # First messages and nudges go out inside this window of the recipient's morning (their
    # clock, their weekdays); "" sends at once. See outreach.schedule.delivery.
    deliver_window: str = ""

    @cached_property
    def delivery_window(self) -> DeliveryWindow | None:
        """The parsed ``deliver_window`` (checked when the config was read)."""
        return parse_window(self.deliver_window)
    # Local backend: mark .eml drafts X-Unsent: 1 so Outlook opens them as drafts to send.
    outlook_drafts: bool = False


READ_SCOPES = ("metadata", "readonly")

SECURITY = ("tls", "starttls")
SENT_COPY = ("auto", "client", "server")


@dataclass(frozen=True)
class ImapConfig:
    """The IMAP account ([mail] backend = "imap"); the password is in the keyring."""

    host: str = ""
    port: int = 993
    security: str = "tls"  # "tls" (implicit, port 993) or "starttls" (port 143)
    username: str = ""  # empty: user.email
    drafts_folder: str = ""  # empty: the folder flagged \Drafts (SPECIAL-USE), else "Drafts"
    sent_folder: str = ""  # empty: the folder flagged \Sent, else "Sent"
    ca_file: str = ""  # an extra CA to trust (self-hosted servers, tests)
    auth: str = "password"  # "password" or "xoauth2" (an OAuth2 access token in the keyring)


@dataclass(frozen=True)
class SmtpConfig:
    """Submission for the IMAP backend; the password is the IMAP one unless the user differs."""

    host: str = ""
    port: int = 587
    security: str = "starttls"  # "starttls" (port 587) or "tls" (implicit, port 465)
    username: str = ""  # empty: the IMAP username
    ca_file: str = ""
    # Who files the sent copy in Sent: "server" (Gmail, Outlook do), "client" (we APPEND it
    # before sending), "auto" (server for hosts known to do it, else client).
    sent_copy: str = "auto"


@dataclass(frozen=True)
class GoogleConfig:
    client_secrets_file: str = "client_secret.json"
    api_root: str = ""
    # Gmail's per-user quota: 6,000 units a minute for Cloud projects created on or after
    # 1 May 2026 (every new one), 15,000 for older projects.
    quota_per_minute: int = 6000
    # What sync may read of your mail: "metadata" (gmail.metadata: headers and labels) or
    # "readonly" (gmail.readonly instead, to read the bodies of messages in tracked threads).
    read_scope: str = "metadata"

    @property
    def reads_bodies(self) -> bool:
        return self.read_scope == "readonly"


@dataclass(frozen=True)
class MicrosoftConfig:
    """``[microsoft]``: the user's app registration and where sign-in and Graph are."""

    client_id: str = ""
    api_root: str = "https://graph.microsoft.com"  # Graph's root, without the version
    authority: str = "https://login.microsoftonline.com/common"


@dataclass(frozen=True)
class ScheduleConfig:
    meeting_minutes: int = 20
    working_hours: str = "09:00-17:00"
    working_days: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri")
    lead_hours: int = 24
    horizon_days: int = 14
    slot_count: int = 3
    buffer_minutes: int = 10
    busy: tuple[str, ...] = ("google",)
    share_held_slots: bool = False  # older spelling of when_full = "share" (read into it)
    hold_days: int = 7
    how_to_join: str = ""
    meet_link: bool = False
    extended_hours: str = ""
    contact_day: str = "07:00-21:00"
    when_full: str = "stop"

    @cached_property
    def working_window(self) -> tuple[int, int]:
        """Working hours as (start, end) minutes after midnight, in the user's zone."""
        return parse_hours(self.working_hours)

    @cached_property
    def extended_window(self) -> tuple[int, int]:
        """The hours (user's zone) slots may use for a contact whose day does not overlap the
        user's working hours; the working hours themselves when ``extended_hours`` is empty."""
        return parse_hours(self.extended_hours) if self.extended_hours else self.working_window

    @cached_property
    def contact_day_window(self) -> tuple[int, int]:
        """The part of a contact's day (their zone) usable outside their working hours."""
        return parse_hours(self.contact_day)

    @property
    def work_start_minutes(self) -> int:
        """Start of the working day, minutes after midnight."""
        return self.working_window[0]

    @property
    def work_end_minutes(self) -> int:
        """End of the working day, minutes after midnight."""
        return self.working_window[1]

    @property
    def working_weekdays(self) -> frozenset[int]:
        """Working days as ``datetime.weekday()`` numbers (Monday is 0)."""
        return frozenset(WEEKDAYS.index(day) for day in self.working_days)


@dataclass(frozen=True)
class FollowupConfig:
    nudge_after_business_days: int = 5
    max_followups: int = 1
    after_return_business_days: int = 2
    unknown_return_business_days: int = 10
    thankyou_window_hours: int = 24
    keep_in_touch_days: int = 90
    close_after_business_days: int = 10
    # Per-tag keep-in-touch intervals ([followup.keep_in_touch_by_tag]), tag casefolded.
    keep_in_touch_by_tag: tuple[tuple[str, int], ...] = ()
    congratulate_within_days: int = 30
    # A reply that defers ("let me get back to you next week") makes the conversation wait:
    # one gentle follow-up this many business days after the date they named...
    after_deferral_business_days: int = 1
    # ... or, when they named none, this many business days after their reply.
    deferral_wait_business_days: int = 5
    # Draft a morning digest of what is due into your own mailbox (`outreach watch` does it).
    digest: bool = False

    def keep_in_touch_days_for(self, tags: Iterable[str]) -> int:
        """The interval for a contact with these tags: the shortest override among them (a
        contact in two groups hears from you as often as the closer one asks), else the
        default."""
        overrides = dict(self.keep_in_touch_by_tag)
        found = [overrides[tag.casefold()] for tag in tags if tag.casefold() in overrides]
        return min(found) if found else self.keep_in_touch_days


@dataclass(frozen=True)
class Config:
    user: UserConfig = field(default_factory=UserConfig)
    mail: MailConfig = field(default_factory=MailConfig)
    google: GoogleConfig = field(default_factory=GoogleConfig)
    schedule: ScheduleConfig = field(default_factory=ScheduleConfig)
    followup: FollowupConfig = field(default_factory=FollowupConfig)
    source: Path | None = None
    imap: ImapConfig = field(default_factory=ImapConfig)
    smtp: SmtpConfig = field(default_factory=SmtpConfig)
    microsoft: MicrosoftConfig = field(default_factory=MicrosoftConfig)


def parse_hours(text: str) -> tuple[int, int]:
    match = _HOURS_RE.match(text.strip())
    if not match:
        raise ValueError(text)
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    start, end = h1 * 60 + m1, h2 * 60 + m2
    if not (0 <= start < end <= 24 * 60) or m1 > 59 or m2 > 59:
        raise ValueError(text)
    return start, end


def load_config(workspace: Workspace) -> Config:
    """Load the workspace's config.toml; a missing file is an error with the fix."""
    path = workspace.config_file
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(
            f"No workspace config at {path}.",
            hint="Run `outreach init` to create the workspace (or set OUTREACH_HOME).",
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot be read: {exc}.", hint="Check the file.") from None
    return parse_config(text, path)


def parse_config(text: str, path: Path) -> Config:
    """Validate config.toml's text (see :mod:`outreach.config_parse`)."""
    from outreach.config_parse import parse_config_text

    return parse_config_text(text, path)


def example_config_text() -> str:
    """The documented example config, shipped in the wheel (or read from a source checkout)."""
    packaged = Path(__file__).parent / "_data" / "config.example.toml"
    if packaged.exists():
        return packaged.read_text(encoding="utf-8")
    return (Path(__file__).parents[1] / "config.example.toml").read_text(encoding="utf-8")
