"""Only a server that can hold a message until a time says it can: Outlook (Graph) does;
Gmail, IMAP and the local outbox do not, and asking them to hold is a clear MailError (the
local queue and `watch` wait instead). Services ask `can_hold`, never which backend it is."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from outreach.errors import MailError
from outreach.mail.backend import ServerCannotHold
from outreach.mail.gmail import GmailBackend
from outreach.mail.graph import GraphMail
from outreach.mail.imap import ImapBackend
from outreach.mail.local import LocalOutbox


@pytest.mark.parametrize("backend", [GmailBackend, ImapBackend, LocalOutbox])
def test_gmail_imap_and_local_cannot_hold(backend: type[ServerCannotHold]) -> None:
    assert backend.can_hold is False
    assert issubclass(backend, ServerCannotHold)
    unconnected = object.__new__(backend)  # asking needs no connection: it says no at once
    with pytest.raises(MailError, match="cannot hold a message on its server"):
        unconnected.hold_until("draft-1", datetime(2026, 3, 9, 13, 0, tzinfo=UTC))
    with pytest.raises(MailError, match="holds no messages"):
        unconnected.release_hold("draft-1")


def test_outlook_can_hold() -> None:
    assert GraphMail.can_hold is True
    assert not issubclass(GraphMail, ServerCannotHold)
