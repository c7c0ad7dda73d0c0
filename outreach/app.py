"""AppContext: the one object commands receive. Config, store and backends are built lazily so
a command pays only for what it uses."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

import click

from outreach import clock
from outreach.config import Config, Workspace, default_workspace, load_config
from outreach.errors import WorkspaceError

if TYPE_CHECKING:
    from outreach.google.calendar_events import CalendarEvents
    from outreach.mail.backend import MailBackend
    from outreach.store import Store


@dataclass
class AppContext:
    workspace: Workspace
    verbose: bool = False
    _config: Config | None = field(default=None, repr=False)
    _store: Store | None = field(default=None, repr=False)
    _mail: MailBackend | None = field(default=None, repr=False)
    _calendar: CalendarEvents | None = field(default=None, repr=False)
    # The demo plays out a week in seconds; everything else uses the clock (or OUTREACH_NOW).
    now_override: datetime | None = None

    @classmethod
    def from_environment(cls, verbose: bool = False) -> AppContext:
        return cls(workspace=default_workspace(), verbose=verbose)

    @property
    def config(self) -> Config:
        if self._config is None:
            self._config = load_config(self.workspace)
        return self._config

    @property
    def store(self) -> Store:
        if self._store is None:
            if not self.workspace.config_file.exists():
                raise WorkspaceError(
                    f"No workspace at {self.workspace.root}.",
                    hint="Run `outreach init` first (or set OUTREACH_HOME to your workspace).",
                )
            from outreach.store import Store

            _ = self.config  # a bad config.toml is reported by every command, not just some
            self._store = Store.open(self.workspace.db_file)
        return self._store

    def now(self) -> datetime:
        return self.now_override or clock.now()

    def mail(self) -> MailBackend:
        """The configured mail backend, built on first use."""
        if self._mail is None:
            if self.config.mail.backend == "gmail":
                from outreach.mail.gmail import GmailBackend

                self._mail = GmailBackend.from_app(self)
            else:
                from outreach.mail.local import LocalOutbox

                self._mail = LocalOutbox(self.workspace)
        return self._mail

    def calendar(self) -> CalendarEvents:
        """The events of the user's primary Google Calendar (Gmail backend), built on first
        use."""
        if self._calendar is None:
            from outreach.google.calendar_events import CalendarEvents

            self._calendar = CalendarEvents.from_app(self)
        return self._calendar

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None


pass_app = click.make_pass_decorator(AppContext)
