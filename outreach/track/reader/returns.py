"""An auto-reply's return date, with the sentence that states it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from outreach.track.reader.findings import ReturnDate
from outreach.track.returndate import find_return_date

__all__ = ["read_return_date"]


def read_return_date(said: Sequence[str], reference: date) -> ReturnDate | None:
    """The return date the whole text states, and the first sentence that states it alone."""
    back = find_return_date("", "\n".join(said), reference)
    if back is None:
        return None
    evidence = next(
        (s for s in said if find_return_date("", s, reference) == back), " ".join(said)
    )
    return ReturnDate(back, evidence)
