"""The workspace's settings as `config.toml` holds them, section by section, for the web app's
Settings page (read only: the file is the one place they are changed)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass

from outreach.app import AppContext

__all__ = ["SettingsView", "settings_view"]


@dataclass(frozen=True)
class SettingsView:
    path: str
    sections: list[tuple[str, list[tuple[str, str]]]]
    text: str


def _shown(value: object) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return str(value)


def settings_view(app: AppContext) -> SettingsView:
    """config.toml as read (checked first: a bad file raises the CLI's ConfigError)."""
    _ = app.config
    path = app.workspace.config_file
    text = path.read_text(encoding="utf-8")
    data = tomllib.loads(text)
    sections = [
        (name, [(key, _shown(value)) for key, value in values.items()
                if not isinstance(value, dict)])
        for name, values in data.items()
        if isinstance(values, dict)
    ]
    return SettingsView(str(path), sections, text)
