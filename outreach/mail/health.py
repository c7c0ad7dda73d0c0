"""What `outreach doctor` asks of a kind of mailbox: its own checks, in setup order.

Each kind (:mod:`outreach.mail.kinds`) lists its checks (``STEPS`` in its ``*_health``
module); a check is a function of a :class:`Diagnosis` (config values, the workspace, the
clock, the built backend, the outcome of the steps before it) returning :class:`Check`
findings. The doctor runs the configured kind's checks where mail belongs in its list; no
service names a backend. Pure types here, no I/O.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from outreach.config import Config, Workspace
    from outreach.mail.backend import MailBackend

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


class Diagnosis(Protocol):
    """What a mailbox's checks may read (the doctor's state, without the AppContext)."""

    @property
    def config(self) -> Config:
        """The loaded config (NotChecked while it failed)."""
        ...

    @property
    def workspace(self) -> Workspace: ...

    def now(self) -> datetime: ...

    def mail(self) -> MailBackend:
        """The configured backend, built (and kept) on first use."""
        ...

    def needs(self, *names: str) -> None:
        """Stop this check unless every named step ran and passed."""
        ...


HealthStep = Callable[[Diagnosis], Iterable[Check]]
