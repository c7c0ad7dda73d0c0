"""The fake Graph is as strict as the real one (each rule with its source in
tests/fakemicrosoft/REALITY.md), and the tool's Graph client copes with what it does:
Retry-After, at most 4 requests at once per mailbox, batches of 20 answered in any order."""

from __future__ import annotations

import base64
import threading
from collections.abc import Iterator
from email.message import EmailMessage

import pytest
import requests

from outreach.microsoft.graph import Graph, GraphError, Step
from tests.fakemicrosoft.server import FakeMicrosoft
from tests.microsoft_env import signed_in_cache

pytest_plugins = ["tests.fakemicrosoft.fixtures"]


def _token(fake: FakeMicrosoft, scopes: list[str] | None = None) -> str:
    import json

    cache = json.loads(signed_in_cache(fake, scopes))
    [entry] = cache["AccessToken"].values()
    return str(entry["secret"])


@pytest.fixture
def graph(fake_microsoft: FakeMicrosoft) -> Iterator[tuple[Graph, list[float]]]:
    token = _token(fake_microsoft)
    slept: list[float] = []
    yield Graph(fake_microsoft.url, lambda fresh: token, sleep=slept.append), slept


def _mime(subject: str = "Hello", **headers: str) -> bytes:
    message = EmailMessage()
    message["From"] = "sam@example.edu"
    message["To"] = "ada@example.org"
    message["Subject"] = subject
    message["Message-ID"] = f"<{subject.replace(' ', '.')}@example.edu>"
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content("Hi")
    return base64.b64encode(message.as_bytes())


def _create(graph: Graph, subject: str = "Hello", **headers: str) -> dict[str, object]:
    response = graph.request(
        "POST", "/me/mailFolders/drafts/messages", data=_mime(subject, **headers),
        headers={"Content-Type": "text/plain"},
    )
    result: dict[str, object] = response.json()
    return result


def test_errors_are_odata_bodies_and_tokens_are_required(fake_microsoft: FakeMicrosoft) -> None:
    answer = requests.get(f"{fake_microsoft.url}/v1.0/me/messages", timeout=10)
    assert answer.status_code == 401
    assert answer.json()["error"]["code"] == "InvalidAuthenticationToken"
    assert set(answer.json()["error"]) == {"code", "message", "innerError"}


def test_each_method_needs_its_permission(fake_microsoft: FakeMicrosoft) -> None:
    token = _token(fake_microsoft, ["Mail.ReadWrite"])
    graph = Graph(fake_microsoft.url, lambda fresh: token)
    draft = _create(graph)
    with pytest.raises(GraphError) as refused:
        graph.request("POST", f"/me/messages/{draft['id']}/send")
    assert (refused.value.status, refused.value.code) == (403, "ErrorAccessDenied")
    with pytest.raises(GraphError) as no_calendar:
        graph.get("/me/calendarView", {"startDateTime": "2026-03-02T00:00:00Z",
                                       "endDateTime": "2026-03-03T00:00:00Z"})
    assert no_calendar.value.status == 403


def test_json_drafts_take_only_x_headers(graph: tuple[Graph, list[float]]) -> None:
    client, _ = graph
    with pytest.raises(GraphError) as refused:
        client.request("POST", "/me/messages", json={
            "subject": "Hi", "internetMessageHeaders": [{"name": "In-Reply-To", "value": "<a@b>"}]
        })
    assert refused.value.code == "InvalidInternetMessageHeader"


def test_a_mime_draft_keeps_our_message_id_and_joins_the_conversation(
    graph: tuple[Graph, list[float]], fake_microsoft: FakeMicrosoft
) -> None:
    client, _ = graph
    first = _create(client, "Hello")
    assert first["internetMessageId"] == "<Hello@example.edu>"
    client.request("POST", f"/me/messages/{first['id']}/send")
    reply = _create(client, "Re: Hello", In_Reply_To="<Hello@example.edu>",
                    References="<Hello@example.edu>")
    [sent] = fake_microsoft.mailbox.in_folder("sentitems")
    assert reply["conversationId"] == sent.conversation_id == first["conversationId"]
    other = _create(client, "Another subject", In_Reply_To="<Hello@example.edu>")
    assert other["conversationId"] != first["conversationId"]


def test_unknown_select_fields_and_filters_are_refused(graph: tuple[Graph, list[float]]) -> None:
    client, _ = graph
    with pytest.raises(GraphError) as bad_field:
        client.get("/me/messages", {"$select": "id,threadId"})
    assert bad_field.value.status == 400
    with pytest.raises(GraphError) as bad_filter:
        client.get("/me/mailFolders/inbox/messages/delta", {"$filter": "subject eq 'x'"})
    assert bad_filter.value.status == 400


def test_delta_pages_then_gives_a_link_that_expires(
    graph: tuple[Graph, list[float]], fake_microsoft: FakeMicrosoft
) -> None:
    client, _ = graph
    for i in range(5):
        fake_microsoft.deliver(_message(f"m{i}"))
    page = client.get("/me/mailFolders/inbox/messages/delta", {"$select": "id,subject"},
                      headers={"Prefer": "odata.maxpagesize=2"})
    pages, rows = 1, list(page["value"])
    while "@odata.nextLink" in page:
        page = client.get(page["@odata.nextLink"])
        pages += 1
        rows += page["value"]
    assert (pages, len(rows)) == (3, 5)
    link = page["@odata.deltaLink"]
    fake_microsoft.deliver(_message("m5"))
    assert [r["subject"] for r in client.get(link)["value"]] == ["m5"]
    fake_microsoft.mailbox.expire_delta("inbox")
    with pytest.raises(GraphError) as expired:
        client.get(link)
    assert (expired.value.status, expired.value.code) == (410, "SyncStateNotFound")


def _message(subject: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = "ada@example.org"
    message["To"] = "sam@example.edu"
    message["Subject"] = subject
    message.set_content("x")
    return message


def test_throttled_requests_wait_for_retry_after(
    graph: tuple[Graph, list[float]], fake_microsoft: FakeMicrosoft
) -> None:
    client, slept = graph
    fake_microsoft.throttle(1, retry_after=7)
    fake_microsoft.throttle(1, retry_after=3, status=503)
    assert client.get("/me/messages")["value"] == []
    assert slept == [7.0, 3.0]
    assert client.stats.throttled == 2


def test_never_more_than_four_requests_at_once(
    graph: tuple[Graph, list[float]], fake_microsoft: FakeMicrosoft
) -> None:
    client, _ = graph
    fake_microsoft.delay = 0.05
    threads = [threading.Thread(target=client.get, args=("/me/messages",)) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert fake_microsoft.max_in_flight == 4
    assert client.stats.throttled == 0


def test_the_fake_throttles_a_fifth_concurrent_request(fake_microsoft: FakeMicrosoft) -> None:
    token = _token(fake_microsoft)
    fake_microsoft.delay = 0.2
    answers: list[int] = []

    def call() -> None:
        answers.append(requests.get(f"{fake_microsoft.url}/v1.0/me/messages", timeout=10,
                                    headers={"Authorization": f"Bearer {token}"}).status_code)

    threads = [threading.Thread(target=call) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers).count(429) >= 1


def test_batches_hold_at_most_20_and_are_matched_by_id(
    graph: tuple[Graph, list[float]], fake_microsoft: FakeMicrosoft
) -> None:
    client, slept = graph
    ids = [fake_microsoft.deliver(_message(f"s{i}")) for i in range(25)]
    fake_microsoft.throttle_steps(1, retry_after=2)
    steps = [Step(str(i), "GET", f"/me/messages/{mid}?$select=subject") for i, mid in
             enumerate(ids)]
    replies = client.batch(steps)
    assert [replies[str(i)].body["subject"] for i in range(25)] == [f"s{i}" for i in range(25)]
    assert client.stats.batches == 3  # 20 + 5, then the throttled step again
    assert slept == [2.0]
    too_many = {"requests": [{"id": str(i), "method": "GET", "url": "/me/messages"}
                             for i in range(21)]}
    with pytest.raises(GraphError) as refused:
        client.request("POST", "/$batch", json=too_many)
    assert refused.value.status == 400


def test_a_batch_step_with_a_body_needs_a_content_type(graph: tuple[Graph, list[float]]) -> None:
    client, _ = graph
    body = {"requests": [{"id": "1", "method": "POST", "url": "/me/events", "body": {}}]}
    answer = client.request("POST", "/$batch", json=body).json()
    assert answer["responses"][0]["status"] == 400
