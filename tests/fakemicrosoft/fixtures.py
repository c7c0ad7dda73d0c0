"""The ``fake_microsoft`` pytest fixture: a running FakeMicrosoft whose CA the clients trust."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fakemicrosoft.server import FakeMicrosoft


@pytest.fixture
def fake_microsoft(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeMicrosoft]:
    """FakeMicrosoft on 127.0.0.1 (HTTPS, a free port); REQUESTS_CA_BUNDLE names its CA."""
    fake = FakeMicrosoft().start()
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", fake.ca_file())
    try:
        yield fake
    finally:
        fake.stop()
