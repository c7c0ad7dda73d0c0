"""The two-backend ``world`` fixture (local Maildir, and Gmail through the fake), for test
modules beyond tests/test_conversations.py: use ``world = two_backend_world``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import Invoke
from tests.conversation_world import USER, World
from tests.fakegoogle.server import FakeGoogle
from tests.gmail_env import gmail_workspace


@pytest.fixture(params=["local", "gmail"])
def two_backend_world(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    run: Invoke,
    monkeypatch: pytest.MonkeyPatch,
    isolated_environment: Path,
) -> Iterator[World]:
    if request.param == "gmail":
        fake = FakeGoogle(email=USER).start()
        try:
            workspace = gmail_workspace(tmp_path, fake, run, monkeypatch)
            fake.set_now(World("gmail", workspace.root, run, fake).now)
            yield World("gmail", workspace.root, run, fake)
        finally:
            fake.stop()
        return
    result = run("init", "--name", "Sam Rivera", "--email", USER, "--timezone",
                 "America/New_York")
    assert result.exit_code == 0, result.output
    config = isolated_environment / "config.toml"
    config.write_text(config.read_text().replace('busy = ["google"]', "busy = []"))
    yield World("local", isolated_environment, run, None)
