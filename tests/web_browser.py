"""Playwright on Debian's Chromium for the web app's browser tests.

Browser downloads are impossible here, so Playwright launches the system's ``chromium``
(`apt-get install -y chromium`, done by .ci/run under CI). Without it the browser tests skip
with how to install it, except under CI, where they fail.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = os.environ.get("OUTREACH_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
AXE = Path(__file__).parent / "axe.min.js"
# The README's screenshots are refreshed only when asked (OUTREACH_SCREENSHOTS=1): an ordinary
# run takes them into a scratch folder, so the tests leave the checkout as they found it (the
# settings page shows the run's temporary workspace path, different every run).
SCREENSHOTS = (
    Path(__file__).parent.parent / "docs" / "screenshots"
    if os.environ.get("OUTREACH_SCREENSHOTS") == "1"
    else Path(tempfile.gettempdir()) / f"outreach-screenshots-{os.getpid()}"
)
DESKTOP = {"width": 1280, "height": 860}
PHONE = {"width": 390, "height": 844}


def chromium_or_skip() -> str:
    """The Chromium to launch; skips (locally) or fails (CI=true) when there is none."""
    found = CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium")
    missing = None
    if found is None:
        missing = "Chromium is not installed: run `apt-get install -y chromium` (as root)"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            missing = "Playwright is not installed: pip install -e '.[dev]'"
    if missing is None:
        assert found is not None
        return found
    if os.environ.get("CI") == "true":
        pytest.fail(f"{missing}; the browser tests must run under CI.")
    pytest.skip(f"{missing} to run the browser tests.")


def launch_browser() -> Iterator[Any]:
    """Chromium for one test module (use it in a module-scoped fixture)."""
    executable = chromium_or_skip()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=ARGS)
        try:
            yield launched
        finally:
            launched.close()


def axe_violations(page: Any) -> list[str]:
    """axe-core's WCAG 2 A/AA violations on the page as it is now, one line each."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async () => (await axe.run(document, {runOnly: {type: 'tag', values: "
        "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}})).violations"
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at "
        + ", ".join(str(node["target"]) for node in v["nodes"][:3])
        for v in result
    ]
