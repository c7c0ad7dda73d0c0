"""Never forgotten off the terminal: `watch` notifies of replies and, once each working
morning, of what is due (and drafts a digest to the user when asked); `due --ics` writes the
due list as a calendar; `outreach service` installs `watch` for the user; `doctor` says
whether it runs."""

from __future__ import annotations

import email
import email.policy
import json
import os
import shutil
import stat
import subprocess
from email.message import EmailMessage
from pathlib import Path

import pytest
from icalendar import Calendar

from outreach.config import Workspace
from outreach.services.background.service import plan_for
from tests.conftest import Invoke
from tests.helpers_sync import at as ny
from tests.helpers_sync import configure, local_app, local_workspace, reply, row_for
from tests.test_sync_local import drop


def ada_replies(home: Path, body: str) -> None:
    """Ada's answer lands in the local inbox, in the thread of our first message."""
    app = local_app(home)
    drop(app, reply(row_for(app, "ada@example.org"), "Ada Lovelace <ada@example.org>",
                    ny("2026-03-02 18:00"), body))
    app.close()

MONDAY = "2026-03-02T09:00:00-05:00"


def ok(result: object) -> str:
    from click.testing import Result

    assert isinstance(result, Result)
    assert result.exit_code == 0, result.output
    return result.output


def at(moment: str) -> dict[str, str]:
    return {"OUTREACH_NOW": moment}


def recording_program(folder: Path, name: str, log: Path, *, exit_code: int = 0,
                      stdout: str = "") -> None:
    """A stand-in for a system program (notify-send, systemctl) that records its arguments
    as one JSON line each time it runs, answers ``stdout`` and exits with ``exit_code``."""
    folder.mkdir(parents=True, exist_ok=True)
    script = folder / name
    script.write_text(
        "#!/usr/bin/env python3\n"
        "import json, sys\n"
        f"with open({str(log)!r}, 'a') as f: f.write(json.dumps(sys.argv[1:]) + '\\n')\n"
        f"print({stdout!r}, end='')\n"
        f"sys.exit({exit_code})\n"
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR)


def calls(log: Path) -> list[list[str]]:
    if not log.exists():
        return []
    return [json.loads(line) for line in log.read_text().splitlines()]


@pytest.fixture
def contacted(workspace: Path, run: Invoke) -> Path:
    """Ada was written to on Monday 2 March; nothing else happened."""
    local_workspace(workspace)
    ok(run("contacts", "add", "ada@example.org", "--name", "Ada Lovelace",
           "--org", "Analytical Engines", env=at(MONDAY)))
    ok(run("draft", "outreach", "ada@example.org", env=at(MONDAY)))
    ok(run("send", "--yes", env=at("2026-03-02T10:00:00-05:00")))
    return workspace


@pytest.fixture
def notifier(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A notify-send on PATH that records what it was asked to show."""
    log = tmp_path / "notify.log"
    recording_program(tmp_path / "bin", "notify-send", log)
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}")
    return log


def test_watch_notifies_each_reply_and_once_a_morning_of_what_is_due(
    contacted: Path, run: Invoke, notifier: Path
) -> None:
    ada_replies(contacted, "Happy to talk. The second time works for me.")
    out = ok(run("watch", "--interval", "1", "--max-cycles", "1",
                 env=at("2026-03-03T07:00:00-05:00")))
    shown = calls(notifier)
    assert shown == [["--app-name=outreach", "outreach: Reply from Ada Lovelace <ada@example.org>",
                      shown[0][2]]]
    assert "outreach: Reply from Ada Lovelace" in out
    # 07:00 is before the working day: no summary yet. At 09:05 one comes, once.
    ok(run("watch", "--interval", "1", "--max-cycles", "1", env=at("2026-03-03T09:05:00-05:00")))
    ok(run("watch", "--interval", "1", "--max-cycles", "1", env=at("2026-03-03T11:00:00-05:00")))
    summaries = [c for c in calls(notifier) if "due today" in c[1]]
    assert len(summaries) == 1
    assert summaries[0][1] == "outreach: 1 thing due today"
    assert "Ada Lovelace" in summaries[0][2] and "book a time" in summaries[0][2]
    # The next working morning brings the next summary.
    ok(run("watch", "--interval", "1", "--max-cycles", "1", env=at("2026-03-04T09:05:00-05:00")))
    assert len([c for c in calls(notifier) if "due today" in c[1]]) == 2


def test_without_a_notifier_watch_writes_a_plain_log_line(
    contacted: Path, run: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    ada_replies(contacted, "Happy to talk.")
    out = ok(run("watch", "--interval", "1", "--max-cycles", "1",
                 env=at("2026-03-03T09:05:00-05:00")))
    assert "outreach: Reply from Ada Lovelace <ada@example.org>" in out
    assert "(no desktop notifier: logged)" in out


def outbox_messages(home: Path) -> list[EmailMessage]:
    found = []
    for path in sorted((home / "outbox" / "cur").iterdir()):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        found.append(message)
    return found


def test_the_morning_digest_is_one_draft_to_yourself_replaced_each_day(
    contacted: Path, run: Invoke, notifier: Path
) -> None:
    configure(contacted, followup={"digest": True})
    # Ten days on, a nudge is due: the digest lists it with its command.
    ok(run("watch", "--interval", "1", "--max-cycles", "1", env=at("2026-03-10T09:05:00-04:00")))
    digests = [m for m in outbox_messages(contacted) if "due today" in str(m["Subject"])]
    assert len(digests) == 1
    digest = digests[0]
    assert digest["To"].addresses[0].addr_spec == "sam@example.edu"
    assert digest["Subject"] == "outreach: 1 thing due today (Tue 10 Mar)"
    text = digest.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "Ada Lovelace: nudge (no reply)" in text
    assert "outreach draft followup ada@example.org" in text
    ok(run("watch", "--interval", "1", "--max-cycles", "1", env=at("2026-03-10T15:00:00-04:00")))
    ok(run("watch", "--interval", "1", "--max-cycles", "1", env=at("2026-03-11T09:05:00-04:00")))
    digests = [m for m in outbox_messages(contacted) if "due today" in str(m["Subject"])]
    assert [str(m["Subject"]) for m in digests] == ["outreach: 1 thing due today (Wed 11 Mar)"]
    # The digest is not a message to a contact: send never sends it.
    assert "Nothing to send" in ok(run("send", "--yes", env=at("2026-03-11T09:10:00-04:00")))


def test_due_ics_writes_one_event_per_item_with_its_command(
    contacted: Path, run: Invoke, tmp_path: Path
) -> None:
    target = tmp_path / "due.ics"
    out = ok(run("due", "--ics", str(target), env=at("2026-03-10T09:05:00-04:00")))
    assert f"Wrote 1 due item to {target} as a calendar." in out
    calendar = Calendar.from_ical(target.read_bytes())
    events = list(calendar.walk("VEVENT"))
    assert len(events) == 1
    event = events[0]
    assert str(event["SUMMARY"]) == "Ada Lovelace: nudge (no reply)"
    assert "Run: outreach draft followup ada@example.org" in str(event["DESCRIPTION"])
    assert event.decoded("DTEND") - event.decoded("DTSTART") == __import__("datetime").timedelta(
        minutes=15
    )
    first_uid = str(event["UID"])
    # Written again later, the same item keeps its UID (a subscribed calendar updates it).
    ok(run("due", "--ics", str(target), env=at("2026-03-11T09:05:00-04:00")))
    again = list(Calendar.from_ical(target.read_bytes()).walk("VEVENT"))
    assert [str(e["UID"]) for e in again] == [first_uid]
    # --json still prints only the list.
    listed = json.loads(ok(run("due", "--json", "--ics", str(target),
                               env=at("2026-03-11T09:05:00-04:00"))))
    assert [item["action"] for item in listed] == ["follow_up"]


def test_due_ics_into_a_missing_folder_is_a_clear_error(contacted: Path, run: Invoke) -> None:
    result = run("due", "--ics", "/nonexistent/folder/due.ics", env=at(MONDAY))
    assert result.exit_code != 0
    assert "Traceback" not in result.output


@pytest.fixture
def systemctl(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A systemctl on PATH recording its calls (a test machine has no user session bus),
    and a home folder of the test's own."""
    log = tmp_path / "systemctl.log"
    recording_program(tmp_path / "bin", "systemctl", log, stdout="active\n")
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    return log


@pytest.mark.skipif(not os.sys.platform.startswith("linux"), reason="systemd is Linux's")  # type: ignore[attr-defined]
def test_service_install_writes_a_systemd_user_unit_and_starts_it(
    workspace: Path, run: Invoke, systemctl: Path, tmp_path: Path
) -> None:
    local_workspace(workspace)
    out = ok(run("service", "install", "--interval", "120"))
    plan = plan_for(Workspace(workspace))
    unit = tmp_path / "config" / "systemd" / "user" / f"{plan.name}.service"
    assert f"wrote {unit}" in out
    text = unit.read_text()
    assert "ExecStart=" in text and "-m outreach watch --interval 120" in text
    assert f"OUTREACH_HOME={workspace}" in text
    assert f"StandardOutput=append:{workspace / 'logs' / 'watch.log'}" in text
    assert calls(systemctl) == [["--user", "daemon-reload"],
                                ["--user", "enable", "--now", unit.name]]
    verify = shutil.which("systemd-analyze", path="/usr/bin:/bin")
    if verify:  # the unit as systemd itself reads it
        checked = subprocess.run([verify, "verify", "--user", str(unit)], capture_output=True,
                                 text=True, env={**os.environ, "PATH": "/usr/bin:/bin"})
        assert "Unknown key" not in checked.stderr and "Invalid" not in checked.stderr

    status = ok(run("service", "status"))
    assert f"{plan.name}: installed, running" in status
    assert "watch: no run seen in this workspace." in status

    out = ok(run("service", "uninstall"))
    assert f"removed {unit}" in out
    assert not unit.exists()
    assert ["--user", "disable", "--now", unit.name] in calls(systemctl)


def test_when_systemd_refuses_the_error_names_the_commands_to_run(
    workspace: Path, run: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = tmp_path / "systemctl.log"
    recording_program(tmp_path / "bin", "systemctl", log, exit_code=1)
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    result = run("service", "install")
    assert result.exit_code == 1
    assert "systemctl --user daemon-reload" in result.output
    assert "outreach watch" in result.output
    assert "Traceback" not in result.output


def test_launchd_and_task_scheduler_definitions(workspace: Path, tmp_path: Path) -> None:
    import plistlib

    mac = plan_for(Workspace(workspace), platform="darwin", home=tmp_path)
    assert mac.file is not None and mac.file.parent == tmp_path / "Library" / "LaunchAgents"
    parsed = plistlib.loads(mac.text.encode())
    assert parsed["ProgramArguments"][-4:] == ["outreach", "watch", "--interval", "300"]
    assert parsed["EnvironmentVariables"] == {"OUTREACH_HOME": str(workspace)}
    assert parsed["StandardOutPath"].endswith("logs/watch.log")
    assert parsed["RunAtLoad"] is True
    windows = plan_for(Workspace(workspace), platform="win32", home=tmp_path)
    assert windows.file is None
    assert windows.start[0][:6] == ("schtasks", "/Create", "/F", "/SC", "ONLOGON", "/RL")


def test_doctor_says_whether_watch_runs_where_the_queue_needs_it(
    workspace: Path, run: Invoke
) -> None:
    local_workspace(workspace)
    result = run("doctor", env=at(MONDAY))
    assert "not running; nothing needs it" in result.output
    configure(workspace, mail={"deliver_window": "08:00-10:00"})
    result = run("doctor", env=at(MONDAY))
    assert result.exit_code == 1
    assert "[mail] deliver_window queues first messages and nudges for it" in result.output
    assert "outreach service install" in result.output
