"""Shared fixtures: every test runs in its own workspace under tmp_path, with a fixed clock
when it asks for one, and never near the user's real data or keyring."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from outreach.cli import cli

pytest_plugins = ["tests.fakegoogle.fixtures", "tests.realmail.fixtures"]

FIXED_NOW = "2026-03-02T09:00:00-05:00"  # a Monday morning in New York


@pytest.fixture(autouse=True)
def isolated_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Point OUTREACH_HOME at a fresh folder and clear settings that leak from the shell."""
    home = tmp_path / "workspace"
    monkeypatch.setenv("OUTREACH_HOME", str(home))
    monkeypatch.delenv("OUTREACH_NOW", raising=False)
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    # keyring reads the variable once per process: set this test's backend explicitly.
    import keyring
    import keyring.backends.fail

    keyring.set_keyring(keyring.backends.fail.Keyring())
    yield home


Invoke = Callable[..., Result]


@pytest.fixture
def run() -> Invoke:
    """Invoke the CLI in-process: run("contacts", "list", "--json")."""

    def invoke(*args: str, input: str | None = None, env: dict[str, str] | None = None) -> Result:
        runner = CliRunner()
        merged = {"OUTREACH_HOME": os.environ["OUTREACH_HOME"], **(env or {})}
        return runner.invoke(cli, list(args), input=input, env=merged, catch_exceptions=False)

    return invoke


@pytest.fixture
def workspace(run: Invoke, isolated_environment: Path) -> Path:
    """An initialised workspace with a known user in New York."""
    result = run(
        "init",
        "--name",
        "Sam Rivera",
        "--email",
        "sam@example.edu",
        "--timezone",
        "America/New_York",
    )
    assert result.exit_code == 0, result.output
    return isolated_environment
