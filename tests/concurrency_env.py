"""Helpers for running two real `outreach` processes at once on one workspace."""

from __future__ import annotations

import email
import email.policy
import os
import subprocess
import sys
import time
from collections import Counter
from email.message import EmailMessage
from pathlib import Path

from tests.gmail_env import contacts_csv


def start(home: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    """`outreach ARGS` in its own process, as a second terminal would run it."""
    return subprocess.Popen(
        [sys.executable, "-m", "outreach", *args],
        env={**os.environ, "OUTREACH_HOME": str(home), **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for_holder(home: Path, process: subprocess.Popen[str], timeout: float = 30) -> str:
    """Wait until ``process`` holds the workspace's writer lock; returns the holder line."""
    lock = home / "outreach.lock"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        try:
            text = lock.read_text(encoding="utf-8")
        except OSError:
            text = ""
        if f"pid {process.pid}:" in text:
            return text
        time.sleep(0.005)
    raise AssertionError(f"process {process.pid} never held the lock")


def finish(process: subprocess.Popen[str], timeout: float = 90) -> tuple[int, str, str]:
    out, err = process.communicate(timeout=timeout)
    return process.returncode, out, err


def local_contacts(home: Path, tmp: Path, run: object, tags: dict[str, int]) -> None:
    """Import ``count`` contacts per tag (person-<tag>-NNN@example.org) into the workspace."""
    from click.testing import Result

    lines = ["Name,Email,Company,Timezone,Connection,Tags"]
    for tag, count in tags.items():
        for i in range(count):
            lines.append(
                f"Person {tag} {i:03d},person-{tag}-{i:03d}@example.org,Org {i},"
                f"Europe/London,the State University alumni directory,{tag}"
            )
    csv = tmp / "people.csv"
    csv.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert callable(run)
    result = run("contacts", "import", str(csv))
    assert isinstance(result, Result)
    assert result.exit_code == 0, result.output


NOTE = """Subject: A question about your work at {{ contact.org }}
Kind: outreach

Hi {{ contact.first_name }},

I'm {{ user.name }}. I found you through {{ contact.connection }} and would be grateful for
20 minutes of your time to hear about your path. Could you tell me a few times that suit you?

Thank you,
{{ user.name }}
"""


def add_note_template(home: Path) -> None:
    """A template without slots: drafting is quick, so a race fits in a short test."""
    (home / "templates").mkdir(exist_ok=True)
    (home / "templates" / "note.txt").write_text(NOTE, encoding="utf-8")


def maildir_messages(folder: Path) -> list[EmailMessage]:
    found = []
    for path in sorted(folder.iterdir()):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        found.append(message)
    return found


def recipients(messages: list[EmailMessage]) -> Counter[str]:
    return Counter(str(m["To"].addresses[0].addr_spec) for m in messages)


__all__ = [
    "add_note_template",
    "contacts_csv",
    "finish",
    "local_contacts",
    "maildir_messages",
    "recipients",
    "start",
    "wait_for_holder",
]
