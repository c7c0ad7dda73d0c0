"""The README's commands are run, so the docs cannot rot."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import Invoke

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def quickstart_commands() -> list[str]:
    block = re.search(r"<!-- quickstart -->(.*?)<!-- /quickstart -->", README, re.S)
    assert block, "README needs a quick start between <!-- quickstart --> markers"
    return [line for line in block.group(1).splitlines() if re.match(r"^(python3|\.venv)", line)]


def tour_commands() -> list[list[str]]:
    tour = README.split("## A tour of the pipeline", 1)[1]
    console = re.search(r"```console\n(.*?)```", tour, re.S)
    assert console
    return [
        shlex.split(line[2:]) for line in console.group(1).splitlines() if line.startswith("$ ")
    ]


def test_quick_start_is_two_commands_install_and_demo_then_tests() -> None:
    install, tests = quickstart_commands()
    assert "pip install" in install and install.endswith("outreach demo")
    assert "pytest" in tests


def test_the_quick_start_demo_runs_offline(tmp_path: Path) -> None:
    env = {**os.environ, "OUTREACH_HOME": str(tmp_path / "unused")}
    result = subprocess.run(
        [sys.executable, "-m", "outreach", "demo", "--dir", str(tmp_path / "demo")],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "Demo workspace" in result.stdout
    assert list((tmp_path / "demo" / "outbox" / "cur").iterdir())
    assert "Traceback" not in result.stderr


def test_every_tour_command_works_in_order(run: Invoke, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("OUTREACH_NOW", "2026-03-02T09:00:00-05:00")
    commands = tour_commands()
    assert len(commands) >= 10
    for argv in commands:
        assert argv[0] == "outreach"
        if argv[1:3] == ["draft", "outreach"] or argv[1] == "slots":
            # The tour's workspace has no calendar: read no Google busy times.
            config = Path(os.environ["OUTREACH_HOME"]) / "config.toml"
            config.write_text(config.read_text().replace('busy = ["google"]', "busy = []"))
        result = run(*argv[1:])
        assert result.exit_code == 0, f"{' '.join(argv)}\n{result.output}"
