"""The parts every `outreach doctor` check is made of: a finding, the shared state, and how a
check says it cannot run yet. See :mod:`outreach.services.doctor.checks` for the checks."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from outreach.app import AppContext
from outreach.config import Config

OK, FAIL, SKIP = "ok", "fail", "skip"


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str
    fix: str = ""
    skipped: bool = False  # not run: a step it needs failed

    @property
    def status(self) -> str:
        return SKIP if self.skipped else OK if self.ok else FAIL

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "status": self.status, "detail": self.detail, "fix": self.fix}


class NotChecked(Exception):
    """Raised by a check whose prerequisite failed; ``name`` is what is shown as not checked."""

    def __init__(self, reason: str, name: str | None = None) -> None:
        super().__init__(reason)
        self.name = name


def ok(name: str, detail: str) -> Check:
    return Check(name, True, detail)


def fail(name: str, detail: str, fix: str) -> Check:
    return Check(name, False, detail, fix)


@dataclass
class Doctor:
    """What the checks share: the app, and the outcome of each step so far (by name)."""

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
    def backend(self) -> str:
        """The configured mail backend; its checks are one "mail" step until config loads."""
        if not self.outcomes.get("config", False):
            raise NotChecked("not checked: needs config", name="mail")
        return self.config.mail.backend


CheckFn = Callable[[Doctor], Iterable[Check]]
