"""A workspace wired to the fake Microsoft: microsoft backend, token cache in a test keyring.

The token cache is made the way a user's is: msal signs in to the fake (device code) and the
serialised cache is imported with `outreach auth import`.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import msal
import pytest

from tests.conftest import Invoke
from tests.fakemicrosoft.server import FakeMicrosoft

SCOPES = ["Mail.ReadWrite", "Mail.Send", "Calendars.ReadWrite"]


def signed_in_cache(fake: FakeMicrosoft, scopes: list[str] | None = None) -> str:
    """An msal token cache signed in to the fake (device-code flow, real msal)."""
    cache = msal.SerializableTokenCache()
    app = msal.PublicClientApplication(
        fake.client_id, authority=fake.authority, token_cache=cache, instance_discovery=False
    )
    flow = app.initiate_device_flow(scopes=scopes or SCOPES)
    result = app.acquire_token_by_device_flow(flow)
    assert "access_token" in result, result
    return str(cache.serialize())


@dataclass
class MicrosoftWorkspace:
    root: Path
    fake: FakeMicrosoft
    env: dict[str, str]

    def cli(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "outreach", *args],
            env={**os.environ, **self.env},
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )


def configure(root: Path, fake: FakeMicrosoft) -> None:
    """Point an initialised workspace's config at the fake."""
    config = (root / "config.toml").read_text()
    config = config.replace('backend = "local"', 'backend = "microsoft"')
    config = config.replace('busy = ["google"]', "busy = []")
    config = config.replace('client_id = ""', f'client_id = "{fake.client_id}"')
    config = config.replace(
        'api_root = "https://graph.microsoft.com"', f'api_root = "{fake.url}"'
    )
    config = config.replace(
        'authority = "https://login.microsoftonline.com/common"',
        f'authority = "{fake.authority}"',
    )
    (root / "config.toml").write_text(config)


def microsoft_workspace(
    tmp_path: Path, fake: FakeMicrosoft, run: Invoke, monkeypatch: pytest.MonkeyPatch
) -> MicrosoftWorkspace:
    keyring_file = tmp_path / "keyring.json"
    env = {
        "OUTREACH_HOME": os.environ["OUTREACH_HOME"],
        "PYTHON_KEYRING_BACKEND": "tests.keyrings.FileKeyring",
        "OUTREACH_TEST_KEYRING": str(keyring_file),
        "OUTREACH_NOW": "2026-03-02T09:00:00-05:00",
        "REQUESTS_CA_BUNDLE": fake.ca_file(),
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    import keyring

    from tests.keyrings import FileKeyring

    keyring.set_keyring(FileKeyring())
    result = run(
        "init", "--name", "Sam Rivera", "--email", fake.user, "--timezone", "America/New_York"
    )
    assert result.exit_code == 0, result.output
    root = Path(env["OUTREACH_HOME"])
    configure(root, fake)
    cache_file = tmp_path / "msal-cache.json"
    cache_file.write_text(signed_in_cache(fake))
    result = run("auth", "import", str(cache_file))
    assert result.exit_code == 0, result.output
    cache_file.unlink()
    return MicrosoftWorkspace(root, fake, env)
