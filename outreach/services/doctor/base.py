"""The parts every `outreach doctor` check is made of: a finding, the shared state, and how a
check says it cannot run yet. See :mod:`outreach.services.doctor.checks` for the checks; each
mailbox's own checks are the adapter's (:mod:`outreach.mail.health`)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from outreach.app import AppContext
from outreach.config import Config, Workspace
from outreach.mail.backend import MailBackend
from outreach.mail.health import FAIL, OK, SKIP, Check, NotChecked, fail, ok
from outreach.mail.kinds import BackendKind

__all__ = ["FAIL", "OK", "SKIP", "Check", "CheckFn", "Doctor", "NotChecked", "fail", "ok"]


@dataclass
class Doctor:
    """What the checks share: the app, and the outcome of each step so far (by name). It is
    the :class:`~outreach.mail.health.Diagnosis` a mailbox's own checks read."""

    app: AppContext
    outcomes: dict[str, bool] = field(default_factory=dict)

    def needs(self, *names: str) -> None:
        """Stop this check unless every named step ran and passed."""
        for name in names:
            if not self.outcomes.get(name, False):
                raise NotChecked(f"not checked: needs {name}")

    @property
    def config(self) -> Config:
        self.needs("config")
        return self.app.config

    @property
    def workspace(self) -> Workspace:
        return self.app.workspace

    def now(self) -> datetime:
        return self.app.now()

    def mail(self) -> MailBackend:
        return self.app.mail()

    @property
    def kind(self) -> BackendKind:
        """The configured kind of mailbox; its checks are one "mail" step until config loads."""
        if not self.outcomes.get("config", False):
            raise NotChecked("not checked: needs config", name="mail")
        return self.app.mail_kind()


CheckFn = Callable[[Doctor], Iterable[Check]]
