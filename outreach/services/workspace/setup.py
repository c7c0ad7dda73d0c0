"""Creating a workspace (config.toml, templates/, outreach.db) and updating its [user] keys.

Every value is validated before anything is written, and a first `init` that fails part-way
removes what it created, so a typo never leaves an empty folder or a config that cannot load.
On an existing workspace, `init --KEY VALUE` changes only the keys given (comments and other
keys stay as they are) and says what changed.
"""

from __future__ import annotations

import contextlib
import difflib
import os
import re
import shutil
import tomllib
import zoneinfo
from dataclasses import dataclass, field, fields
from pathlib import Path

from outreach.config import (
    Config,
    UserConfig,
    Workspace,
    example_config_text,
    parse_config,
)
from outreach.errors import ConfigError, ContactError, WorkspaceError
from outreach.store import Store

TEMPLATES_README = """\
Templates placed here override the built-in ones of the same name.

`outreach templates list` shows every template and where it comes from;
`outreach templates new NAME --from outreach` starts a new one from a built-in;
`outreach templates show NAME --builtin` prints a built-in even after you override it;
`outreach templates lint` checks your changes against the etiquette rules.
"""

# The example config's [user] values: a config still holding them is not set up.
PLACEHOLDERS = {"name": UserConfig.name, "email": UserConfig.email}
# Keys of [user] that `init` sets; the last four are optional and used by the templates.
USER_KEYS = ("name", "email", "timezone", "intro", "field", "school", "signature")


@dataclass(frozen=True)
class UserValues:
    """What `init` was told about the user (None: not given)."""

    name: str | None = None
    email: str | None = None
    timezone: str | None = None
    intro: str | None = None
    field: str | None = None
    school: str | None = None
    signature: str | None = None

    def given(self) -> dict[str, str]:
        return {f.name: v for f in fields(self) if (v := getattr(self, f.name)) is not None}


@dataclass
class InitResult:
    workspace: Workspace
    created: list[Path] = field(default_factory=list)
    updated: list[tuple[str, str | None, str]] = field(default_factory=list)  # key, old, new
    placeholders: list[str] = field(default_factory=list)  # [user] keys still placeholders

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)


# --- validation ---------------------------------------------------------------------------


def system_timezone() -> str | None:
    """This machine's IANA zone (TZ, /etc/timezone or the /etc/localtime link), if known."""
    from outreach.contacts.validate import canonical_timezone

    candidates = [os.environ.get("TZ", "").lstrip(":")]
    with contextlib.suppress(OSError):
        candidates.append(Path("/etc/timezone").read_text("utf-8").strip())
    try:
        target = os.readlink("/etc/localtime")
        if "zoneinfo/" in target:
            candidates.append(target.split("zoneinfo/", 1)[1])
    except OSError:
        pass
    for candidate in candidates:
        zone = canonical_timezone(candidate) if candidate else None
        if zone and zone not in ("UTC", "Etc/UTC", "Universal", "Zulu"):
            return zone
    return "UTC" if any(candidates) else None


def check_timezone(value: str, option: str = "--timezone") -> str:
    """The canonical IANA name for ``value``; ConfigError with close matches otherwise."""
    from outreach.contacts.validate import canonical_timezone

    zone = canonical_timezone(value)
    if zone is not None:
        return zone
    names = sorted(zoneinfo.available_timezones())
    close = difflib.get_close_matches(value, names, n=3, cutoff=0.6)
    city = value.rsplit("/", 1)[-1].replace(" ", "_").casefold()
    close += [n for n in names if n.rsplit("/", 1)[-1].casefold() == city and n not in close]
    maybe = f" Did you mean {' or '.join(close[:3])}?" if close else ""
    system = system_timezone()
    yours = f" (this computer's is {system})" if system and system != "UTC" else ""
    raise ConfigError(
        f"{option} {value!r} is not an IANA time zone.{maybe}",
        hint=f"Give an Area/City name such as America/New_York or Europe/Berlin{yours}; the list "
        "is at https://en.wikipedia.org/wiki/List_of_tz_database_time_zones.",
    )


def check_email(value: str, option: str = "--email") -> str:
    """A valid, normalised address; ConfigError naming the option otherwise."""
    from outreach.contacts.validate import normalise_email

    try:
        return normalise_email(value)
    except ContactError as exc:
        reason = exc.message.split(": ", 1)[-1]
        raise ConfigError(
            f"{option} {value!r} is not a valid email address: {reason}",
            hint="Give the address you send from, e.g. --email sam.rivera@example.edu.",
        ) from None


def check_text(key: str, value: str) -> str:
    """One line of text (the signature may have line breaks, written as \\n)."""
    from outreach.contacts.validate import clean_text

    if key == "signature":
        lines = [clean_text(line) for line in value.replace("\\n", "\n").splitlines()]
        return "\n".join(lines).strip("\n")
    text = clean_text(value)
    if key == "name" and not text:
        raise ConfigError("--name is empty.", hint='Give your name, e.g. --name "Sam Rivera".')
    return text


def validate_user_values(values: UserValues) -> UserValues:
    """Every value checked and normalised; the first bad one is a ConfigError naming it."""
    clean: dict[str, str | None] = {}
    for key, value in values.given().items():
        if key == "email":
            clean[key] = check_email(value)
        elif key == "timezone":
            clean[key] = check_timezone(value)
        else:
            clean[key] = check_text(key, value)
    return UserValues(**clean)


def placeholders(user: UserConfig) -> list[str]:
    """The [user] keys that still hold the example config's placeholder values."""
    return [key for key, value in PLACEHOLDERS.items() if getattr(user, key) == value]


def placeholder_fix(keys: list[str]) -> str:
    """The init command that replaces these placeholder keys."""
    examples = {"name": '--name "First Last"', "email": "--email you@your-domain.example"}
    return "outreach init " + " ".join(examples[key] for key in keys)


def ensure_user_is_set(config: Config) -> None:
    """Refuse to write mail signed "Your Name" from you@example.com, naming the fix."""
    missing = placeholders(config.user)
    if not missing:
        return
    where = config.source or "config.toml"
    shown = " and ".join(f'[user] {key} is still "{PLACEHOLDERS[key]}"' for key in missing)
    raise ConfigError(
        f"{shown} in {where}, so the message would be signed with a placeholder.",
        hint=f"Set {'it' if len(missing) == 1 else 'them'}: `{placeholder_fix(missing)}` "
        f"(or edit {where}).",
    )


# --- config text --------------------------------------------------------------------------


def _toml_string(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


_SECTION_RE = re.compile(r"(?m)^\[([A-Za-z_]+)\][ \t]*(?:#.*)?$")


def _user_section(text: str) -> tuple[int, int] | None:
    """Start (after the header line) and end of the [user] table in ``text``."""
    headers = list(_SECTION_RE.finditer(text))
    for index, match in enumerate(headers):
        if match.group(1) == "user":
            start = match.end() + 1 if match.end() < len(text) else match.end()
            end = headers[index + 1].start() if index + 1 < len(headers) else len(text)
            return start, end
    return None


def set_user_key(text: str, key: str, value: str) -> str:
    """``text`` with ``key = "value"`` set in its [user] table (replaced, else added)."""
    line = f"{key} = {_toml_string(value)}"
    span = _user_section(text)
    if span is None:
        return f"[user]\n{line}\n\n{text}"
    start, end = span
    body = text[start:end]
    pattern = re.compile(rf"(?m)^[ \t]*{re.escape(key)}[ \t]*=.*$")
    if pattern.search(body):
        body = pattern.sub(lambda _m: line, body, count=1)
    else:
        # After the last key = value line of the table, else right after the header.
        keys = list(re.finditer(r"(?m)^[ \t]*[A-Za-z0-9_-]+[ \t]*=.*$\n?", body))
        at = keys[-1].end() if keys else 0
        prefix = body[:at] if not at or body[:at].endswith("\n") else body[:at] + "\n"
        body = prefix + line + "\n" + body[at:]
    return text[:start] + body + text[end:]


def config_text(values: UserValues, base: str | None = None) -> str:
    """``base`` (default: the documented example) with the user's values filled in."""
    text = example_config_text() if base is None else base
    for key, value in values.given().items():
        text = set_user_key(text, key, value)
    return text


def _current_user_values(text: str) -> dict[str, object]:
    try:
        user = tomllib.loads(text).get("user", {})
    except tomllib.TOMLDecodeError:
        return {}
    return user if isinstance(user, dict) else {}


def _write_private(path: Path, text: str, *, replace: bool = False) -> None:
    """Write ``text`` with mode 0600; with ``replace``, atomically over the old file."""
    target = path.with_name(f".{path.name}.tmp") if replace else path
    flags = os.O_WRONLY | os.O_CREAT | (os.O_TRUNC if replace else os.O_EXCL)
    fd = os.open(target, flags, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    if replace:
        os.replace(target, path)


# --- init ---------------------------------------------------------------------------------


def _undo(created: list[Path]) -> None:
    for path in reversed(created):
        try:
            if path.is_dir():
                shutil.rmtree(path)
            else:
                path.unlink(missing_ok=True)
        except OSError:
            pass


def init_workspace(
    workspace: Workspace,
    values: UserValues | None = None,
    *,
    name: str | None = None,
    email: str | None = None,
    timezone: str | None = None,
    user_extras: dict[str, str] | None = None,
) -> InitResult:
    """Create what is missing of the workspace and set the [user] keys given.

    ``name``/``email``/``timezone`` are shorthands for the same fields of ``values``. Nothing
    is written unless every value is valid and the resulting config loads; a failed first run
    removes what it created.
    """
    given = (values or UserValues()).given()
    for key, value in (("name", name), ("email", email), ("timezone", timezone)):
        if value is not None:
            given[key] = value
    clean = validate_user_values(UserValues(**given))
    wanted = clean.given()
    for key, value in (user_extras or {}).items():
        wanted.setdefault(key, value)
    result = InitResult(workspace)
    config_path = workspace.config_file

    # Work out the config text first: an invalid result is refused before any write.
    old_text: str | None = None
    if config_path.exists():
        try:
            old_text = config_path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(
                f"{config_path}: cannot be read: {exc}.", hint="Check the file."
            ) from None
        current = _current_user_values(old_text)
        new_text = old_text
        for key, value in wanted.items():
            if current.get(key) != value:
                new_text = set_user_key(new_text, key, value)
                old = current.get(key)
                result.updated.append((key, None if old is None else str(old), value))
    else:
        new_text = example_config_text()
        for key, value in wanted.items():
            new_text = set_user_key(new_text, key, value)
    config = parse_config(new_text, config_path)
    result.placeholders = placeholders(config.user)

    try:
        if not workspace.root.exists():
            workspace.root.mkdir(parents=True, mode=0o700)
            result.created.append(workspace.root)
        if old_text is None:
            _write_private(config_path, new_text)
            result.created.append(config_path)
        elif new_text != old_text:
            _write_private(config_path, new_text, replace=True)
        if not workspace.templates_dir.exists():
            workspace.templates_dir.mkdir(mode=0o700)
            result.created.append(workspace.templates_dir)
            (workspace.templates_dir / "README.md").write_text(TEMPLATES_README, "utf-8")
        if not workspace.db_file.exists():
            result.created.append(workspace.db_file)
            Store.open(workspace.db_file).close()
    except (OSError, WorkspaceError) as exc:
        _undo(result.created)
        reason = exc.message if isinstance(exc, WorkspaceError) else str(exc)
        raise WorkspaceError(
            f"Cannot create the workspace at {workspace.root}: {reason}",
            hint="Choose a writable folder with OUTREACH_HOME=/path/to/folder; nothing was "
            "left behind.",
        ) from None
    return result
