"""The fake Graph's deferred send is as strict as Outlook's (REALITY.md, "Deferred send"): a
draft carrying PidTagDeferredSendTime waits in Drafts until its time, then goes once; deleted
before then it never goes; a time already past sends at once; a malformed property is
refused; and the tool's backend holds and takes back through it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from outreach.mail.graph import GraphMail
from outreach.microsoft.graph import Graph, GraphError
from tests.fakemicrosoft.server import FakeMicrosoft
from tests.test_fakemicrosoft import _create, graph

pytest_plugins = ["tests.fakemicrosoft.fixtures"]
__all__ = ["graph"]  # the fixture, shared with tests/test_fakemicrosoft.py

NOW = datetime(2026, 3, 6, 20, 0, tzinfo=UTC)


def _defer(client: Graph, item: str, value: str, prop: str = "SystemTime 0x3FEF") -> None:
    client.request("PATCH", f"/me/messages/{item}",
                   json={"singleValueExtendedProperties": [{"id": prop, "value": value}]})


def test_a_deferred_draft_waits_in_drafts_until_its_time(
    graph: tuple[Graph, list[float]], fake_microsoft: FakeMicrosoft
) -> None:
    client, _ = graph
    fake_microsoft.set_now(NOW)
    item = str(_create(client, "Later")["id"])
    _defer(client, item, "2026-03-09T13:07:00Z")
    client.request("POST", f"/me/messages/{item}/send", safe=False)
    assert fake_microsoft.delivered() == []
    assert client.get(f"/me/messages/{item}?$select=id,isDraft")["id"] == item  # in Drafts
    with pytest.raises(GraphError) as refused:  # submitted: not sent a second time
        client.request("POST", f"/me/messages/{item}/send", safe=False)
    assert refused.value.status == 400
    fake_microsoft.set_now(datetime(2026, 3, 9, 13, 6, tzinfo=UTC))
    assert fake_microsoft.delivered() == []
    fake_microsoft.set_now(datetime(2026, 3, 9, 13, 8, tzinfo=UTC))
    [sent] = fake_microsoft.mailbox.in_folder("sentitems")
    assert sent.sent == datetime(2026, 3, 9, 13, 7, tzinfo=UTC)  # sentDateTime: when it went
    assert len(fake_microsoft.delivered()) == 1
    fake_microsoft.set_now(datetime(2026, 3, 10, 13, 8, tzinfo=UTC))
    assert len(fake_microsoft.delivered()) == 1  # once


def test_deleting_a_held_message_cancels_it_and_a_past_time_sends_at_once(
    graph: tuple[Graph, list[float]], fake_microsoft: FakeMicrosoft
) -> None:
    client, _ = graph
    fake_microsoft.set_now(NOW)
    held = str(_create(client, "Held")["id"])
    _defer(client, held, "2026-03-09T13:07:00Z")
    client.request("POST", f"/me/messages/{held}/send", safe=False)
    client.request("DELETE", f"/me/messages/{held}")
    fake_microsoft.set_now(NOW + timedelta(days=5))
    assert fake_microsoft.delivered() == []
    past = str(_create(client, "Past")["id"])
    _defer(client, past, "2026-03-01T08:00:00+00:00")
    client.request("POST", f"/me/messages/{past}/send", safe=False)
    assert len(fake_microsoft.delivered()) == 1


@pytest.mark.parametrize(
    ("prop", "value"),
    [
        ("SystemTime0x3FEF", "2026-03-09T13:07:00Z"),  # not "{type} {tag}"
        ("Time 0x3FEF", "2026-03-09T13:07:00Z"),  # no such MAPI type
        ("SystemTime 0x3FEF", "Monday at nine"),  # not ISO 8601
        ("SystemTime 0x3FEF", "2026-03-09 13:07"),
    ],
)
def test_a_malformed_property_is_refused(
    graph: tuple[Graph, list[float]], fake_microsoft: FakeMicrosoft, prop: str, value: str
) -> None:
    client, _ = graph
    item = str(_create(client, "Bad")["id"])
    with pytest.raises(GraphError) as refused:
        _defer(client, item, value, prop)
    assert refused.value.status == 400
    assert "ErrorInvalidProperty" in str(refused.value)


def test_the_backend_holds_then_takes_back_a_draft(
    graph: tuple[Graph, list[float]], fake_microsoft: FakeMicrosoft
) -> None:
    client, _ = graph
    fake_microsoft.set_now(NOW)
    backend = GraphMail(client)
    assert backend.can_hold
    item = str(_create(client, "Kept")["id"])
    held = backend.hold_until(item, datetime(2026, 3, 9, 13, 7, tzinfo=UTC))
    back = backend.release_hold(held.message_id)
    assert back is not None and back.draft_id != item
    [draft] = fake_microsoft.drafts()
    assert draft["Message-ID"] == "<Kept@example.edu>"  # the same message, as a draft again
    fake_microsoft.set_now(NOW + timedelta(days=5))
    assert fake_microsoft.delivered() == []
    gone = backend.hold_until(back.draft_id, NOW + timedelta(days=6))
    fake_microsoft.set_now(NOW + timedelta(days=7))
    assert backend.release_hold(gone.message_id) is None  # it went: nothing to take back
