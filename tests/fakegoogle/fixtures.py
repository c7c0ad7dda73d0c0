"""The ``fake_google`` pytest fixture: ``pytest_plugins = ["tests.fakegoogle.fixtures"]``."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fakegoogle.server import FakeGoogle


@pytest.fixture
def fake_google() -> Iterator[FakeGoogle]:
    """A running FakeGoogle on 127.0.0.1 (a free port), stopped after the test."""
    fake = FakeGoogle().start()
    try:
        yield fake
    finally:
        fake.stop()
