"""Benchmark: rendering messages, per second, for 10,000 contacts.

Renders the built-in ``outreach`` template for 10,000 varied contacts (ASCII and non-ASCII
names, four time zones, with and without org, title and interest columns), with three slots
fixed per time zone so only rendering is measured:

1. ``compose.render`` alone;
2. render + ``compose.mime.build_message`` (headers checked by parsing the message back);
3. the same + ``as_bytes()`` (what goes to Gmail or into the outbox).

Then slot proposal per contact the way `outreach draft` does it (``SlotPlanner``: every
contact's slots held against the next contact's, falling back to shared times when free time
runs out, as ``outreach draft --when-full share`` does), on an empty calendar, for
``--planner-contacts`` contacts.

    .venv/bin/python bench/bench_render.py [--contacts 10000] [--planner-contacts 2000]

Prints a table; exits 0.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from outreach.app import AppContext
from outreach.compose.mime import build_message, make_message_id
from outreach.compose.render import RenderContext, RenderedMessage, render
from outreach.compose.templates import get_template, load_templates
from outreach.config import ScheduleConfig, UserConfig, Workspace
from outreach.contacts.model import Contact
from outreach.schedule.slots import Slot, propose_slots

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("America/New_York"))
USER = UserConfig(name="Sam Rivera", email="sam@example.edu", timezone="America/New_York",
                  extra={"intro": "a data science student at State", "field": "health analytics"})
ZONES = ("Europe/London", "America/Los_Angeles", "Asia/Kolkata", "")
NAMES = ("Ada Lovelace", "José Núñez", "Zoë Ångström", "李小龙", "Grace O'Brien-Hopper",
         "Dr. Katherine Johnson", "Nguyễn Thị Minh Khai", "Ørjan Søvik")


def make_contacts(count: int) -> list[Contact]:
    contacts = []
    for i in range(count):
        extra = {"connection": "the State University alumni directory"}
        if i % 3 == 0:
            extra["interest"] = f"your talk on demand forecasting ({i})"
        contacts.append(Contact(
            id=i + 1,
            name=f"{NAMES[i % len(NAMES)]} {i}",
            email=f"person{i:05d}@example.org",
            org=f"Org {i}" if i % 5 else "",
            title="Data Scientist" if i % 2 else "",
            timezone=ZONES[i % len(ZONES)],
            source="linkedin" if i % 7 == 0 else "csv",
            extra=extra,
            tags=["alumni"],
        ))
    return contacts


def fixed_slots() -> dict[str, list[Slot]]:
    """Three slots per contact time zone, proposed once."""
    config = ScheduleConfig(busy=())
    user_zone = ZoneInfo(USER.timezone)
    return {
        zone: propose_slots(NOW, config, user_zone, ZoneInfo(zone) if zone else None, [], [])
        for zone in ZONES
    }


def timed(label: str, count: int, func: Callable[[], object]) -> tuple[str, int, float]:
    started = time.perf_counter()
    func()
    return label, count, time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--contacts", type=int, default=10_000)
    parser.add_argument("--planner-contacts", type=int, default=2_000)
    args = parser.parse_args()

    source = get_template(load_templates(None), "outreach")
    contacts = make_contacts(args.contacts)
    slots = fixed_slots()
    today = date(2026, 3, 2)
    contexts = [
        RenderContext.for_contact(c, USER, today=today, slots=slots[c.timezone])
        for c in contacts
    ]
    render(source, contexts[0])  # compile once (cached), as a run does
    ids = [make_message_id(USER.email) for _ in contacts]

    def render_all() -> list[RenderedMessage]:
        return [render(source, context) for context in contexts]

    rendered = render_all()

    def build_all(serialise: bool) -> None:
        for contact, message, message_id in zip(contacts, rendered, ids, strict=True):
            assert contact.email is not None
            built = build_message(rendered=message, from_name=USER.name, from_email=USER.email,
                                  to_name=contact.name, to_email=contact.email,
                                  message_id=message_id, date=NOW)
            if serialise:
                built.as_bytes()

    def render_and_build(serialise: bool) -> Callable[[], None]:
        def run() -> None:
            nonlocal rendered
            rendered = render_all()
            build_all(serialise)
        return run

    rows = [
        timed("render", len(contacts), render_all),
        timed("render + build_message", len(contacts), render_and_build(False)),
        timed("render + build_message + as_bytes", len(contacts), render_and_build(True)),
    ]

    with tempfile.TemporaryDirectory() as tmp:
        from outreach.services.meetings.availability import SlotPlanner
        from outreach.services.workspace.setup import init_workspace

        workspace = Workspace(Path(tmp) / "ws")
        init_workspace(workspace, name=USER.name, email=USER.email, timezone=USER.timezone)
        text = workspace.config_file.read_text().replace('busy = ["google"]', "busy = []")
        workspace.config_file.write_text(text)
        app = AppContext(workspace=workspace)
        planner = SlotPlanner(app, NOW, when_full="share")
        subset = contacts[: args.planner_contacts]
        first = min(100, len(subset))
        started = time.perf_counter()
        for contact in subset[:first]:
            planner.slots_for(contact)
        first_elapsed = time.perf_counter() - started
        for contact in subset[first:]:
            planner.slots_for(contact)
        elapsed = time.perf_counter() - started
        app.close()
        rows.append(("slot proposal, first 100 (SlotPlanner)", first, first_elapsed))
        rows.append((f"slot proposal, {len(subset)} (SlotPlanner)", len(subset), elapsed))
        shared = sum(1 for note in planner.notes.values() if "also offered" in note)

    print(f"Rendering the built-in outreach template; Python {sys.version.split()[0]}")
    print(f"{'step':<44}{'messages':>9}{'seconds':>9}{'per second':>12}{'µs each':>9}")
    for label, count, seconds in rows:
        print(f"{label:<44}{count:>9}{seconds:>9.2f}{count / seconds:>12,.0f}"
              f"{seconds / count * 1e6:>9.0f}")
    print(f"(slot proposal: {shared} of {len(subset)} contacts fell back to times also offered "
          "to others once two weeks of free time were held)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
