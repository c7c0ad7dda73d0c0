"""AppContext: the one object commands receive. Config, store and backends are built lazily so
a command pays only for what it uses."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Literal

import click

from outreach import clock
from outreach.config import Config, Workspace, default_workspace, load_config
from outreach.errors import WorkspaceError

if TYPE_CHECKING:
    from outreach.lock import WorkspaceLock
    from outreach.mail.backend import MailBackend
    from outreach.mail.kinds import BackendKind
    from outreach.mail.sync_reader import SyncReader
    from outreach.schedule.calendar_protocol import EventCalendar
    from outreach.store import Store

# How a command shares the workspace with other outreach commands (see outreach.lock):
# "writer" holds the writer lock from before it opens the database until it ends; "reader"
# never waits; "self" takes it itself around each unit of work (watch); "none" is for code that
# builds its own AppContext (tests, benchmarks, the demo's private workspace).
LockMode = Literal["writer", "reader", "self", "none"]


def _say_waiting(message: str) -> None:
    click.secho(message, fg="yellow", err=True)


@dataclass
class AppContext:
    workspace: Workspace
    verbose: bool = False
    _config: Config | None = field(default=None, repr=False)
    _store: Store | None = field(default=None, repr=False)
    _mail: MailBackend | None = field(default=None, repr=False)
    _calendar: EventCalendar | None = field(default=None, repr=False)
    # The demo plays out a week in seconds; everything else uses the clock (or OUTREACH_NOW).
    now_override: datetime | None = None
    lock_mode: LockMode = "none"
    # When set (by the CLI), decides lock_mode on first use, once the command is known.
    lock_policy: Callable[[], LockMode] | None = field(default=None, repr=False)
    command: str = "outreach"  # how this command is named to one waiting for it
    _lock: WorkspaceLock | None = field(default=None, repr=False)

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
            if self.sharing() == "writer":
                self.hold_workspace()
            workspace = self.workspace
            self._store = Store.open(
                workspace.db_file,
                backup_dir=workspace.backups_dir,
                data_dirs=(workspace.outbox_dir / "cur", workspace.root / "sent" / "cur"),
                for_reading=self.sharing() == "reader",
            )
            if self._lock is not None and self._lock.held:
                self._store.ensure_sound()  # a damaged database is never written
            else:
                self._say_if_damaged()
            self._daily_backup()
        return self._store

    def _say_if_damaged(self) -> None:
        """A reading command says the database is damaged, then shows what it can."""
        assert self._store is not None
        warning = self._store.damage_warning()
        if warning is not None:
            import logging

            logging.getLogger("outreach.store").warning("%s", warning)

    def _daily_backup(self) -> None:
        """The first writing command of each day backs the database up (outreach.store.backup)."""
        if self._store is not None and self._lock is not None and self._lock.held:
            self._store.daily_backup(self.now().astimezone(self.config.user.zone).date())

    def sharing(self) -> LockMode:
        """How this command shares the workspace (decided once, on first use)."""
        if self.lock_policy is not None:
            self.lock_mode, self.lock_policy = self.lock_policy(), None
        return self.lock_mode

    def hold_workspace(self) -> None:
        """Take the workspace's writer lock until :meth:`close` (waiting, and saying so, while
        another outreach command holds it)."""
        if self._lock is None:
            from outreach.lock import WorkspaceLock

            self._lock = WorkspaceLock(self.workspace.root)
        try:
            waited = self._lock.acquire(command=self.command, on_wait=_say_waiting)
        except OSError as exc:
            from outreach.store.trouble import explain

            named = explain(exc, self.workspace.db_file)
            if named is None:
                raise
            raise named from None
        if waited is not None:
            _say_waiting(f"The other outreach command finished after {waited:.1f}s; going on.")

    @contextmanager
    def writing(self) -> Iterator[None]:
        """Hold the writer lock for one unit of work (a `watch` cycle), unless already held."""
        if self.sharing() in ("writer", "none") or (self._lock is not None and self._lock.held):
            yield
            return
        self.hold_workspace()
        try:
            if self._store is not None:
                self._store.ensure_sound()
            self._daily_backup()
            yield
        finally:
            if self._store is not None:
                self._store.wrote()
            assert self._lock is not None
            self._lock.release()

    def now(self) -> datetime:
        return self.now_override or clock.now()

    def mail_kind(self) -> BackendKind:
        """What the configured mailbox can do (:mod:`outreach.mail.kinds`), without building
        it: no keyring, no network."""
        from outreach.mail.kinds import kind_for

        return kind_for(self.config.mail.backend)

    def mail(self) -> MailBackend:
        """The configured mail backend, built on first use."""
        if self._mail is None:
            self._mail = self.mail_kind().build(self.config, self.workspace)
        return self._mail

    def sync_reader(self) -> SyncReader:
        """What sync reads the configured mailbox with (:mod:`outreach.mail.sync_reader`)."""
        return self.mail_kind().sync_reader(self.config, self.workspace, self.mail)

    def calendar(self) -> EventCalendar:
        """The events of the user's own calendar (Google's primary calendar with Gmail, the
        Outlook calendar with Microsoft), built on first use."""
        if self._calendar is None:
            self._calendar = self.mail_kind().build_calendar(self.config, self.mail)
        return self._calendar

    def reset_mail(self) -> None:
        """Forget the built Google backends (mail and calendar): the next use builds them
        again from the keyring (after a new login)."""
        self._mail = None
        self._calendar = None

    def close_store(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None

    def close(self) -> None:
        close_mail = getattr(self._mail, "close", None)  # a backend holding a connection
        if close_mail is not None:
            close_mail()
        self.close_store()
        if self._lock is not None:
            self._lock.release()


pass_app = click.make_pass_decorator(AppContext)
