"""How a long-running service reports progress, without knowing who is watching.

Services take an optional :class:`Progress`: they say how many steps the run will take
(:meth:`Progress.expect`, when it is known only once the work is planned) and advance it as
steps finish. The CLI passes a bar on a terminal and nothing otherwise (piped, ``--json``).
"""

from __future__ import annotations

from typing import Protocol


class Progress(Protocol):
    def __call__(self, steps: int = 1, /) -> None:
        """``steps`` more steps are done."""

    def expect(self, total: int) -> None:
        """The run takes ``total`` steps in all (may be called again as plans change)."""


class NoProgress:
    """A Progress that shows nothing."""

    def __call__(self, steps: int = 1, /) -> None:
        return None

    def expect(self, total: int) -> None:
        return None


NO_PROGRESS = NoProgress()
