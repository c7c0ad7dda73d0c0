"""Reading config.toml into the typed :class:`~outreach.config.Config`: every value checked,
every error naming the file, the key and what is accepted."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from outreach.config import (
    READ_SCOPES,
    WEEKDAYS,
    WHEN_FULL,
    Config,
    FollowupConfig,
    GoogleConfig,
    MailConfig,
    MicrosoftConfig,
    ScheduleConfig,
    UserConfig,
    parse_hours,
)
from outreach.errors import ConfigError
from outreach.schedule.delivery import parse_window


class _Section:
    """Reads one table of the TOML document, raising ConfigError that names file and key."""

    def __init__(self, path: Path, name: str, data: dict[str, Any]) -> None:
        self.path, self.name, self.data = path, name, data

    def _error(self, key: str, accepted: str) -> ConfigError:
        value = self.data.get(key)
        return ConfigError(
            f"{self.path}: [{self.name}] {key} = {value!r} is not valid; expected {accepted}.",
            hint=f"Fix the value in {self.path} (config.example.toml documents every key).",
        )

    def string(self, key: str, default: str) -> str:
        value = self.data.get(key, default)
        if not isinstance(value, str):
            raise self._error(key, "a string in quotes")
        return value

    def integer(self, key: str, default: int, low: int, high: int) -> int:
        value = self.data.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise self._error(key, f"a whole number from {low} to {high}")
        return value

    def boolean(self, key: str, default: bool) -> bool:
        value = self.data.get(key, default)
        if not isinstance(value, bool):
            raise self._error(key, "true or false")
        return value

    def choice(self, key: str, default: str, choices: tuple[str, ...]) -> str:
        value = self.data.get(key, default)
        if value not in choices:
            raise self._error(key, " or ".join(f'"{c}"' for c in choices))
        return str(value)

    def strings(self, key: str, default: tuple[str, ...]) -> tuple[str, ...]:
        value = self.data.get(key, list(default))
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self._error(key, 'a list of strings, e.g. ["a", "b"]')
        return tuple(value)

    def timezone(self, key: str, default: str) -> str:
        value = self.string(key, default)
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise self._error(key, 'an IANA time zone such as "Europe/Berlin"') from None
        return value

    def reject_unknown(self, known: set[str]) -> None:
        for key in self.data:
            if key not in known:
                raise ConfigError(
                    f"{self.path}: unknown key [{self.name}] {key}.",
                    hint=f"Known keys: {', '.join(sorted(known))}. Check the spelling.",
                )


BACKENDS = ("local", "gmail", "imap", "microsoft")
_SECTIONS = ("user", "mail", "google", "schedule", "followup", "imap", "smtp", "microsoft")
_URL = re.compile(r"^https?://[^/\s]+(/.*)?$")


def parse_config_text(text: str, path: Path) -> Config:
    """Validate a TOML document into a Config; errors name ``path`` and the key."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(
            f"{path}: not valid TOML: {exc}.",
            hint=f"Fix the syntax in {path}; config.example.toml shows every key.",
        ) from None
    for name, value in raw.items():
        if name not in _SECTIONS or not isinstance(value, dict):
            raise ConfigError(
                f"{path}: unknown section or key {name!r}.",
                hint=f"Sections are {', '.join(f'[{s}]' for s in _SECTIONS)}.",
            )

    def section(name: str) -> _Section:
        return _Section(path, name, raw.get(name, {}))

    user_s = section("user")
    base_user = {"name", "email", "signature", "timezone"}
    extra: dict[str, str] = {}
    for key, value in user_s.data.items():
        if key in base_user:
            continue
        if not isinstance(value, str | int | float):
            raise user_s._error(key, "a string (extra [user] keys are template variables)")
        extra[key] = str(value)
    user = UserConfig(
        name=user_s.string("name", UserConfig.name),
        email=user_s.string("email", UserConfig.email),
        signature=user_s.string("signature", UserConfig.signature),
        timezone=user_s.timezone("timezone", UserConfig.timezone),
        extra=extra,
    )

    mail_s = section("mail")
    mail_s.reject_unknown({"backend", "daily_send_cap", "deliver_window", "outlook_drafts"})
    window = mail_s.string("deliver_window", MailConfig.deliver_window)
    try:
        parse_window(window)
    except ValueError:
        raise mail_s._error(
            "deliver_window", '"HH:MM-HH:MM" on the recipient\'s clock (e.g. "08:00-10:00"), or ""'
        ) from None
    mail = MailConfig(
        backend=mail_s.choice("backend", MailConfig.backend, BACKENDS),
        daily_send_cap=mail_s.integer("daily_send_cap", MailConfig.daily_send_cap, 0, 2000),
        deliver_window=window,
        outlook_drafts=mail_s.boolean("outlook_drafts", MailConfig.outlook_drafts),
    )

    google_s = section("google")
    google_s.reject_unknown({*GoogleConfig.__dataclass_fields__, "quota_units_per_second"})
    api_root = google_s.string("api_root", GoogleConfig.api_root)
    if api_root and not re.match(r"^https?://[^/\s]+(/.*)?$", api_root):
        raise google_s._error("api_root", 'an http(s) URL such as "http://127.0.0.1:8765/"')
    google = GoogleConfig(
        client_secrets_file=google_s.string(
            "client_secrets_file", GoogleConfig.client_secrets_file
        ),
        api_root=api_root,
        quota_per_minute=_quota_per_minute(google_s),
        read_scope=google_s.choice("read_scope", GoogleConfig.read_scope, READ_SCOPES),
    )

    sched_s = section("schedule")
    sched_s.reject_unknown(set(ScheduleConfig.__dataclass_fields__))
    defaults = ScheduleConfig()
    hours = sched_s.string("working_hours", defaults.working_hours)
    try:
        parse_hours(hours)
    except ValueError:
        raise sched_s._error("working_hours", '"HH:MM-HH:MM" with start before end') from None
    days = sched_s.strings("working_days", defaults.working_days)
    if not days or any(day not in WEEKDAYS for day in days):
        raise sched_s._error("working_days", f"a non-empty list of {', '.join(WEEKDAYS)}")
    meeting_minutes = sched_s.integer("meeting_minutes", defaults.meeting_minutes, 5, 240)
    extended = _extended_hours(sched_s, hours)
    contact_day = _contact_day(sched_s, meeting_minutes)
    schedule = ScheduleConfig(
        meeting_minutes=meeting_minutes,
        working_hours=hours,
        working_days=days,
        lead_hours=sched_s.integer("lead_hours", defaults.lead_hours, 0, 24 * 30),
        horizon_days=sched_s.integer("horizon_days", defaults.horizon_days, 1, 90),
        slot_count=sched_s.integer("slot_count", defaults.slot_count, 1, 10),
        buffer_minutes=sched_s.integer("buffer_minutes", defaults.buffer_minutes, 0, 120),
        busy=sched_s.strings("busy", defaults.busy),
        share_held_slots=sched_s.boolean("share_held_slots", defaults.share_held_slots),
        hold_days=sched_s.integer("hold_days", defaults.hold_days, 1, 90),
        how_to_join=sched_s.string("how_to_join", defaults.how_to_join),
        meet_link=sched_s.boolean("meet_link", defaults.meet_link),
        extended_hours=extended,
        contact_day=contact_day,
        when_full=_when_full(sched_s),
    )
    if schedule.meet_link and mail.backend not in ("gmail", "microsoft"):
        raise ConfigError(
            f"{path}: [schedule] meet_link = true needs [mail] backend = \"gmail\" (Google "
            "Meet links are made with the event on your Google Calendar).",
            hint=f"Set meet_link = false in {path}, or use the Gmail backend.",
        )

    follow_s = section("followup")
    follow_s.reject_unknown(set(FollowupConfig.__dataclass_fields__))
    fdef = FollowupConfig()
    followup = FollowupConfig(
        nudge_after_business_days=follow_s.integer(
            "nudge_after_business_days", fdef.nudge_after_business_days, 1, 60
        ),
        max_followups=follow_s.integer("max_followups", fdef.max_followups, 0, 5),
        after_return_business_days=follow_s.integer(
            "after_return_business_days", fdef.after_return_business_days, 0, 30
        ),
        unknown_return_business_days=follow_s.integer(
            "unknown_return_business_days", fdef.unknown_return_business_days, 0, 60
        ),
        thankyou_window_hours=follow_s.integer(
            "thankyou_window_hours", fdef.thankyou_window_hours, 1, 168
        ),
        keep_in_touch_days=follow_s.integer("keep_in_touch_days", fdef.keep_in_touch_days, 7, 730),
        close_after_business_days=follow_s.integer(
            "close_after_business_days", fdef.close_after_business_days, 1, 60
        ),
        keep_in_touch_by_tag=_keep_in_touch_by_tag(path, follow_s.data),
        congratulate_within_days=follow_s.integer(
            "congratulate_within_days", fdef.congratulate_within_days, 1, 365
        ),
        after_deferral_business_days=follow_s.integer(
            "after_deferral_business_days", fdef.after_deferral_business_days, 0, 30
        ),
        deferral_wait_business_days=follow_s.integer(
            "deferral_wait_business_days", fdef.deferral_wait_business_days, 1, 60
        ),
        digest=follow_s.boolean("digest", fdef.digest),
    )
    from outreach.config_mailserver import parse_imap, parse_smtp

    needs_server = mail.backend == "imap"
    imap = parse_imap(section("imap"), required=needs_server)
    smtp = parse_smtp(section("smtp"), imap, required=needs_server)
    microsoft = _microsoft(section("microsoft"))
    return Config(
        user, mail, google, schedule, followup, source=path, imap=imap, smtp=smtp,
        microsoft=microsoft,
    )


def _quota_per_minute(section: _Section) -> int:
    """``quota_per_minute``; the older ``quota_units_per_second`` is read into it."""
    if "quota_units_per_second" in section.data and "quota_per_minute" not in section.data:
        return 60 * section.integer("quota_units_per_second", 100, 10, 10_000)
    return section.integer("quota_per_minute", GoogleConfig.quota_per_minute, 60, 1_200_000)


def _microsoft(section: _Section) -> MicrosoftConfig:
    """``[microsoft]``: client_id; api_root and authority as https URLs (authority with its
    tenant)."""
    section.reject_unknown(set(MicrosoftConfig.__dataclass_fields__))
    api_root = section.string("api_root", MicrosoftConfig.api_root).rstrip("/")
    if not api_root.startswith("https://") or not _URL.match(api_root):
        raise section._error("api_root", 'an https URL such as "https://graph.microsoft.com"')
    authority = section.string("authority", MicrosoftConfig.authority).rstrip("/")
    if not authority.startswith("https://") or not re.match(r"^https://[^/\s]+/[^/\s]+", authority):
        raise section._error(
            "authority", 'an https URL with the tenant, e.g. "https://login.microsoftonline.com/common"'
        )
    return MicrosoftConfig(
        client_id=section.string("client_id", MicrosoftConfig.client_id).strip(),
        api_root=api_root,
        authority=authority,
    )


def _extended_hours(section: _Section, working_hours: str) -> str:
    """``extended_hours``: empty, or a span that reaches at least as far as working_hours."""
    accepted = (
        f'"HH:MM-HH:MM" that starts no later and ends no earlier than working_hours '
        f'("{working_hours}"), e.g. "07:00-21:00"; or "" to stay inside working_hours'
    )
    raw = section.data.get("extended_hours", ScheduleConfig.extended_hours)
    if not isinstance(raw, str):
        raise section._error("extended_hours", accepted)
    value = raw.strip()
    if not value:
        return ""
    try:
        start, end = parse_hours(value)
    except ValueError:
        raise section._error("extended_hours", accepted) from None
    work_start, work_end = parse_hours(working_hours)
    if start > work_start or end < work_end:
        raise section._error("extended_hours", accepted)
    return value


def _contact_day(section: _Section, meeting_minutes: int) -> str:
    """``contact_day``: inside 07:00-22:00 (never the contact's night), room for a meeting."""
    accepted = (
        '"HH:MM-HH:MM" inside 07:00-22:00 (a contact\'s night, 22:00-07:00 their time, is '
        f"never offered) and at least meeting_minutes ({meeting_minutes}) long"
    )
    value = section.data.get("contact_day", ScheduleConfig.contact_day)
    if not isinstance(value, str):
        raise section._error("contact_day", accepted)
    value = value.strip()
    try:
        start, end = parse_hours(value)
    except ValueError:
        raise section._error("contact_day", accepted) from None
    if start < 7 * 60 or end > 22 * 60 or end - start < meeting_minutes:
        raise section._error("contact_day", accepted)
    return value


def _when_full(section: _Section) -> str:
    """``when_full``; the older ``share_held_slots = true`` means ``"share"``."""
    sharing = section.boolean("share_held_slots", ScheduleConfig.share_held_slots)
    if "when_full" not in section.data:
        return "share" if sharing else ScheduleConfig.when_full
    value = section.choice("when_full", ScheduleConfig.when_full, WHEN_FULL)
    if sharing and value != "share":
        raise ConfigError(
            f"{section.path}: [schedule] share_held_slots = true contradicts "
            f'when_full = "{value}".',
            hint=f"Remove share_held_slots from {section.path}: when_full replaces it.",
        )
    return value


_TAG_TABLE = "followup.keep_in_touch_by_tag"


def _keep_in_touch_by_tag(path: Path, followup: dict[str, Any]) -> tuple[tuple[str, int], ...]:
    """``[followup.keep_in_touch_by_tag]``: tag = days, each 7 to 730, tags unique in any case."""
    table = followup.get("keep_in_touch_by_tag", {})
    example = "[followup.keep_in_touch_by_tag] with lines such as alumni = 120"
    if not isinstance(table, dict):
        raise ConfigError(
            f"{path}: [followup] keep_in_touch_by_tag = {table!r} is not valid; expected a "
            f"table of tag = days.",
            hint=f"Write it as its own section: {example} (config.example.toml shows it).",
        )
    found: dict[str, int] = {}
    for tag, days in table.items():
        name = tag.strip().casefold()
        if not name:
            raise ConfigError(
                f"{path}: [{_TAG_TABLE}] has an empty tag name.",
                hint=f"Name the tag, as in {example}.",
            )
        if isinstance(days, bool) or not isinstance(days, int) or not 7 <= days <= 730:
            raise ConfigError(
                f"{path}: [{_TAG_TABLE}] {tag} = {days!r} is not valid; expected a whole number "
                "of days from 7 to 730.",
                hint=f"Fix the value in {path}, e.g. {tag.strip() or 'alumni'} = 120.",
            )
        if name in found:
            raise ConfigError(
                f"{path}: [{_TAG_TABLE}] names the tag {tag!r} twice (tags ignore case).",
                hint="Keep one of the two lines.",
            )
        found[name] = days
    return tuple(sorted(found.items()))
