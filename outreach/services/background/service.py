"""`outreach service install|uninstall|status`: `watch` as a per-user background service.

With Gmail or IMAP, queued mail goes only while `watch` runs on this machine, so it is
installed the way each platform runs a program for one user: a systemd user unit on Linux,
a launchd agent on macOS, a Task Scheduler entry at logon on Windows. Its output goes to
``logs/watch.log`` in the workspace. One service per workspace: its name carries a short
hash of the workspace's path, so two workspaces never share one.
"""

from __future__ import annotations

import hashlib
import os
import shlex
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from outreach.config import Workspace
from outreach.errors import OutreachError

__all__ = [
    "Runner",
    "ServicePlan",
    "ServiceStatus",
    "install",
    "plan_for",
    "service_status",
    "uninstall",
]

Runner = Callable[[Sequence[str]], "subprocess.CompletedProcess[str]"]
DEFAULT_INTERVAL = 300


def run_command(args: Sequence[str]) -> subprocess.CompletedProcess[str]:
    """Run a service manager command; a missing program is exit 127, never an exception."""
    try:
        return subprocess.run(  # noqa: S603 - fixed service manager commands
            list(args), capture_output=True, text=True, timeout=30, check=False
        )
    except FileNotFoundError:
        return subprocess.CompletedProcess(list(args), 127, "", f"{args[0]}: not found")
    except subprocess.TimeoutExpired:
        return subprocess.CompletedProcess(list(args), 124, "", f"{args[0]}: timed out")


@dataclass(frozen=True)
class ServicePlan:
    """Where the service's definition goes, what it holds, and how to start and stop it."""

    platform: str  # linux, darwin, win32
    name: str
    file: Path | None  # None on Windows (the task lives in Task Scheduler)
    text: str
    start: tuple[tuple[str, ...], ...]
    stop: tuple[tuple[str, ...], ...]
    query: tuple[str, ...]
    log: Path


@dataclass(frozen=True)
class ServiceStatus:
    name: str
    installed: bool
    running: bool | None  # None: the service manager could not be asked
    detail: str
    log: Path


def _service_name(workspace: Workspace) -> str:
    digest = hashlib.sha256(str(workspace.root.resolve()).encode()).hexdigest()[:8]
    return f"outreach-watch-{digest}"


def _command(workspace: Workspace, interval: int) -> list[str]:
    return [sys.executable, "-m", "outreach", "watch", "--interval", str(interval)]


def _systemd_quote(arg: str) -> str:
    """One word of a unit's ExecStart=, quoted when it needs to be (systemd.service(5))."""
    if arg and all(c.isalnum() or c in "/._-=:+@," for c in arg):
        return arg
    return '"' + arg.replace("\\", "\\\\").replace('"', '\\"').replace("%", "%%") + '"'


def _systemd_unit(workspace: Workspace, interval: int, log: Path) -> str:
    exec_start = " ".join(_systemd_quote(a) for a in _command(workspace, interval))
    home = _systemd_quote(f"OUTREACH_HOME={workspace.root}")
    return (
        "[Unit]\n"
        f"Description=outreach watch: replies, reminders and queued mail for {workspace.root}\n"
        "After=network-online.target\n"
        "Wants=network-online.target\n\n"
        "[Service]\n"
        "Type=simple\n"
        f"Environment={home}\n"
        f"ExecStart={exec_start}\n"
        "Restart=on-failure\n"
        "RestartSec=60\n"
        f"StandardOutput=append:{log}\n"
        f"StandardError=append:{log}\n\n"
        "[Install]\n"
        "WantedBy=default.target\n"
    )


def _launchd_plist(name: str, workspace: Workspace, interval: int, log: Path) -> str:
    args = "".join(
        f"        <string>{escape(a)}</string>\n" for a in _command(workspace, interval)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" '
        '"http://www.apple.com/DTDs/PropertyList-1.0.dtd">\n'
        '<plist version="1.0">\n<dict>\n'
        f"    <key>Label</key>\n    <string>org.outreach.{escape(name)}</string>\n"
        f"    <key>ProgramArguments</key>\n    <array>\n{args}    </array>\n"
        "    <key>EnvironmentVariables</key>\n    <dict>\n"
        "        <key>OUTREACH_HOME</key>\n"
        f"        <string>{escape(str(workspace.root))}</string>\n"
        "    </dict>\n"
        "    <key>RunAtLoad</key>\n    <true/>\n"
        "    <key>KeepAlive</key>\n    <dict>\n"
        "        <key>SuccessfulExit</key>\n        <false/>\n    </dict>\n"
        f"    <key>StandardOutPath</key>\n    <string>{escape(str(log))}</string>\n"
        f"    <key>StandardErrorPath</key>\n    <string>{escape(str(log))}</string>\n"
        "</dict>\n</plist>\n"
    )


def plan_for(
    workspace: Workspace,
    *,
    platform: str = sys.platform,
    home: Path | None = None,
    interval: int = DEFAULT_INTERVAL,
) -> ServicePlan:
    """What installing `watch` means on ``platform`` for this workspace."""
    name = _service_name(workspace)
    log = workspace.logs_dir / "watch.log"
    home = home or Path.home()
    if platform.startswith("linux"):
        config_home = Path(os.environ.get("XDG_CONFIG_HOME") or home / ".config")
        unit = f"{name}.service"
        return ServicePlan(
            "linux", name, config_home / "systemd" / "user" / unit,
            _systemd_unit(workspace, interval, log),
            start=(("systemctl", "--user", "daemon-reload"),
                   ("systemctl", "--user", "enable", "--now", unit)),
            stop=(("systemctl", "--user", "disable", "--now", unit),),
            query=("systemctl", "--user", "is-active", unit),
            log=log,
        )
    if platform == "darwin":
        label = f"org.outreach.{name}"
        plist = home / "Library" / "LaunchAgents" / f"{label}.plist"
        domain = f"gui/{os.getuid()}" if hasattr(os, "getuid") else "gui/501"
        return ServicePlan(
            "darwin", name, plist, _launchd_plist(name, workspace, interval, log),
            start=(("launchctl", "bootstrap", domain, str(plist)),),
            stop=(("launchctl", "bootout", f"{domain}/{label}"),),
            query=("launchctl", "print", f"{domain}/{label}"),
            log=log,
        )
    if platform == "win32":
        inner = " ".join(f'"{a}"' for a in _command(workspace, interval))
        action = f'cmd /c "set OUTREACH_HOME={workspace.root}&& {inner} >> "{log}" 2>&1"'
        return ServicePlan(
            "win32", name, None, action,
            start=(("schtasks", "/Create", "/F", "/SC", "ONLOGON", "/RL", "LIMITED",
                    "/TN", name, "/TR", action),
                   ("schtasks", "/Run", "/TN", name)),
            stop=(("schtasks", "/Delete", "/F", "/TN", name),),
            query=("schtasks", "/Query", "/TN", name),
            log=log,
        )
    raise OutreachError(
        f"outreach cannot install a background service on {platform!r}.",
        hint="Run `outreach watch` in a terminal, or start it with your system's own tool.",
    )


def _by_hand(plan: ServicePlan) -> str:
    return "; ".join(shlex.join(step) for step in plan.start)


def install(plan: ServicePlan, run: Runner = run_command) -> list[str]:
    """Write the definition, then ask the service manager to start it now and at each login.
    Returns what was done, line by line; raises with the exact commands when the manager
    refused (the definition stays written, so running them by hand finishes the job)."""
    done: list[str] = []
    plan.log.parent.mkdir(parents=True, exist_ok=True)
    if plan.file is not None:
        plan.file.parent.mkdir(parents=True, exist_ok=True)
        plan.file.write_text(plan.text, encoding="utf-8")
        done.append(f"wrote {plan.file}")
    for step in plan.start:
        result = run(step)
        if result.returncode != 0:
            why = (result.stderr or result.stdout).strip() or f"exit status {result.returncode}"
            raise OutreachError(
                f"The service {plan.name} is defined"
                + (f" in {plan.file}" if plan.file else "")
                + f", but `{shlex.join(step)}` failed: {why}",
                hint=f"Run it in your desktop session: {_by_hand(plan)}. Until then, run "
                "`outreach watch` in a terminal.",
            )
        done.append(f"ran {shlex.join(step)}")
    done.append(f"logs: {plan.log}")
    return done


def uninstall(plan: ServicePlan, run: Runner = run_command) -> list[str]:
    """Stop the service and remove its definition (the logs are kept)."""
    done: list[str] = []
    for step in plan.stop:
        result = run(step)
        done.append(f"ran {shlex.join(step)}" + ("" if result.returncode == 0 else
                                                  " (it was not running)"))
    if plan.file is not None and plan.file.exists():
        plan.file.unlink()
        done.append(f"removed {plan.file}")
    if plan.platform == "linux":
        run(("systemctl", "--user", "daemon-reload"))
    return done


def service_status(plan: ServicePlan, run: Runner = run_command) -> ServiceStatus:
    installed = plan.file.exists() if plan.file is not None else None
    result = run(plan.query)
    if result.returncode in (124, 127):
        running: bool | None = None
        detail = (result.stderr or "").strip()
    else:
        running = result.returncode == 0 and (
            plan.platform != "linux" or result.stdout.strip() == "active"
        )
        first_lines = (result.stdout or result.stderr).strip().splitlines()[:1]
        detail = first_lines[0] if first_lines else ""
    if installed is None:  # Windows: the task's presence is the query's answer
        installed = result.returncode == 0
    return ServiceStatus(plan.name, bool(installed), running, str(detail), plan.log)
