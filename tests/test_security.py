"""Security checks as tests.

- The OAuth token (access, refresh, and any refreshed one) appears in no file of the
  workspace, no output and no log line, also with --verbose and on error paths (revoked
  token, Gmail answering 500s).
- outreach.db (and its WAL/SHM files) and config.toml are private (0600) after init and after
  a draft run, even under a permissive umask.
- Contact data is never template source; a workspace template cannot reach Python internals
  and fails with a TemplateError, not a traceback.
- ``ruff check --select S outreach`` (flake8-bandit) is clean.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from bench.bench_faults import USER_EMAIL, Site, make_site
from outreach.cli import cli
from tests.fakegoogle.server import FakeGoogle
from tests.gmail_env import ACCESS_TOKEN, REFRESH_TOKEN

ROOT = Path(__file__).resolve().parents[1]
CLIENT_SECRET = "fake-client-secret"


def secrets_in(text: str, secrets: list[str]) -> list[str]:
    return [secret for secret in secrets if secret in text]


def workspace_files(root: Path) -> list[Path]:
    return [path for path in root.rglob("*") if path.is_file()]


def saved_token(site: Site) -> dict[str, str]:
    entries = json.loads(site.keyring_file.read_text())
    (value,) = entries.values()
    token: dict[str, str] = json.loads(value)
    return token


def test_the_token_leaks_nowhere_even_verbose_and_on_errors(tmp_path: Path) -> None:
    outputs: list[str] = []

    def cli_run(site: Site, *args: str) -> subprocess.CompletedProcess[str]:
        done = site.cli(*args)
        outputs.append(f"$ {' '.join(args)}\n{done.stdout}\n{done.stderr}")
        return done

    with FakeGoogle(email=USER_EMAIL) as fake:
        site = make_site(tmp_path, fake, 6, quota=10_000)
        token_file = tmp_path / "token.json"
        info = fake.authorized_user_info(refresh_token=REFRESH_TOKEN)
        info["token"] = ACCESS_TOKEN
        token_file.write_text(json.dumps(info))
        assert cli_run(site, "--verbose", "auth", "import", str(token_file)).returncode == 0
        token_file.unlink()
        # Gmail answers some 500s and 429s: the retry paths.
        for args in (("draft", "outreach", "--tag", "batch"),
                     ("send", "--yes", "person000@example.org"), ("sync",)):
            faults = [fake.inject(500, times=1, path_pattern="gmail"),
                      fake.inject(429, times=1, path_pattern="gmail")]
            cli_run(site, "--verbose", *args)
            fake.reset_faults()
            assert all(fault.hits == 1 for fault in faults), args
        # Gmail refuses: the error messages.
        fake.inject(403, reason="forbidden", message="Request had insufficient scopes.",
                    path_pattern="gmail|batch")
        failed = cli_run(site, "--verbose", "draft", "outreach", "person001@example.org")
        assert failed.returncode != 0
        failed = cli_run(site, "--verbose", "send", "--yes", "person002@example.org")
        assert failed.returncode != 0
        fake.reset_faults()
        assert cli_run(site, "--verbose", "draft", "outreach", "--tag", "batch").returncode == 0
        cli_run(site, "--verbose", "auth", "status")
        cli_run(site, "auth", "status", "--json")
        cli_run(site, "--verbose", "doctor")
        # The access token expires: refreshed, saved back to the keyring (only there).
        fake.expire_tokens()
        assert cli_run(site, "--verbose", "sync").returncode == 0
        refreshed = saved_token(site)["token"]
        assert refreshed and refreshed != ACCESS_TOKEN
        # Then the refresh token is revoked: a clear error, no traceback, no token.
        fake.expire_tokens()
        fake.revoke_refresh_token(REFRESH_TOKEN)
        revoked = cli_run(site, "--verbose", "draft", "outreach", "person003@example.org")
        assert revoked.returncode == 1
        assert "auth login" in revoked.stderr + revoked.stdout
        assert "Traceback" not in revoked.stderr
        cli_run(site, "--verbose", "doctor")

    secrets = [ACCESS_TOKEN, REFRESH_TOKEN, refreshed, CLIENT_SECRET]
    for text in outputs:
        assert not secrets_in(text, secrets), text
    files = workspace_files(site.root)
    assert any(path.name == "outreach.db" for path in files)
    for path in files:
        found = secrets_in(path.read_bytes().decode("utf-8", "replace"), secrets)
        assert not found, (path, found)


def test_database_and_config_are_private_after_init_and_drafting(tmp_path: Path) -> None:
    home = tmp_path / "ws"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("OUTREACH_")},
        "OUTREACH_HOME": str(home),
        "OUTREACH_NOW": "2026-03-02T09:00:00-05:00",
    }
    people = tmp_path / "people.csv"
    people.write_text("Name,Email\nAda Lovelace,ada@example.org\nGrace Hopper,grace@example.org\n")

    def run(*args: str) -> None:
        done = subprocess.run(
            [sys.executable, "-m", "outreach", *args],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
            umask=0,  # the most permissive: every mode below is outreach's own doing
        )
        assert done.returncode == 0, done.stderr

    def private(*names: str) -> None:
        for name in names:
            path = home / name
            if path.exists():
                mode = stat.S_IMODE(path.stat().st_mode)
                assert mode == 0o600, f"{name} is {oct(mode)}"

    run("init", "--name", "Sam Rivera", "--email", "sam@example.edu")
    assert (home / "outreach.db").exists() and (home / "config.toml").exists()
    private("outreach.db", "outreach.db-wal", "outreach.db-shm", "outreach.db-verified",
            "config.toml")
    assert stat.S_IMODE(home.stat().st_mode) == 0o700
    run("contacts", "import", str(people))
    run("draft", "outreach", "--tag", "people", "ada@example.org", "grace@example.org")
    private("outreach.db", "outreach.db-wal", "outreach.db-shm", "config.toml")
    assert stat.S_IMODE(home.stat().st_mode) == 0o700  # drafts (.eml) live under it
    with closing(sqlite3.connect(home / "outreach.db")) as conn:  # WAL and SHM exist now
        conn.execute("SELECT COUNT(*) FROM contacts").fetchone()
        assert (home / "outreach.db-wal").exists()
        private("outreach.db-wal", "outreach.db-shm")


def invoke(home: Path, *args: str) -> Result:
    env = {"OUTREACH_HOME": str(home), "OUTREACH_NOW": "2026-03-02T09:00:00-05:00"}
    return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)


@pytest.fixture
def home(tmp_path: Path) -> Path:
    home = tmp_path / "ws"
    assert invoke(home, "init", "--name", "Sam Rivera", "--email", "sam@example.edu").exit_code == 0
    added = invoke(home, "contacts", "add", "ada@example.org",
                   "--name", "{{ ''.__class__.__mro__ }}", "--org", "{{ 7*7 }}")
    assert added.exit_code == 0, added.output
    return home


def test_a_contact_named_like_template_code_renders_literally(home: Path) -> None:
    preview = invoke(home, "templates", "preview", "outreach", "ada@example.org")
    assert preview.exit_code == 0, preview.output
    assert "about your work at {{ 7*7 }}?" in preview.output
    assert "Hi {{," in preview.output
    assert "49" not in preview.output and "<class" not in preview.output
    drafted = invoke(home, "draft", "outreach", "ada@example.org")
    assert drafted.exit_code == 0, drafted.output
    (eml,) = (home / "outbox" / "cur").iterdir()
    raw = eml.read_text()
    assert "\"{{ ''.__class__.__mro__ }}\" <ada@example.org>" in raw
    assert "<class" not in raw


ESCAPES = [
    "{{ ''.__class__ }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ contact.__class__.__init__.__globals__ }}",
    "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
    "{{ lipsum.__globals__['os'].system('touch PWNED') }}",
    "{{ self.__init__.__globals__ }}",
    "{{ namespace.__init__.__globals__ }}",
    "{{ user.items.__self__ }}",
    "{{ 'a' * 100000000 }}",
    "{{ 9 ** 99999999 }}",
    "{% for i in range(10 ** 10) %}x{% endfor %}",
]


@pytest.mark.parametrize("expression", ESCAPES)
def test_a_workspace_template_cannot_reach_python_internals(
    home: Path, expression: str
) -> None:
    template = home / "templates" / "sneaky.txt"
    template.write_text(f"Subject: Hello\nKind: outreach\n\nHi,\n{expression}\n")
    for args in (("templates", "preview", "sneaky", "ada@example.org"),
                 ("draft", "sneaky", "ada@example.org")):
        result = invoke(home, *args)
        assert result.exit_code == 1, (args, result.output)
        assert "Traceback" not in result.output
        assert "sneaky.txt" in result.output and "Hint:" in result.output, result.output
        assert "<class" not in result.output and "uid=" not in result.output
    assert not (home / "PWNED").exists() and not Path("PWNED").exists()
    assert not list((home / "outbox" / "cur").glob("*")) if (home / "outbox").exists() else True


def test_ruff_security_rules_are_clean() -> None:
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    if ruff is None:
        pytest.skip("ruff is not installed")
    # S101 (assert) is ignored by the project's ruff config: asserts state invariants.
    done = subprocess.run(
        [ruff, "check", "--select", "S", "--ignore", "S101", "--output-format", "concise",
         "outreach"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
