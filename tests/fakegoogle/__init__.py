"""A fake Google (Gmail v1, Calendar v3 freeBusy and events, OAuth, batch) over real HTTP.

    fake = FakeGoogle().start()
    service = build_service("gmail", credentials, api_root=fake.url)
    ...
    fake.stop()

In pytest, use the ``fake_google`` fixture from :mod:`tests.fakegoogle.fixtures`. Standalone:
``python -m tests.fakegoogle --port 8765``.
"""

from tests.fakegoogle.server import DEFAULT_COSTS, Call, FakeGoogle, Fault
from tests.fakegoogle.state import DraftView, StoredMessage

__all__ = ["DEFAULT_COSTS", "Call", "DraftView", "FakeGoogle", "Fault", "StoredMessage"]
