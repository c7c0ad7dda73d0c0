"""What works: `status` per source and per tag (contacted, replied, reply rate, meetings held,
referrals gained, median days from the first message to a meeting), and the referral tree as
a Mermaid or Graphviz diagram."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.conftest import Invoke
from tests.helpers_network import answer, app_for, now, ok, priya_met_and_referred_maya


@pytest.fixture
def network(workspace: Path, run: Invoke) -> Path:
    """Priya (alumni, source manual) replied and met, and referred Maya (source referral),
    who replied and met; Jo (alumni) and Lee (cold, from a CSV) never answered."""
    priya_met_and_referred_maya(workspace, run)
    for address, name, tag in [("jo@example.net", "Jo Park", "alumni"),
                               ("lee@example.net", "Lee Quinn", "cold")]:
        ok(run("contacts", "add", address, "--name", name, "--tag", tag,
               env=now("2026-03-02T09:00:00-05:00")))
    ok(run("draft", "outreach", "jo@example.net", "lee@example.net",
           env=now("2026-03-02T09:00:00-05:00")))
    ok(run("send", "--yes", env=now("2026-03-02T10:30:00-05:00")))
    answer(workspace, "maya@example.org", "2026-03-05 09:00")
    ok(run("sync", env=now("2026-03-05T10:00:00-05:00")))
    ok(run("met", "maya@example.org", "--notes", "holidays break demand models",
           env=now("2026-03-12T15:00:00-04:00")))
    return workspace


def group(rows: list[dict[str, object]], name: str) -> dict[str, object]:
    [row] = [r for r in rows if r["group"] == name]
    return row


def test_status_says_what_works_per_source_and_per_tag(network: Path, run: Invoke) -> None:
    report = json.loads(ok(run("status", "--json", env=now("2026-03-13T09:00:00-04:00"))))
    alumni = group(report["by_tag"], "alumni")
    assert alumni == {
        "group": "alumni", "contacts": 2, "contacted": 2, "replied": 1, "reply_rate": 0.5,
        "meetings_held": 1, "referrals": 1,
        # Priya: first message Mon 2 Mar 10:00, conversation recorded Wed 4 Mar 11:00.
        "median_days_to_meeting": 2.0,
    }
    cold = group(report["by_tag"], "cold")
    assert (cold["contacted"], cold["replied"], cold["reply_rate"]) == (1, 0, 0.0)
    assert cold["median_days_to_meeting"] is None
    referral = group(report["by_source"], "referral")
    assert (referral["contacted"], referral["replied"], referral["meetings_held"],
            referral["referrals"]) == (1, 1, 1, 0)
    assert group(report["by_tag"], "(no tag)")["contacts"] == 1  # Maya
    manual = group(report["by_source"], "manual")
    assert (manual["contacted"], manual["replied"]) == (3, 1)

    table = ok(run("status", env=now("2026-03-13T09:00:00-04:00")))
    assert "By source" in table and "By tag" in table
    assert re.search(r"alumni\s+2\s+1\s+50%\s+1\s+1\s+2\.0", table)
    assert re.search(r"cold\s+1\s+0\s+0%\s+0\s+0\s+-", table)


def test_a_tag_where_nobody_was_contacted_has_no_rate(workspace: Path, run: Invoke) -> None:
    ok(run("contacts", "add", "a@example.org", "--name", "A", "--tag", "someday",
           env=now("2026-03-02T09:00:00-05:00")))
    report = json.loads(ok(run("status", "--json", env=now("2026-03-02T09:00:00-05:00"))))
    someday = group(report["by_tag"], "someday")
    assert (someday["contacted"], someday["reply_rate"]) == (0, None)
    assert "By tag" not in ok(run("status", env=now("2026-03-02T09:00:00-05:00")))


def test_the_referral_tree_as_mermaid_and_dot(network: Path, run: Invoke) -> None:
    app = app_for(network)
    maya = app.store.contacts.get("maya@example.org")
    with app.store.transaction():  # a name that would break a naive diagram
        app.store.contacts.update(maya.id, "2026-03-12T00:00:00+00:00",
                                  name='Maya "M" Chen <#1>')
    app.close()
    mermaid = ok(run("referrals", "--format", "mermaid", env=now("2026-03-13T09:00:00-04:00")))
    assert mermaid.splitlines() == [
        "flowchart LR",
        '  c1["Priya Raman (thanked)"]',
        '  c2["Maya #quot;M#quot; Chen #lt;#35;1#gt; (met)"]',
        "  c1 --> c2",
    ]
    dot = ok(run("referrals", "--format", "dot", env=now("2026-03-13T09:00:00-04:00")))
    assert dot.startswith("digraph referrals {\n") and dot.endswith("}\n")
    assert '  c1 [label="Priya Raman\\n(thanked)"];' in dot
    assert '  c2 [label="Maya \\"M\\" Chen <#1>\\n(met)"];' in dot
    assert "  c1 -> c2;" in dot


def test_no_referrals_draws_an_empty_diagram(workspace: Path, run: Invoke) -> None:
    assert ok(run("referrals", "--format", "mermaid")) == "flowchart LR\n"
    assert "digraph referrals" in ok(run("referrals", "--format", "dot"))
