"""The fake Google server, driven by the real google-api-python-client over HTTP.

Nothing in the client is mocked: services come from outreach.google.services.build_service with
api_root pointed at the fake, and credentials refresh through the fake's token endpoint.
Tests of Gmail's surface itself (formats, queries, uploads) use ``wide``, a fake whose token
holds every scope; everything else runs under the fake's defaults: the tool's own scopes.
"""

from __future__ import annotations

import base64
import contextlib
import io
import json
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from google.auth.exceptions import RefreshError
from google.oauth2.credentials import Credentials
from googleapiclient.errors import HttpError
from googleapiclient.http import MediaInMemoryUpload, MediaIoBaseUpload

from outreach.google.services import build_service, token_uri
from tests.fakegoogle import FakeGoogle, samples
from tests.fakegoogle.fixtures import fake_google  # noqa: F401
from tests.fakegoogle.handlers import ALL_SCOPES

USER = "user@example.com"
COMPOSE = "https://www.googleapis.com/auth/gmail.compose"
METADATA = "https://www.googleapis.com/auth/gmail.metadata"
FREEBUSY = "https://www.googleapis.com/auth/calendar.freebusy"


# ------------------------------------------------------------------------------------ helpers


@pytest.fixture
def wide() -> Iterator[FakeGoogle]:
    """A fake whose token holds every scope and which gives snippets: for tests of Gmail's
    surface itself, not of what outreach may do with its own scopes."""
    with FakeGoogle(token_scopes=ALL_SCOPES, snippets=True) as fake:
        yield fake


def credentials(fake: FakeGoogle, token: str | None = "fake-access-token",  # noqa: S107
                scopes: list[str] | None = None, refresh: str = "refresh-1") -> Credentials:
    info = fake.authorized_user_info(refresh_token=refresh, scopes=scopes)
    return Credentials(
        token=token, refresh_token=refresh, client_id=info["client_id"],
        client_secret=info["client_secret"], token_uri=token_uri(fake.url), scopes=scopes,
    )


def gmail(fake: FakeGoogle, creds: Credentials | None = None) -> Any:
    return build_service("gmail", creds or credentials(fake), api_root=fake.url, timeout=5)


def mail(subject: str = "Coffee chat?", to: str = "ada@example.org", sender: str = USER,
         body: str = "Hi Ada,\nwould you have 20 minutes next week?\n",
         msgid: str | None = None, in_reply_to: str | None = None) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    if msgid:
        message["Message-ID"] = msgid
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
        message["References"] = in_reply_to
    message.set_content(body)
    return message


def raw(message: EmailMessage) -> str:
    return base64.urlsafe_b64encode(message.as_bytes()).decode()


def header(resource: dict[str, Any], name: str) -> str | None:
    for item in resource["payload"]["headers"]:
        if item["name"].lower() == name.lower():
            return str(item["value"])
    return None


def status_of(call: Callable[[], Any]) -> int:
    with pytest.raises(HttpError) as caught:
        call()
    return int(caught.value.resp.status)


# ------------------------------------------------------------------------------------ drafts


def test_draft_lifecycle_with_json_raw(wide: FakeGoogle) -> None:
    drafts = gmail(wide).users().drafts()
    created = drafts.create(userId="me", body={"message": {"raw": raw(
        mail(msgid="<one@outreach>"))}}).execute()
    assert created["message"]["labelIds"] == ["DRAFT"]
    draft_id, first_message = created["id"], created["message"]["id"]

    found = drafts.list(userId="me", q="rfc822msgid:<one@outreach>").execute()
    assert [d["id"] for d in found["drafts"]] == [draft_id]
    assert drafts.list(userId="me", q="rfc822msgid:nope@x").execute() == {"resultSizeEstimate": 0}

    full = drafts.get(userId="me", id=draft_id).execute()["message"]
    assert header(full, "Subject") == "Coffee chat?"
    assert full["snippet"].startswith("Hi Ada, would you have 20 minutes")
    as_raw = drafts.get(userId="me", id=draft_id, format="raw").execute()["message"]
    assert b"Subject: Coffee chat?" in base64.urlsafe_b64decode(as_raw["raw"])
    minimal = drafts.get(userId="me", id=draft_id, format="minimal").execute()["message"]
    assert "payload" not in minimal and "raw" not in minimal

    updated = drafts.update(userId="me", id=draft_id, body={"message": {"raw": raw(
        mail(subject="Coffee chat next week?", msgid="<one@outreach>"))}}).execute()
    assert updated["id"] == draft_id
    assert updated["message"]["id"] != first_message  # like Gmail: a new message per update
    assert wide.drafts()[0].message.subject == "Coffee chat next week?"

    drafts.delete(userId="me", id=draft_id).execute()
    assert wide.drafts() == []
    assert status_of(lambda: drafts.get(userId="me", id=draft_id).execute()) == 404
    assert status_of(lambda: drafts.create(userId="me", body={"message": {}}).execute()) == 400


def test_uploads_multipart_media_and_resumable(wide: FakeGoogle) -> None:
    users = gmail(wide).users()
    message = mail(msgid="<up@outreach>").as_bytes()
    multipart = users.drafts().create(
        userId="me", body={"message": {}},
        media_body=MediaInMemoryUpload(message, mimetype="message/rfc822"),
    ).execute()
    media = users.drafts().create(
        userId="me", media_body=MediaIoBaseUpload(io.BytesIO(message), mimetype="message/rfc822"),
    ).execute()
    resumable = users.drafts().create(
        userId="me", body={"message": {}},
        media_body=MediaInMemoryUpload(message, mimetype="message/rfc822", resumable=True),
    ).execute()
    replaced = users.drafts().update(
        userId="me", id=media["id"], body={"message": {}},
        media_body=MediaInMemoryUpload(mail(subject="Edited").as_bytes(),
                                       mimetype="message/rfc822"),
    ).execute()
    sent = users.messages().send(
        userId="me", media_body=MediaInMemoryUpload(message, mimetype="message/rfc822"),
    ).execute()

    assert {multipart["id"], media["id"], resumable["id"]} == {d.id for d in wide.drafts()}
    assert replaced["id"] == media["id"] and replaced["message"]["id"] != media["message"]["id"]
    assert wide.message(sent["id"]).label_ids == ["SENT"]
    assert all(d.message.message_id == "up@outreach" or d.message.subject == "Edited"
               for d in wide.drafts())
    upload_calls = [c for c in wide.calls if c.path.startswith("/upload/gmail/v1/")]
    assert len(upload_calls) == 6  # resumable: start + one PUT
    bad = MediaInMemoryUpload(b"not mail", mimetype="text/plain")
    assert status_of(lambda: users.messages().send(userId="me", media_body=bad).execute()) == 400


def test_drafts_send_moves_the_message_to_sent(wide: FakeGoogle) -> None:
    users = gmail(wide).users()
    start = users.getProfile(userId="me").execute()["historyId"]
    first = users.drafts().create(userId="me", body={"message": {"raw": raw(mail())}}).execute()
    second = users.drafts().create(userId="me", body={"message": {"raw": raw(
        mail(to="grace@example.com"))}}).execute()

    sent = users.drafts().send(userId="me", body={"id": first["id"]}).execute()
    assert sent["labelIds"] == ["SENT"]
    assert sent["threadId"] == first["message"]["threadId"]
    assert status_of(lambda: users.drafts().get(userId="me", id=first["id"]).execute()) == 404
    stored = wide.message(sent["id"])
    assert stored.header("Message-ID")  # Gmail adds Message-ID and Date when missing
    assert stored.header("Date")

    by_user = wide.send_draft_as_user(second["id"])  # pressing Send in Gmail
    assert [m.id for m in wide.messages(label="SENT")] == [sent["id"], by_user]
    assert wide.drafts() == []

    history = users.history().list(userId="me", startHistoryId=start,
                                   historyTypes="messageAdded", labelId="SENT").execute()
    added = [h["messagesAdded"][0]["message"] for h in history["history"]]
    assert [m["id"] for m in added] == [sent["id"], by_user]
    assert all(m["labelIds"] == ["SENT"] for m in added)
    no_recipient = users.drafts().create(userId="me", body={"message": {"raw": raw(
        mail(to=""))}}).execute()
    assert status_of(lambda: users.drafts().send(
        userId="me", body={"id": no_recipient["id"]}).execute()) == 400


def test_draft_send_can_keep_the_message_id() -> None:
    with FakeGoogle(new_id_on_send=False) as fake:
        users = gmail(fake).users()
        draft = users.drafts().create(userId="me", body={"message": {"raw": raw(mail())}}).execute()
        sent = users.drafts().send(userId="me", body={"id": draft["id"]}).execute()
        assert sent["id"] == draft["message"]["id"]
        record = users.history().list(userId="me", startHistoryId="1001").execute()["history"][0]
        assert record["labelsRemoved"][0]["labelIds"] == ["DRAFT"]
        assert record["labelsAdded"][0]["labelIds"] == ["SENT"]


# ------------------------------------------------------------------------------------ batch


def test_batch_of_30_drafts_create(wide: FakeGoogle) -> None:
    service = gmail(wide)
    results: dict[str, tuple[Any, HttpError | None]] = {}

    def collect(request_id: str, response: Any, error: HttpError | None) -> None:
        results[request_id] = (response, error)

    batch = service.new_batch_http_request(callback=collect)
    for n in range(30):
        message = mail(to=f"person{n}@example.org", msgid=f"<batch-{n}@outreach>")
        batch.add(service.users().drafts().create(userId="me", body={"message": {"raw": raw(
            message)}}), request_id=f"contact-{n}")
    batch.add(service.users().messages().get(userId="me", id="0123456789abcdef"),
              request_id="missing")
    batch.execute()

    assert wide.requests == [("POST", "/batch", 200)]  # one round trip
    assert wide.method_counts["gmail.users.drafts.create"] == 30
    missing_response, missing_error = results.pop("missing")
    assert missing_response is None and missing_error is not None
    assert missing_error.resp.status == 404
    assert len(results) == 30 and all(error is None for _, error in results.values())
    by_id = {d.message.message_id: d.id for d in wide.drafts()}
    for n in range(30):
        response, _ = results[f"contact-{n}"]
        assert by_id[f"batch-{n}@outreach"] == response["id"]


def test_batch_deletes_and_limit(fake_google: FakeGoogle) -> None:  # noqa: F811
    service = gmail(fake_google)
    draft = service.users().drafts().create(userId="me", body={"message": {"raw": raw(
        mail())}}).execute()
    outcome: list[Any] = []
    batch = service.new_batch_http_request()
    batch.add(service.users().drafts().delete(userId="me", id=draft["id"]),
              callback=lambda _id, response, error: outcome.append((response, error)))
    batch.execute()
    assert outcome == [("", None)] and fake_google.drafts() == []  # 204 inside a batch

    too_big = service.new_batch_http_request()
    for _ in range(101):
        too_big.add(service.users().getProfile(userId="me"))
    with pytest.raises(HttpError) as caught:
        too_big.execute()
    assert caught.value.resp.status == 400


def test_batch_refreshes_an_expired_token(fake_google: FakeGoogle) -> None:  # noqa: F811
    creds = credentials(fake_google)
    service = gmail(fake_google, creds)
    fake_google.expire_tokens()
    profiles: list[Any] = []
    batch = service.new_batch_http_request()
    for _ in range(3):
        batch.add(service.users().getProfile(userId="me"),
                  callback=lambda _id, response, error: profiles.append((response, error)))
    batch.execute()
    assert [p[0]["emailAddress"] for p in profiles] == [USER] * 3
    assert fake_google.count("^/token$") == 1


# ------------------------------------------------------------------------------------ threads


def test_threading_by_thread_id_and_by_references(wide: FakeGoogle) -> None:
    users = gmail(wide).users()
    sent = users.messages().send(userId="me", body={"raw": raw(
        mail(msgid="<first@outreach>"))}).execute()
    thread = sent["threadId"]
    assert thread == sent["id"]  # a thread's id is its first message's id

    reply = wide.deliver(mail(subject="Re: Coffee chat?", sender="ada@example.org",
                                     to=USER, in_reply_to="<first@outreach>",
                                     msgid="<reply@ada>"))
    other_subject = wide.deliver(mail(subject="Something else", sender="ada@example.org",
                                             to=USER, in_reply_to="<first@outreach>"))
    no_refs = wide.deliver(mail(subject="Re: Coffee chat?", sender="ada@example.org",
                                       to=USER))
    followup = users.drafts().create(userId="me", body={"message": {
        "raw": raw(mail(subject="Re: Coffee chat?", in_reply_to="<reply@ada>")),
        "threadId": thread}}).execute()
    by_headers = users.messages().send(userId="me", body={"raw": raw(
        mail(subject="RE: coffee chat?", in_reply_to="<reply@ada>"))}).execute()

    outreach = wide.message(sent["id"])
    bounced = wide.deliver(samples.bounce(outreach).as_bytes())  # subject differs
    auto = wide.deliver(samples.auto_reply(outreach))

    assert wide.message(reply).thread_id == thread
    assert wide.message(other_subject).thread_id not in (thread, None)
    assert wide.message(no_refs).thread_id != thread
    assert followup["message"]["threadId"] == thread
    assert by_headers["threadId"] == thread
    assert wide.message(bounced).thread_id == thread
    assert wide.message(auto).thread_id == thread
    assert wide.message(bounced).email.get_content_type() == "multipart/report"

    got = users.threads().get(userId="me", id=thread, format="metadata",
                              metadataHeaders=["From", "Subject"]).execute()
    assert [m["id"] for m in got["messages"]] == [
        sent["id"], reply, followup["message"]["id"], by_headers["id"], bounced, auto]
    assert {h["name"] for m in got["messages"] for h in m["payload"]["headers"]} == {
        "From", "Subject"}
    assert status_of(lambda: users.messages().send(userId="me", body={
        "raw": raw(mail()), "threadId": "ffffffffffffffff"}).execute()) == 400
    assert status_of(lambda: users.threads().get(userId="me", id="ffff").execute()) == 404


# ------------------------------------------------------------------------------------ messages


def test_messages_get_formats_and_list_queries(wide: FakeGoogle) -> None:
    users = gmail(wide).users()
    wide.set_now(datetime(2026, 3, 2, 14, 0, tzinfo=UTC))
    ids = [users.messages().send(userId="me", body={"raw": raw(
        mail(to=f"p{n}@example.org", msgid=f"<m{n}@outreach>"))}).execute()["id"]
        for n in range(3)]
    inbound = wide.deliver(mail(sender="ada@example.org", to=USER, subject="Hello"))
    wide.advance(timedelta(minutes=5))
    draft = users.drafts().create(userId="me", body={"message": {"raw": raw(mail())}}).execute()

    meta = users.messages().get(userId="me", id=ids[0], format="metadata",
                                metadataHeaders=["subject", "Message-ID"]).execute()
    assert [h["name"] for h in meta["payload"]["headers"]] == ["Subject", "Message-ID"]
    assert meta["internalDate"] == str(int(datetime(2026, 3, 2, 14, tzinfo=UTC).timestamp()) * 1000)
    assert meta["labelIds"] == ["SENT"] and int(meta["historyId"]) > 1000
    assert meta["sizeEstimate"] > 0
    assert "payload" not in users.messages().get(userId="me", id=ids[0],
                                                 format="minimal").execute()
    as_raw = users.messages().get(userId="me", id=inbound, format="raw").execute()
    assert b"Subject: Hello" in base64.urlsafe_b64decode(as_raw["raw"])
    full = users.messages().get(userId="me", id=inbound).execute()
    assert base64.urlsafe_b64decode(full["payload"]["body"]["data"]).startswith(b"Hi Ada")
    assert status_of(lambda: users.messages().get(userId="me", id="0000").execute()) == 404

    def listed(**kwargs: Any) -> list[str]:
        return [m["id"] for m in users.messages().list(userId="me", **kwargs).execute().get(
            "messages", [])]

    assert listed(labelIds=["SENT"]) == ids[::-1]  # newest first
    assert listed(q="in:sent") == ids[::-1]
    assert listed(q="rfc822msgid:m1@outreach") == [ids[1]]
    assert listed(labelIds=["INBOX", "UNREAD"]) == [inbound]
    assert listed(q="from:ada@example.org") == [inbound]
    assert listed(q="in:drafts") == [draft["message"]["id"]]
    assert users.messages().list(userId="me", q="rfc822msgid:<gone@x>").execute() == {
        "resultSizeEstimate": 0}

    pages: list[str] = []
    request = users.messages().list(userId="me", labelIds=["SENT"], maxResults=2)
    while request is not None:
        response = request.execute()
        pages.append(",".join(m["id"] for m in response["messages"]))
        request = users.messages().list_next(request, response)
    assert pages == [f"{ids[2]},{ids[1]}", ids[0]]
    users.messages().modify(userId="me", id=inbound, body={"removeLabelIds": ["UNREAD"]}).execute()
    assert wide.message(inbound).label_ids == ["INBOX"]

    profile = users.getProfile(userId=USER).execute()
    assert profile["emailAddress"] == USER and profile["messagesTotal"] == 5
    assert status_of(lambda: users.getProfile(userId="someone@else.org").execute()) == 403


# ------------------------------------------------------------------------------------ history


def test_history_paging_and_expiry(fake_google: FakeGoogle) -> None:  # noqa: F811
    users = gmail(fake_google).users()
    start = users.getProfile(userId="me").execute()["historyId"]
    for n in range(5):
        users.messages().send(userId="me", body={"raw": raw(mail(to=f"p{n}@x.org"))}).execute()
    fake_google.deliver(mail(sender="ada@example.org", to=USER))

    seen: list[str] = []
    request = users.history().list(userId="me", startHistoryId=start, maxResults=2,
                                   historyTypes=["messageAdded"])
    pages = 0
    while request is not None:
        response = request.execute()
        pages += 1
        seen.extend(h["messagesAdded"][0]["message"]["id"] for h in response["history"])
        assert response["historyId"] == str(fake_google.history_id)
        request = users.history().list_next(request, response)
    assert pages == 3 and len(seen) == 6
    inbox = users.history().list(userId="me", startHistoryId=start, labelId="INBOX").execute()
    assert len(inbox["history"]) == 1
    latest = users.history().list(userId="me", startHistoryId=str(fake_google.history_id))
    assert latest.execute() == {"historyId": str(fake_google.history_id)}

    fake_google.expire_history_before(fake_google.history_id - 2)
    assert status_of(lambda: users.history().list(userId="me", startHistoryId=start).execute()) \
        == 404
    recent = users.history().list(userId="me", startHistoryId=fake_google.history_id - 2)
    assert len(recent.execute()["history"]) == 2


# ------------------------------------------------------------------------------------ auth


def test_token_refresh_after_expiry(fake_google: FakeGoogle) -> None:  # noqa: F811
    creds = credentials(fake_google)
    users = gmail(fake_google, creds).users()
    assert users.getProfile(userId="me").execute()["emailAddress"] == USER
    fake_google.expire_tokens()
    assert users.getProfile(userId="me").execute()["emailAddress"] == USER
    assert creds.token is not None and creds.token.startswith("ya29.fake-")
    assert [s for _, p, s in fake_google.requests if p != "/gmail/v1/users/me/profile"] == [200]
    assert fake_google.status_counts[401] == 1

    fake_google.expire_tokens()
    fake_google.revoke_refresh_token("refresh-1")
    with pytest.raises(RefreshError, match="invalid_grant") as caught:
        users.getProfile(userId="me").execute()
    assert caught.value.args[1] == {  # Google's JSON, exactly
        "error": "invalid_grant", "error_description": "Token has been expired or revoked."}
    anonymous = build_service("gmail", None, api_root=fake_google.url)
    assert status_of(lambda: anonymous.users().getProfile(userId="me").execute()) == 401


def test_by_default_a_token_holds_exactly_the_tools_scopes(
    fake_google: FakeGoogle,  # noqa: F811
) -> None:
    from outreach.google.auth import SCOPES

    assert fake_google.default_scopes == frozenset(SCOPES)
    creds = credentials(fake_google, token=None, scopes=SCOPES)  # granted: the tool's scopes
    users = gmail(fake_google, creds).users()
    users.getProfile(userId="me").execute()
    assert set(creds.granted_scopes or []) == set(SCOPES)
    assert status_of(lambda: users.labels().create(userId="me", body={"name": "x"}).execute()) \
        == 403  # no broader scope than the tool's


def test_the_metadata_scope_limits_the_token_even_beside_a_broader_one() -> None:
    with FakeGoogle(token_scopes=[COMPOSE, METADATA, "https://mail.google.com/"]) as fake:
        users = gmail(fake).users()
        sent = users.messages().send(userId="me", body={"raw": raw(mail())}).execute()
        draft = users.drafts().create(userId="me", body={"message": {"raw": raw(mail())}})
        draft_id = draft.execute()["id"]
        users.messages().get(userId="me", id=sent["id"], format="metadata").execute()
        users.drafts().get(userId="me", id=draft_id, format="metadata").execute()
        users.messages().list(userId="me", labelIds=["SENT"]).execute()
        refused = [
            lambda: users.messages().get(userId="me", id=sent["id"]).execute(),  # full
            lambda: users.messages().get(userId="me", id=sent["id"], format="raw").execute(),
            lambda: users.threads().get(userId="me", id=sent["threadId"]).execute(),
            lambda: users.drafts().get(userId="me", id=draft_id, format="full").execute(),
            lambda: users.messages().list(userId="me", q="in:sent").execute(),
            lambda: users.messages().list(userId="me", q="").execute(),  # even an empty q
            lambda: users.threads().list(userId="me", q="in:sent").execute(),
            lambda: users.drafts().list(userId="me", q="in:drafts").execute(),
        ]
        for call in refused:
            with pytest.raises(HttpError) as caught:
                call()
            error = json.loads(caught.value.content)["error"]
            assert (error["code"], error["status"]) == (403, "PERMISSION_DENIED")
            assert error["message"].startswith("Metadata scope do")
    with FakeGoogle(token_scopes=[COMPOSE, "https://www.googleapis.com/auth/gmail.readonly"]) \
            as fake:  # gmail.readonly instead of gmail.metadata: bodies and queries allowed
        users = gmail(fake).users()
        sent = users.messages().send(userId="me", body={"raw": raw(mail())}).execute()
        full = users.messages().get(userId="me", id=sent["id"]).execute()
        assert full["payload"]["body"]["data"]
        users.messages().list(userId="me", q="in:sent").execute()


def test_attachments_need_a_scope_that_reads_bodies() -> None:
    """users.messages.attachments.get lists no gmail.metadata in its scopes (discovery
    document): the tool's own token cannot read an attachment; gmail.readonly can."""
    message = mail(sender="ada@example.org", to=USER)
    message.add_attachment(b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", maintype="text",
                           subtype="calendar", filename="iCal-20261104-150000.ics")
    for scope, allowed in ((METADATA, False),
                           ("https://www.googleapis.com/auth/gmail.readonly", True)):
        with FakeGoogle(token_scopes=[COMPOSE, scope]) as fake:
            message_id = fake.deliver(message)
            users = gmail(fake).users()
            if not allowed:
                fetched = users.messages().get(userId="me", id=message_id,
                                               format="metadata").execute()
                assert "parts" not in fetched["payload"]  # no attachment id to ask for
                attachment_id = f"ANGjdJ_{message_id}_1"
                refused = users.messages().attachments().get(
                    userId="me", messageId=message_id, id=attachment_id)
                assert status_of(refused.execute) == 403
                continue
            full = users.messages().get(userId="me", id=message_id).execute()
            [part] = [p for p in full["payload"]["parts"] if p["filename"]]
            assert "data" not in part["body"]  # a named part: its id only
            got = users.messages().attachments().get(
                userId="me", messageId=message_id, id=part["body"]["attachmentId"]).execute()
            assert base64.urlsafe_b64decode(got["data"]).startswith(b"BEGIN:VCALENDAR")


def test_scopes_are_enforced_like_gmail(fake_google: FakeGoogle) -> None:  # noqa: F811
    fake_google.set_access_token(None)  # every token comes from a refresh with these scopes
    creds = credentials(fake_google, token=None, scopes=[COMPOSE, METADATA, FREEBUSY])
    users = gmail(fake_google, creds).users()
    sent = users.messages().send(userId="me", body={"raw": raw(mail())}).execute()
    users.drafts().list(userId="me").execute()
    users.messages().get(userId="me", id=sent["id"], format="metadata").execute()
    assert status_of(lambda: users.messages().get(userId="me", id=sent["id"]).execute()) == 403
    assert status_of(lambda: users.messages().list(userId="me", q="in:sent").execute()) == 403
    narrow = credentials(fake_google, token=None, scopes=[COMPOSE], refresh="refresh-2")
    fake_google.set_refresh_token_scopes("refresh-2", [COMPOSE])
    narrow_users = gmail(fake_google, narrow).users()
    assert status_of(lambda: narrow_users.history().list(userId="me", startHistoryId="1")
                     .execute()) == 403
    greedy = credentials(fake_google, token=None, scopes=[COMPOSE, METADATA], refresh="refresh-2")
    with pytest.raises(RefreshError, match="invalid_scope"):  # more than the user granted
        gmail(fake_google, greedy).users().getProfile(userId="me").execute()


def test_no_snippet_unless_asked_for() -> None:
    for snippets in (False, True):
        with FakeGoogle(snippets=snippets) as fake:
            message_id = fake.deliver(mail(sender="ada@example.org", to=USER))
            users = gmail(fake).users()
            got = users.messages().get(userId="me", id=message_id, format="metadata").execute()
            thread = users.threads().get(userId="me", id=got["threadId"],
                                         format="metadata").execute()
            assert ("snippet" in got) is snippets
            assert ("snippet" in thread["messages"][0]) is snippets
            if snippets:
                assert got["snippet"].startswith("Hi Ada, would you have 20 minutes")


def test_refresh_tokens_of_a_testing_app_expire_after_7_days() -> None:
    start = datetime(2026, 3, 2, 9, tzinfo=UTC)
    for status, alive_after_8_days in (("testing", False), ("production", True)):
        with FakeGoogle(publishing_status=status) as fake:
            fake.set_now(start)
            creds = credentials(fake, token=None)  # consented now
            users = gmail(fake, creds).users()
            users.getProfile(userId="me").execute()
            fake.advance(timedelta(days=6, hours=23))
            fake.expire_tokens()
            users.getProfile(userId="me").execute()  # still within the week
            fake.advance(timedelta(days=1, hours=2))
            fake.expire_tokens()
            if alive_after_8_days:
                users.getProfile(userId="me").execute()
                continue
            with pytest.raises(RefreshError) as caught:
                users.getProfile(userId="me").execute()
            assert caught.value.args[1] == {
                "error": "invalid_grant", "error_description": "Token has been expired or revoked."}


def test_access_tokens_expire_after_an_hour_on_the_fakes_clock(
    fake_google: FakeGoogle,  # noqa: F811
) -> None:
    fake_google.set_now(datetime(2026, 3, 2, 9, tzinfo=UTC))
    creds = credentials(fake_google, token=None)
    users = gmail(fake_google, creds).users()
    users.getProfile(userId="me").execute()
    first = creds.token
    fake_google.advance(timedelta(minutes=61))
    users.getProfile(userId="me").execute()  # 401, refreshed, retried
    assert creds.token != first
    assert fake_google.count("^/token$") == 2 and fake_google.status_counts[401] == 1


def test_the_consent_screen_and_code_exchange_follow_google(
    fake_google: FakeGoogle,  # noqa: F811
) -> None:
    import hashlib
    from urllib.parse import parse_qs, urlencode, urlsplit

    verifier = "v" * 64
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode()
    query = {"client_id": fake_google.client_id, "redirect_uri": "http://localhost:9/",
             "response_type": "code", "scope": f"{COMPOSE} {METADATA}", "state": "s1",
             "access_type": "offline", "code_challenge": challenge.rstrip("="),
             "code_challenge_method": "S256"}

    def consent(**changes: str) -> tuple[int, dict[str, list[str]]]:
        url = f"{fake_google.url}o/oauth2/auth?{urlencode({**query, **changes})}"

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args: Any, **kwargs: Any) -> None:
                return None

        opener = urllib.request.build_opener(NoRedirect)
        try:
            opener.open(url, timeout=5)
        except urllib.error.HTTPError as answer:
            location = answer.headers.get("Location") or ""
            return answer.code, parse_qs(urlsplit(location).query)
        raise AssertionError("no redirect")

    def exchange(code: str, **changes: str) -> tuple[int, dict[str, Any]]:
        form = {"grant_type": "authorization_code", "code": code,
                "client_id": fake_google.client_id, "client_secret": "fake-client-secret",
                "redirect_uri": query["redirect_uri"], "code_verifier": verifier, **changes}
        request = urllib.request.Request(fake_google.token_uri, data=urlencode(form).encode())  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
                return response.status, json.load(response)
        except urllib.error.HTTPError as refused:
            return refused.code, json.load(refused)

    status, params = consent()
    assert status == 302 and params["state"] == ["s1"]
    assert params["scope"][0].split() == sorted([COMPOSE, METADATA])
    assert exchange(params["code"][0], code_verifier="wrong")[1]["error"] == "invalid_grant"
    status, params = consent()
    code = params["code"][0]
    status, token = exchange(code)
    assert status == 200 and token["refresh_token"].startswith("1//")
    assert exchange(code)[1]["error"] == "invalid_grant"  # a code works once
    assert exchange(code, client_secret="nope")[0] == 401  # invalid_client

    fake_google.set_consent(withhold=[METADATA])  # the user unticks a box
    granted = consent()[1]["scope"][0].split()
    assert granted == [COMPOSE]
    fake_google.set_consent(deny=True)
    assert consent()[1]["error"] == ["access_denied"]


def test_a_sent_copy_may_get_a_message_id_of_gmails_own() -> None:
    with FakeGoogle(rewrite_message_id_on_send=True) as fake:
        users = gmail(fake).users()
        draft = users.drafts().create(userId="me", body={"message": {"raw": raw(
            mail(msgid="<ours@outreach>"))}}).execute()
        sent = users.drafts().send(userId="me", body={"id": draft["id"]}).execute()
        stored = fake.message(sent["id"])
        assert stored.message_id != "ours@outreach" and stored.message_id.endswith(
            "@mail.gmail.com")
        assert stored.subject == "Coffee chat?" and stored.thread_id == sent["threadId"]
        other = users.drafts().create(userId="me", body={"message": {"raw": raw(
            mail(msgid="<second@outreach>"))}}).execute()
        by_user = fake.send_draft_as_user(other["id"], rewrite_message_id=False)
        assert fake.message(by_user).message_id == "second@outreach"


# ------------------------------------------------------------------------------------ faults


def test_injected_429_and_500_are_retried(fake_google: FakeGoogle) -> None:  # noqa: F811
    users = gmail(fake_google).users()
    fake_google.inject(429, retry_after=0, path_pattern="/profile$", times=1)
    assert users.getProfile(userId="me").execute(num_retries=3)["emailAddress"] == USER
    fake_google.inject(500, path_pattern="/drafts$", method="POST", times=1)
    draft = users.drafts().create(userId="me", body={"message": {"raw": raw(mail())}})
    draft.execute(num_retries=3)
    assert fake_google.status_counts == {429: 1, 500: 1, 200: 2}
    assert len(fake_google.drafts()) == 1  # the 500 happened before any work



def error_of(call: Callable[[], Any]) -> tuple[HttpError, dict[str, Any]]:
    with pytest.raises(HttpError) as caught:
        call()
    return caught.value, json.loads(caught.value.content)["error"]


def test_rate_limits_come_in_gmails_shapes(fake_google: FakeGoogle) -> None:  # noqa: F811
    users = gmail(fake_google).users()

    def profile() -> Any:
        return users.getProfile(userId="me").execute()  # num_retries=0: the error itself

    fake_google.inject(429, retry_after=30, times=1)
    before = datetime.now(UTC)
    error, body = error_of(profile)
    assert "retry-after" not in error.resp  # the time is only in the message
    assert body["status"] == "RESOURCE_EXHAUSTED"
    assert body["errors"][0] == {"message": body["message"], "domain": "usageLimits",
                                 "reason": "rateLimitExceeded"}
    prefix = "User-rate limit exceeded.  Retry after "
    assert body["message"].startswith(prefix) and body["message"].endswith("Z")
    retry_at = datetime.fromisoformat(body["message"][len(prefix):].replace("Z", "+00:00"))
    assert 29 <= (retry_at - before).total_seconds() <= 32

    fake_google.inject(429, retry_after=2, retry_after_header=True, times=1)
    assert error_of(profile)[0].resp["retry-after"] == "2"  # only when a test asks

    fake_google.inject(429, concurrent=True, times=1)
    error, body = error_of(profile)
    assert body["message"] == "Too many concurrent requests for user"
    assert body["errors"][0]["reason"] == "rateLimitExceeded" and "retry-after" not in error.resp

    for reason, message in (("userRateLimitExceeded", "User Rate Limit Exceeded"),
                            ("rateLimitExceeded", "Quota exceeded for quota metric")):
        fake_google.inject(403, reason=reason, times=1)
        error, body = error_of(profile)
        assert error.resp.status == 403 and body["errors"][0]["reason"] == reason
        assert body["errors"][0]["domain"] == "usageLimits"
        assert body["message"].startswith(message)


def test_a_concurrency_limit_refuses_the_parts_of_a_batch_past_it(
    fake_google: FakeGoogle,  # noqa: F811
) -> None:
    fake_google.concurrency(3)
    service = gmail(fake_google)
    statuses: list[int] = []
    batch = service.new_batch_http_request(
        callback=lambda _id, _r, e: statuses.append(e.resp.status if e else 200))
    for _ in range(5):
        batch.add(service.users().getProfile(userId="me"))
    batch.execute()
    assert statuses == [200, 200, 200, 429, 429]
    fake_google.concurrency(None)


def test_quota_gives_429_with_the_retry_time_in_the_message(
    fake_google: FakeGoogle,  # noqa: F811
) -> None:
    users = gmail(fake_google).users()
    sent = users.messages().send(userId="me", body={"raw": raw(mail())}).execute()
    fake_google.quota(units_per_second=5, window=10)  # 50 units per 10 s: no race with time
    for _ in range(10):  # 10 x messages.get at 5 units = the whole window's budget
        users.messages().get(userId="me", id=sent["id"], format="minimal").execute()
    with pytest.raises(HttpError) as caught:
        users.messages().get(userId="me", id=sent["id"], format="minimal").execute()
    error = caught.value
    assert error.resp.status == 429 and "retry-after" not in error.resp
    body = json.loads(error.content)["error"]
    assert body["errors"][0]["reason"] == "rateLimitExceeded"
    assert body["status"] == "RESOURCE_EXHAUSTED"
    assert body["message"].startswith("User-rate limit exceeded.  Retry after 20")
    assert fake_google.units_spent == 50

    fake_google.quota(units_per_second=5, window=10)  # a fresh window
    service = gmail(fake_google)
    statuses: list[int] = []
    batch = service.new_batch_http_request(
        callback=lambda _id, _r, e: statuses.append(e.resp.status if e else 200))
    for _ in range(7):  # 7 x drafts.create at 10 units: each part pays its own
        batch.add(service.users().drafts().create(userId="me", body={"message": {
            "raw": raw(mail())}}))
    batch.execute()
    assert statuses == [200] * 5 + [429] * 2
    assert fake_google.status_counts[429] == 3

    fake_google.quota(units_per_second=5, window=0.2)  # 1 unit per 0.2 s; getProfile costs 1
    users.getProfile(userId="me").execute()
    assert status_of(lambda: users.getProfile(userId="me").execute()) == 429
    time.sleep(0.25)  # the window slides
    users.getProfile(userId="me").execute()
    fake_google.quota(None)
    users.messages().get(userId="me", id=sent["id"], format="minimal").execute()


def test_dropped_connections(fake_google: FakeGoogle) -> None:  # noqa: F811
    users = gmail(fake_google).users()
    # httplib2 silently retries once when a connection closes without a status line, so two
    # drops reach the caller as a ConnectionError, which execute(num_retries=...) retries.
    fake_google.inject(drop=True, path_pattern="/profile$", times=2)
    with pytest.raises(ConnectionError):
        users.getProfile(userId="me").execute()
    fake_google.inject(drop=True, path_pattern="/profile$", times=2)
    assert users.getProfile(userId="me").execute(num_retries=1)["emailAddress"] == USER
    assert fake_google.status_counts[0] == 4

    # A response lost after the work is done: plain httplib2 would silently repeat the POST
    # (a second message); our transport never re-sends a write, so the caller learns the
    # outcome is unknown and the work is done exactly once.
    fake_google.inject(lose_response=True, path_pattern="/messages/send$", times=1)
    with pytest.raises(ConnectionError):
        users.messages().send(userId="me", body={"raw": raw(mail())}).execute()
    assert len(fake_google.messages(label="SENT")) == 1


def test_latency_and_probabilistic_faults(fake_google: FakeGoogle) -> None:  # noqa: F811
    users = gmail(fake_google).users()
    fake_google.inject(latency=0.05, path_pattern="/profile$")
    began = time.monotonic()
    users.getProfile(userId="me").execute()
    assert time.monotonic() - began >= 0.05
    fake_google.reset_faults()

    def run() -> list[int]:
        fake_google.reset_log()
        fake_google.reset_faults()
        fake_google.inject(503, probability=0.3, seed=7, path_pattern="/labels$")
        for _ in range(20):
            with contextlib.suppress(HttpError):
                users.labels().list(userId="me").execute()
        return [status for _, _, status in fake_google.requests]

    first = run()
    assert 0 < first.count(503) < 20
    assert run() == first  # the same seed gives the same faults


# ------------------------------------------------------------------------------------ calendar


def test_freebusy_returns_busy_times(fake_google: FakeGoogle) -> None:  # noqa: F811
    calendar = build_service("calendar", credentials(fake_google), api_root=fake_google.url)
    day = datetime(2026, 3, 2, tzinfo=UTC)
    fake_google.set_busy("primary", [
        (day + timedelta(hours=14), day + timedelta(hours=15)),
        (day + timedelta(hours=14, minutes=30), day + timedelta(hours=16)),  # overlaps: merged
        (day - timedelta(hours=2), day + timedelta(hours=1)),  # clipped to timeMin
        (day + timedelta(days=3), day + timedelta(days=3, hours=1)),  # outside: left out
    ])
    body = {"timeMin": "2026-03-02T00:00:00Z", "timeMax": "2026-03-03T00:00:00Z",
            "items": [{"id": USER}, {"id": "nobody@example.org"}]}
    result = calendar.freebusy().query(body=body).execute()
    assert result["calendars"][USER]["busy"] == [
        {"start": "2026-03-02T00:00:00Z", "end": "2026-03-02T01:00:00Z"},
        {"start": "2026-03-02T14:00:00Z", "end": "2026-03-02T16:00:00Z"},
    ]
    assert result["calendars"]["nobody@example.org"]["errors"][0]["reason"] == "notFound"
    in_new_york = calendar.freebusy().query(body={**body, "timeZone": "America/New_York",
                                                  "items": [{"id": "primary"}]}).execute()
    assert in_new_york["calendars"]["primary"]["busy"][1] == {
        "start": "2026-03-02T09:00:00-05:00", "end": "2026-03-02T11:00:00-05:00"}


# ------------------------------------------------------------------------------------ standalone


def test_runs_standalone() -> None:
    root = Path(__file__).resolve().parents[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.fakegoogle", "--port", "0"],
        cwd=root, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:") and url.endswith("/")
        request = urllib.request.Request(  # noqa: S310
            f"{url}gmail/v1/users/me/profile", headers={"Authorization": "Bearer fake-access-token"}
        )
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
            assert json.load(response)["emailAddress"] == USER
    finally:
        process.terminate()
        process.wait(timeout=5)
