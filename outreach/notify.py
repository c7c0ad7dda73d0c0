"""Desktop notifications, best effort per platform: ``notify-send`` (Linux, freedesktop),
``osascript`` (macOS), a PowerShell balloon (Windows). Where none is there, the caller
writes a plain log line instead. An adapter: it takes text, never the AppContext."""

from __future__ import annotations

import shutil
import subprocess
import sys

__all__ = ["desktop_notify", "notifier"]

_TIMEOUT_SECONDS = 5


def notifier() -> list[str] | None:
    """The command line prefix of this platform's notifier, or None when there is none."""
    if sys.platform == "darwin" and shutil.which("osascript"):
        return ["osascript", "-e"]
    if sys.platform == "win32" and shutil.which("powershell"):
        return ["powershell", "-NoProfile", "-Command"]
    found = shutil.which("notify-send")
    return [found, "--app-name=outreach"] if found else None


def _applescript_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _powershell_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def desktop_notify(title: str, body: str) -> bool:
    """Show one notification; False when there is no notifier or it failed (never raises)."""
    prefix = notifier()
    if prefix is None:
        return False
    if prefix[0] == "osascript":
        script = (f"display notification {_applescript_string(body)} "
                  f"with title {_applescript_string(title)}")
        args = [*prefix, script]
    elif prefix[0] == "powershell":
        script = (
            "Add-Type -AssemblyName System.Windows.Forms; "
            "$n = New-Object System.Windows.Forms.NotifyIcon; "
            "$n.Icon = [System.Drawing.SystemIcons]::Information; $n.Visible = $true; "
            f"$n.ShowBalloonTip(10000, {_powershell_string(title)}, {_powershell_string(body)}, "
            "'Info'); Start-Sleep -Seconds 1; $n.Dispose()"
        )
        args = [*prefix, script]
    else:
        args = [*prefix, title, body]
    try:
        done = subprocess.run(  # noqa: S603 - fixed notifier, text passed as arguments
            args, capture_output=True, timeout=_TIMEOUT_SECONDS, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return done.returncode == 0
