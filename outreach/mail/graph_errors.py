"""A failed Graph request in the user's words, for the Outlook backend and its deferred send."""

from __future__ import annotations

from outreach.errors import MailError
from outreach.microsoft.graph import GraphError, GraphUnreachable

__all__ = ["RETRY_HINT", "graph_failure"]

RETRY_HINT = (
    "Check your connection (`outreach doctor`) and run the command again; it is safe to re-run."
)


def graph_failure(exc: GraphError | GraphUnreachable, doing: str) -> MailError:
    """What went wrong ``doing`` something: Graph unreachable, or Graph refusing."""
    if isinstance(exc, GraphUnreachable):
        return MailError(f"Could not reach Microsoft Graph while {doing}: {exc}", hint=RETRY_HINT)
    return MailError(f"Microsoft Graph refused {doing}: {exc}", hint=RETRY_HINT)
