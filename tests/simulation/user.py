"""The simulated user: every working day at 09:00 does exactly what `due --json` says.

For each item it runs the command `due` names (``command``, or the one of ``commands`` that
fits what really happened); where the command leaves a blank for the user (``--slot N``,
``--at DATETIME``, ``--notes "..."``, EMAIL) it fills in what the contact really said, as a
user who read the reply would. Then it sends everything drafted (`send --yes`, under the
daily cap) and syncs.
"""

from __future__ import annotations

import random
import shlex
from collections.abc import Callable
from datetime import datetime

from tests.conversation_world import World
from tests.simulation.people import Party

NOTES = ["start with the data, not the model", "building a portfolio of small projects",
         "Most hiring there happens through referrals.", "the certification exams"]


class BlindUser:
    """Runs what `due` says, filling in only what the contact really said."""

    def __init__(self, world: World, rng: random.Random,
                 party_of: Callable[[str], Party | None],
                 on_added: Callable[[str, Party | None], None]) -> None:
        self.world = world
        self.rng = rng
        self.party_of = party_of
        self.on_added = on_added  # a contact the user added (a referral, a colleague)
        self.commands: list[str] = []  # every command run, for the failure report

    def run(self, *args: str) -> str:
        self.commands.append(f"{self.world.now:%a %d %b %H:%M} outreach {shlex.join(args)}")
        return self.world.ok(*args)

    def act(self, item: dict[str, object]) -> None:
        """Do what one `due` item says."""
        action, contact = str(item["action"]), str(item["contact"])
        party = self.party_of(contact)
        if party is not None:
            if action != "read_reply":  # "read it" and --seen is no answer to what they asked
                party.awaiting_user = None
            party.note(self.world.now, f"due says {action}: {item['command']}")
        if item.get("drafted"):
            return  # `send --yes` sends it
        command = shlex.split(str(item["command"]))[1:]
        if action == "book" and ("N" in command or "DATETIME" in command):
            command = ["book", contact, "--at", self._picked(party)]
        elif action == "reschedule" and "DATETIME" in command:
            command = ["reschedule", contact, "--at", self._picked(party)]
        elif action in ("confirm_meeting", "thank_you") and command[0] == "met":
            self._met(contact, party, str(item.get("command", "")))
            return
        elif action == "add_their_side":
            taking_over = party is not None and party.colleague is not None and (
                party.colleague[0] == item.get("email"))
            wanted = "--takes-over-from" if taking_over else "--assistant-of"
            commands = [shlex.split(str(c))[1:] for c in item["commands"]]  # type: ignore[attr-defined]
            [command] = [c for c in commands if wanted in c]
        elif action == "add_referral" and "EMAIL" in command and party is not None:
            name, _, address = party.referred.partition(" <")
            command = ["contacts", "add", address.rstrip(">"), "--name", name,
                       "--referred-by", contact]
        if command[0] in ("book", "reschedule"):
            result = self.world.cli(*command)
            self.commands.append(f"{self.world.now:%a %d %b %H:%M} outreach "
                                 f"{shlex.join(command)} -> exit {result.exit_code}")
            if result.exit_code != 0 and "no longer free" in result.output:
                return  # taken since they proposed it; `due` keeps asking (checked)
            assert result.exit_code == 0, result.output
            return
        self.run(*command)
        if command[:2] == ["contacts", "add"]:
            self.on_added(command[2], party)

    def _picked(self, party: Party | None) -> str:
        ahead = [t for t in party.acceptable if t > self.world.now] if party else []
        assert ahead, "due asks to book a time, and their side gave none still ahead"
        latest = max(ahead, key=lambda t: party.picked_order.get(t, 0) if party else 0)
        return latest.isoformat()

    def _met(self, contact: str, party: Party | None, command: str) -> None:
        """Did the meeting happen? As the contact's move says; a thank-you follows if so."""
        happened = party is None or party.shows_up
        if not happened:
            self.run("met", contact, "--missed")
            assert party is not None
            party.shows_up = True  # next time they come
            party.meeting_recorded = True
            party.note(self.world.now, "did not show up; the user records it missed")
            return
        args = ["met", contact, "--notes", self.rng.choice(NOTES)]
        if self.rng.random() < 0.3:
            args += ["--promise", "send my résumé"]
            if party is not None:
                party.promised = True
        self.run(*args)
        if party is not None:
            party.held_at = self.world.now
            party.meeting_recorded = True
        if "draft thankyou" in command:
            self.run("draft", "thankyou", contact)

    def morning(self, now: datetime) -> list[dict[str, object]]:
        """Sync, then what `due` says; returns the items acted on."""
        self.run("sync")
        return self.world.due()
