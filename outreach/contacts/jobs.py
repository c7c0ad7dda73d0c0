"""Has a contact changed jobs? Comparing the organisation and title an export carries.

Exports spell the same thing differently over time ("Acme, Inc." and "ACME Inc"), so values
are compared without case, punctuation, spacing and the usual company suffixes. Only a real
change counts: a value appearing where there was none is new information, not a new job.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

__all__ = ["JobChange", "job_change", "same_text"]

_SUFFIXES = re.compile(
    r"\b(?:inc|incorporated|llc|ltd|limited|plc|gmbh|ag|sa|sarl|bv|nv|co|corp|corporation|"
    r"company|pty|llp|lp)\b"
)
_NOT_WORD = re.compile(r"[^\w]+")


def _key(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text).casefold().replace("&", " and ")
    words = _NOT_WORD.sub(" ", folded)
    return " ".join(_SUFFIXES.sub(" ", words).split())


def same_text(a: str, b: str) -> bool:
    """Whether two spellings name the same organisation or title."""
    return _key(a) == _key(b)


@dataclass(frozen=True)
class JobChange:
    old_org: str
    new_org: str
    old_title: str
    new_title: str


def job_change(old_org: str, old_title: str, new_org: str, new_title: str) -> JobChange | None:
    """The change from the stored job to the imported one, or None when it is the same job.

    An empty imported value means "not in this export" (it never erases a stored one); an
    empty stored value filled in is not a change either.
    """
    org_changed = bool(old_org and new_org) and not same_text(old_org, new_org)
    title_changed = bool(old_title and new_title) and not same_text(old_title, new_title)
    if not (org_changed or title_changed):
        return None
    return JobChange(
        old_org=old_org,
        new_org=new_org or old_org,
        old_title=old_title,
        new_title=new_title or old_title,
    )
