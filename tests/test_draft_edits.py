"""The user's words stay theirs: a draft edited by hand is never replaced without --force.

Played on both backends: the local outbox (the user edits the .eml file in the outbox, as
mutt or a text editor would) and Gmail (through the fake: the user edits the draft in Gmail,
which gives the draft a new message id, as Gmail does).
"""

from __future__ import annotations

from email.message import EmailMessage

from tests.conversation_world import World, text_of
from tests.test_conversations import world as every_backend_world

world = every_backend_world  # local, gmail, imap, microsoft

ADA = "ada@example.org"
EDIT = "I loved your talk on the Analytical Engine last week."


def edit_the_draft(world: World, address: str, add: str) -> None:
    """The user adds a sentence to the draft to ``address``, in their mail client."""
    [draft] = [d for d in world.drafts() if address in str(d["To"])]
    body = draft.get_body(("plain",))
    assert isinstance(body, EmailMessage)
    text = str(body.get_content()).replace("\r\n", "\n")
    body.set_content(text.replace("Hi Ada,\n", f"Hi Ada,\n\n{add}\n", 1))
    world.edit_draft(address, draft)


def the_draft_to(world: World, address: str) -> EmailMessage:
    [draft] = [d for d in world.drafts() if address in str(d["To"])]
    return draft


def test_a_re_draft_leaves_an_edited_draft_alone_and_names_it(world: World) -> None:
    world.ok("contacts", "add", ADA, "--name", "Ada Lovelace", "--org", "Analytical Engines")
    world.ok("draft", "outreach", ADA)
    edit_the_draft(world, ADA, EDIT)

    again = world.cli("draft", "outreach", ADA)
    assert again.exit_code == 0, again.output
    assert "Drafts: 0 created, 0 updated, 0 failed, 0 skipped, 1 edited by you and left as it " \
        "is." in again.output
    assert (
        "kept    Ada Lovelace <ada@example.org>: you edited this draft, so it is left as it is "
        "(`outreach draft outreach CONTACT --force` replaces it with a fresh one)"
    ) in again.output
    assert EDIT in text_of(the_draft_to(world, ADA))
    assert len(world.drafts()) == 1

    # What was edited is what goes out.
    world.ok("send", "--yes")
    [sent] = world.received(ADA)
    assert EDIT in text_of(sent)


def test_force_replaces_an_edited_draft(world: World) -> None:
    world.ok("contacts", "add", ADA, "--name", "Ada Lovelace")
    world.ok("draft", "outreach", ADA)
    edit_the_draft(world, ADA, EDIT)
    forced = world.ok("draft", "outreach", ADA, "--force")
    assert "0 created, 1 updated" in forced
    assert EDIT not in text_of(the_draft_to(world, ADA))
    assert len(world.drafts()) == 1
    # ... and a fresh one is ours again: the next re-draft replaces it without --force.
    assert "0 created, 1 updated" in world.ok("draft", "outreach", ADA)


def test_json_names_an_edited_draft(world: World) -> None:
    import json

    world.ok("contacts", "add", ADA, "--name", "Ada Lovelace")
    world.ok("draft", "outreach", ADA)
    edit_the_draft(world, ADA, EDIT)
    shape = json.loads(world.ok("draft", "outreach", ADA, "--json"))
    assert [d["status"] for d in shape["drafts"]] == ["edited"]

