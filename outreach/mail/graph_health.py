"""`outreach doctor`'s checks of the Microsoft backend, in setup order: the app registration's
client id, the sign-in in the keyring, and one Graph request with it (Drafts and the
calendar)."""

from __future__ import annotations

from collections.abc import Iterable

from outreach.errors import OutreachError
from outreach.mail.health import Check, Diagnosis, fail, ok

_SETUP = "README 'Connect Microsoft 365 or Outlook.com'"


def check_microsoft(doc: Diagnosis) -> Iterable[Check]:
    config = doc.config.microsoft
    if not config.client_id:
        yield fail("app registration", "no [microsoft] client_id",
                   f"{_SETUP} steps 1-4: register the app and copy its client id.")
        return
    yield ok("app registration", f"client id {config.client_id}, sign-in at {config.authority}")
    from outreach.microsoft.auth import status

    try:
        held = status(doc.config.user.email)
    except OutreachError as exc:
        yield fail("microsoft token", exc.message, exc.hint or "")
        return
    if not held["connected"]:
        yield fail("microsoft token", "no Microsoft sign-in in the OS keyring",
                   "Run `outreach auth login --microsoft` (or `--device-code`).")
        return
    from outreach.mail.graph import GraphMail
    from outreach.microsoft.graph import GraphError, GraphUnreachable

    try:
        backend = doc.mail()
        assert isinstance(backend, GraphMail)
        backend.graph.get("/me/mailFolders/drafts", {"$select": "id"})
    except OutreachError as exc:
        yield fail("microsoft token", exc.message, exc.hint or "")
        return
    except (GraphError, GraphUnreachable) as exc:
        yield fail("microsoft graph", f"Graph refused reading Drafts: {exc}",
                   f"Check the API permissions ({_SETUP} step 3), then sign in again.")
        return
    yield ok("microsoft graph", f"signed in as {held['account']}; Drafts readable")


STEPS = [check_microsoft]
