"""`watch` on Outlook when the user's Microsoft sign-in is revoked (a password change, "sign
out everywhere"): it says so once, with the fix, then waits without calling Microsoft until a
new sign-in is in the keyring, and syncs again. It used to stop."""

from __future__ import annotations

from pathlib import Path

import pytest

from outreach.app import AppContext
from outreach.config import Workspace
from outreach.services.sync.record import SyncReport
from outreach.services.sync.watch import watch
from tests.conftest import Invoke
from tests.fakemicrosoft.server import FakeMicrosoft
from tests.microsoft_env import MicrosoftWorkspace, microsoft_workspace, signed_in_cache

pytest_plugins = ["tests.fakemicrosoft.fixtures"]


@pytest.fixture
def outlook(
    tmp_path: Path, fake_microsoft: FakeMicrosoft, run: Invoke, monkeypatch: pytest.MonkeyPatch
) -> MicrosoftWorkspace:
    ws = microsoft_workspace(tmp_path, fake_microsoft, run, monkeypatch)
    assert run("contacts", "add", "ada@example.org", "--name", "Ada Lovelace").exit_code == 0
    assert run("draft", "outreach", "ada@example.org").exit_code == 0
    assert run("sync").exit_code == 0
    return ws


def test_watch_says_so_once_waits_without_calling_microsoft_and_resumes_after_a_new_sign_in(
    outlook: MicrosoftWorkspace, tmp_path: Path, run: Invoke
) -> None:
    fake = outlook.fake
    app = AppContext(workspace=Workspace(outlook.root))
    reports: list[SyncReport] = []
    dead: list[tuple[str, str | None]] = []
    reconnected: list[int] = []
    sleeps: list[float] = []
    calls_while_waiting: list[int] = []

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        if len(sleeps) == 1:  # between two syncs the user signs out everywhere
            fake.identity.revoke_sign_in()
        elif len(sleeps) in (3, 4):
            calls_while_waiting.append(fake.graph_requests + fake.identity_requests)
        if len(sleeps) == 4:  # ... and signs in again in another terminal
            cache = tmp_path / "new-cache.json"
            cache.write_text(signed_in_cache(fake))
            assert run("auth", "import", str(cache)).exit_code == 0

    try:
        cycles = watch(
            app, 60, on_report=reports.append,
            on_error=lambda message, wait: pytest.fail(f"not a transient error: {message}"),
            on_token_dead=lambda message, hint: dead.append((message, hint)),
            on_reconnected=lambda: reconnected.append(len(sleeps)),
            sleep=sleep, max_cycles=5,
        )
    finally:
        app.close()
    assert cycles == 5
    assert len(dead) == 1 and "AADSTS50173" in dead[0][0]
    assert dead[0][1] is not None and "outreach auth login --microsoft" in dead[0][1]
    assert sleeps == [60, 60, 60, 60]  # no busy loop, no growing back-off
    assert calls_while_waiting[0] == calls_while_waiting[1]  # Microsoft left alone
    assert reconnected == [4]
    assert len(reports) == 2  # before the revocation, and after the new sign-in


def test_the_watch_command_prints_the_revoked_sign_in_once(
    outlook: MicrosoftWorkspace, run: Invoke
) -> None:
    outlook.fake.identity.revoke_sign_in()
    result = run("watch", "--interval", "1", "--max-cycles", "3")
    assert result.exit_code == 0, result.output
    assert result.output.count("AADSTS50173") == 1
    assert result.output.count("Waiting for a new sign-in") == 1
