"""A workspace wired to the fake Google server: gmail backend, token in a test keyring."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from click.testing import Result

from tests.conftest import Invoke
from tests.fakegoogle.server import FakeGoogle

ACCESS_TOKEN = "ya29.fake-access-token-SECRET"
REFRESH_TOKEN = "1//fake-refresh-token-SECRET"


@dataclass
class GmailWorkspace:
    root: Path
    fake: FakeGoogle
    env: dict[str, str]

    def cli(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        """Run outreach in a subprocess, as a user would."""
        return subprocess.run(
            [sys.executable, "-m", "outreach", *args],
            env={**os.environ, **self.env},
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def start(self, *args: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [sys.executable, "-m", "outreach", *args],
            env={**os.environ, **self.env},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )


def contacts_csv(path: Path, count: int, tag: str = "batch") -> Path:
    lines = ["Name,Email,Company,Timezone,Connection,Tags"]
    for i in range(count):
        zone = ("Europe/London", "America/Los_Angeles", "Asia/Kolkata", "")[i % 4]
        lines.append(
            f"Person {i:03d},person{i:03d}@example.org,Org {i},{zone},"
            f"the State University alumni directory,{tag}"
        )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def gmail_workspace(
    tmp_path: Path,
    fake: FakeGoogle,
    run: Invoke,
    monkeypatch: object,
    *,
    contacts: int = 0,
    cap: int = 100,
) -> GmailWorkspace:
    """Initialise a workspace using the gmail backend against ``fake``, token in the keyring."""
    import pytest

    assert isinstance(monkeypatch, pytest.MonkeyPatch)
    fake.set_access_token(ACCESS_TOKEN)
    keyring_file = tmp_path / "keyring.json"
    env = {
        "OUTREACH_HOME": os.environ["OUTREACH_HOME"],
        "PYTHON_KEYRING_BACKEND": "tests.keyrings.FileKeyring",
        "OUTREACH_TEST_KEYRING": str(keyring_file),
        "OUTREACH_NOW": "2026-03-02T09:00:00-05:00",
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    import keyring

    from tests.keyrings import FileKeyring

    keyring.set_keyring(FileKeyring())  # in-process commands; subprocesses read the env
    result: Result = run(
        "init", "--name", "Sam Rivera", "--email", fake.email, "--timezone", "America/New_York"
    )
    assert result.exit_code == 0, result.output
    root = Path(env["OUTREACH_HOME"])
    config = (root / "config.toml").read_text()
    config = config.replace('backend = "local"', 'backend = "gmail"')
    config = config.replace('api_root = ""', f'api_root = "{fake.url}"')
    config = config.replace("daily_send_cap = 100", f"daily_send_cap = {cap}")
    config = config.replace('busy = ["google"]', "busy = []")
    (root / "config.toml").write_text(config)
    info = fake.authorized_user_info(refresh_token=REFRESH_TOKEN)
    info["token"] = ACCESS_TOKEN
    token_file = tmp_path / "token.json"
    token_file.write_text(json.dumps(info))
    result = run("auth", "import", str(token_file))
    assert result.exit_code == 0, result.output
    token_file.unlink()
    if contacts:
        result = run("contacts", "import", str(contacts_csv(tmp_path / "people.csv", contacts)))
        assert result.exit_code == 0, result.output
    return GmailWorkspace(root, fake, env)
