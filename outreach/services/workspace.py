"""Creating a workspace: config.toml, templates/, outreach.db, the Maildirs."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from outreach.config import Workspace, example_config_text, parse_config
from outreach.errors import WorkspaceError
from outreach.store import Store

TEMPLATES_README = """\
Templates placed here override the built-in ones of the same name.

`outreach templates list` shows every template and where it comes from;
`outreach templates show NAME` prints a built-in so you can copy it here and edit it;
`outreach templates lint` checks your changes against the etiquette rules.
"""


@dataclass
class InitResult:
    workspace: Workspace
    created: list[Path] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created)


def _set_user_key(text: str, key: str, value: str) -> str:
    """Replace ``key = "..."`` in the [user] section of the example config."""
    section = re.search(r"(?ms)^\[user\]\n.*?(?=^\[)", text)
    assert section is not None
    body = re.sub(
        rf'(?m)^{key} = ".*"$',
        lambda _m: f"{key} = {_toml_string(value)}",
        section.group(0),
        count=1,
    )
    return text[: section.start()] + body + text[section.end() :]


def _toml_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def config_text(
    name: str | None,
    email: str | None,
    timezone: str | None,
    user_extras: dict[str, str] | None = None,
) -> str:
    """The example config with the user's answers filled in."""
    text = example_config_text()
    for key, value in (("name", name), ("email", email), ("timezone", timezone)):
        if value:
            text = _set_user_key(text, key, value)
    if user_extras:
        lines = "".join(f"{key} = {_toml_string(value)}\n" for key, value in user_extras.items())
        text = re.sub(r"(?m)^(timezone = .*\n)", lambda m: m.group(1) + lines, text, count=1)
    return text


def _write_private(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)


def init_workspace(
    workspace: Workspace,
    *,
    name: str | None = None,
    email: str | None = None,
    timezone: str | None = None,
    user_extras: dict[str, str] | None = None,
) -> InitResult:
    """Create whatever part of the workspace is missing; never overwrite what exists."""
    result = InitResult(workspace)
    try:
        if not workspace.root.exists():
            workspace.root.mkdir(parents=True, mode=0o700)
            result.created.append(workspace.root)
        if not workspace.config_file.exists():
            text = config_text(name, email, timezone, user_extras)
            parse_config(text, workspace.config_file)  # refuse to write a config we can't read
            _write_private(workspace.config_file, text)
            result.created.append(workspace.config_file)
        if not workspace.templates_dir.exists():
            workspace.templates_dir.mkdir(mode=0o700)
            (workspace.templates_dir / "README.md").write_text(TEMPLATES_README, "utf-8")
            result.created.append(workspace.templates_dir)
        if not workspace.db_file.exists():
            Store.open(workspace.db_file).close()
            result.created.append(workspace.db_file)
    except OSError as exc:
        raise WorkspaceError(
            f"Cannot create the workspace at {workspace.root}: {exc}.",
            hint="Choose a writable folder with OUTREACH_HOME=/path/to/folder.",
        ) from None
    return result
