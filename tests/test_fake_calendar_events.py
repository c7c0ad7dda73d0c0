"""The fake's Calendar events are as strict as Google, driven by the real client over HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from google.oauth2.credentials import Credentials
from googleapiclient.errors import HttpError

from outreach.google.calendar_events import error_reason
from outreach.google.services import build_service
from tests.fakegoogle import FakeGoogle

USER = "sam@example.edu"
FREEBUSY = "https://www.googleapis.com/auth/calendar.freebusy"
EVENTS = "https://www.googleapis.com/auth/calendar.events"


@pytest.fixture
def fake() -> Iterator[FakeGoogle]:
    server = FakeGoogle(USER).start()
    try:
        yield server
    finally:
        server.stop()


def calendar(fake: FakeGoogle, scopes: list[str] | None = None) -> Any:
    token = "fake-access-token"
    if scopes is not None:
        token = "scoped-token"
        fake.set_access_token(token, scopes=scopes)
    return build_service("calendar", Credentials(token=token), api_root=fake.url, timeout=5)


def body(uid: str = "m1@example.edu", start: str = "2026-03-04T10:00:00", **extra: Any) -> dict:
    return {
        "iCalUID": uid,
        "summary": "Informational conversation",
        "start": {"dateTime": start, "timeZone": "America/New_York"},
        "end": {"dateTime": start.replace("10:00", "10:20"), "timeZone": "America/New_York"},
        "attendees": [{"email": "ada@example.org", "displayName": "Ada"}],
        **extra,
    }


def refused(call: Any) -> HttpError:
    with pytest.raises(HttpError) as caught:
        call.execute()
    return caught.value


def test_events_need_an_events_scope_freebusy_is_not_enough(fake: FakeGoogle) -> None:
    error = refused(calendar(fake, [FREEBUSY]).events().insert(calendarId="primary", body=body()))
    assert (error.resp.status, error_reason(error)) == (403, "insufficientPermissions")
    created = calendar(fake, [EVENTS]).events().insert(calendarId="primary", body=body()).execute()
    assert created["iCalUID"] == "m1@example.edu"


def test_an_ical_uid_is_taken_for_good_even_after_a_delete(fake: FakeGoogle) -> None:
    events = calendar(fake).events()
    created = events.insert(calendarId="primary", body=body(), sendUpdates="none").execute()
    error = refused(events.insert(calendarId="primary", body=body()))
    assert (error.resp.status, error_reason(error)) == (409, "duplicate")
    events.delete(calendarId="primary", eventId=created["id"], sendUpdates="none").execute()
    assert refused(events.insert(calendarId="primary", body=body())).resp.status == 409
    tombstone = events.get(calendarId="primary", eventId=created["id"]).execute()
    assert tombstone["status"] == "cancelled"  # "The get method always returns them"
    again = refused(events.delete(calendarId="primary", eventId=created["id"]))
    assert (again.resp.status, error_reason(again)) == (410, "deleted")
    moved = refused(events.patch(calendarId="primary", eventId=created["id"], body={}))
    assert moved.resp.status == 410
    fake.calendar_events.purge()
    assert refused(events.get(calendarId="primary", eventId=created["id"])).resp.status == 404


def test_a_bad_event_is_refused_with_googles_reasons(fake: FakeGoogle) -> None:
    events = calendar(fake).events()
    backwards = body(end={"dateTime": "2026-03-04T09:00:00", "timeZone": "America/New_York"})
    assert error_reason(refused(events.insert(calendarId="primary", body=backwards))) == (
        "timeRangeEmpty"
    )
    no_zone = body()
    del no_zone["start"]["timeZone"]
    assert "Missing time zone" in str(refused(events.insert(calendarId="primary", body=no_zone)))
    bad_guest = body(attendees=[{"email": "not an address"}])
    assert refused(events.insert(calendarId="primary", body=bad_guest)).resp.status == 400
    bad_id = body(id="UPPER-case!")
    assert "Invalid resource id" in str(refused(events.insert(calendarId="primary", body=bad_id)))
    other = refused(events.insert(calendarId="someone@example.org", body=body()))
    assert other.resp.status == 404


def test_google_mails_guests_when_asked_and_may_mail_them_when_not(fake: FakeGoogle) -> None:
    """``sendUpdates=none``: "some emails might still be sent" (events.insert reference), so
    a guest may hear from Google anyway; only an event with no guests is sure to mail nobody."""
    events = calendar(fake).events()
    quiet = events.insert(calendarId="primary", body=body(), sendUpdates="none").execute()
    events.patch(
        calendarId="primary", eventId=quiet["id"], body={"summary": "x"}, sendUpdates="none"
    ).execute()
    maybe = [(n.to, n.what, n.certain) for n in fake.calendar_events.notifications]
    assert maybe == [("ada@example.org", "created", False), ("ada@example.org", "updated", False)]
    loud = events.insert(calendarId="primary", body=body("m2@x"), sendUpdates="all").execute()
    mail = fake.calendar_events.notifications[-1]
    assert (mail.to, mail.what, mail.event_id, mail.certain) == (
        "ada@example.org", "created", loud["id"], True
    )
    alone = {k: v for k, v in body("m3@x").items() if k != "attendees"}
    events.insert(calendarId="primary", body=alone, sendUpdates="none").execute()
    assert len(fake.calendar_events.notifications) == 3  # no guests: nobody to mail
    assert [w[2] for w in fake.calendar_events.writes] == ["none", "none", "all", "none"]


def test_the_organizer_is_an_attendee_and_a_move_raises_the_sequence(fake: FakeGoogle) -> None:
    events = calendar(fake).events()
    created = events.insert(calendarId="primary", body=body()).execute()
    organizer = [a for a in created["attendees"] if a.get("organizer")]
    assert organizer == [
        {"email": USER, "organizer": True, "self": True, "responseStatus": "accepted"}
    ]
    renamed = events.patch(
        calendarId="primary", eventId=created["id"], body={"summary": "Renamed"}
    ).execute()
    assert (renamed["sequence"], renamed["start"]) == (0, created["start"])
    moved = events.patch(
        calendarId="primary",
        eventId=created["id"],
        body={
            "start": {"dateTime": "2026-03-05T10:00:00-05:00"},
            "end": {"dateTime": "2026-03-05T10:20:00-05:00"},
        },
    ).execute()
    assert moved["sequence"] == 1
    assert moved["start"] == {
        "dateTime": "2026-03-05T10:00:00-05:00",
        "timeZone": "America/New_York",
    }  # objects merge on patch
    replaced = events.update(calendarId="primary", eventId=created["id"], body=body()).execute()
    assert replaced["sequence"] == 2 and replaced["summary"] == "Informational conversation"


def test_meet_links_need_conference_data_version_1(fake: FakeGoogle) -> None:
    events = calendar(fake).events()
    ask = {"createRequest": {"requestId": "r-1", "conferenceSolutionKey": {"type": "hangoutsMeet"}}}
    ignored = events.insert(calendarId="primary", body=body(conferenceData=ask)).execute()
    assert "conferenceData" not in ignored and "hangoutLink" not in ignored
    fake.calendar_events.meet_pending_reads = 1
    made = events.insert(
        calendarId="primary", body=body("m2@x", conferenceData=ask), conferenceDataVersion=1
    ).execute()
    assert made["conferenceData"]["createRequest"]["status"]["statusCode"] == "pending"
    ready = events.get(calendarId="primary", eventId=made["id"]).execute()
    assert ready["conferenceData"]["createRequest"]["status"]["statusCode"] == "success"
    [video] = ready["conferenceData"]["entryPoints"]
    assert video["entryPointType"] == "video" and video["uri"] == ready["hangoutLink"]
    same = events.patch(
        calendarId="primary",
        eventId=made["id"],
        body={"conferenceData": ask},
        conferenceDataVersion=1,
    ).execute()
    assert same["hangoutLink"] == ready["hangoutLink"]  # the same requestId is ignored
    wrong = {"createRequest": {"requestId": "r-2", "conferenceSolutionKey": {"type": "zoom"}}}
    error = refused(
        events.insert(
            calendarId="primary", body=body("m3@x", conferenceData=wrong), conferenceDataVersion=1
        )
    )
    assert "Invalid conference type" in str(error)


def test_sync_tokens_page_return_changes_and_expire_like_googles(fake: FakeGoogle) -> None:
    events = calendar(fake).events()
    ids = [
        events.insert(calendarId="primary", body=body(f"m{n}@x")).execute()["id"] for n in range(3)
    ]
    first = events.list(calendarId="primary", maxResults=2).execute()
    assert len(first["items"]) == 2 and "nextSyncToken" not in first
    last = events.list(calendarId="primary", maxResults=2, pageToken=first["nextPageToken"])
    last = last.execute()
    token = last["nextSyncToken"]
    assert "nextPageToken" not in last
    assert events.list(calendarId="primary", syncToken=token).execute()["items"] == []
    fake.calendar_events.respond("m1@x", "ada@example.org", "declined")
    events.delete(calendarId="primary", eventId=ids[2]).execute()
    changed = events.list(calendarId="primary", syncToken=token).execute()
    assert [(e["id"], e["status"]) for e in changed["items"]] == [
        (ids[1], "confirmed"),
        (ids[2], "cancelled"),
    ]
    assert changed["items"][0]["attendees"][0]["responseStatus"] == "declined"
    mixed = refused(
        events.list(calendarId="primary", syncToken=token, timeMin="2026-01-01T00:00:00Z")
    )
    assert mixed.resp.status == 400
    fake.calendar_events.expire_sync_tokens()
    gone = refused(events.list(calendarId="primary", syncToken=changed["nextSyncToken"]))
    assert (gone.resp.status, error_reason(gone)) == (410, "fullSyncRequired")
    assert "a full sync is required" in str(gone)


def test_listing_by_ical_uid_and_time(fake: FakeGoogle) -> None:
    events = calendar(fake).events()
    events.insert(calendarId="primary", body=body("early@x", start="2026-03-04T10:00:00")).execute()
    events.insert(calendarId="primary", body=body("late@x", start="2026-03-09T10:00:00")).execute()
    found = events.list(calendarId="primary", iCalUID="late@x").execute()["items"]
    assert [e["iCalUID"] for e in found] == ["late@x"]
    after = events.list(calendarId="primary", timeMin="2026-03-05T00:00:00Z").execute()["items"]
    assert [e["iCalUID"] for e in after] == ["late@x"]


def test_freebusy_reports_the_users_events_too(fake: FakeGoogle) -> None:
    service = calendar(fake)
    events = service.events()
    events.insert(calendarId="primary", body=body()).execute()
    events.insert(
        calendarId="primary",
        body=body("free@x", start="2026-03-04T12:00:00", transparency="transparent"),
    ).execute()
    gone = events.insert(calendarId="primary", body=body("gone@x", start="2026-03-04T14:00:00"))
    events.delete(calendarId="primary", eventId=gone.execute()["id"]).execute()
    fake.set_busy(
        "primary", [(datetime(2026, 3, 4, 18, tzinfo=UTC), datetime(2026, 3, 4, 19, tzinfo=UTC))]
    )
    answer = (
        service.freebusy()
        .query(
            body={
                "timeMin": "2026-03-04T00:00:00Z",
                "timeMax": "2026-03-05T00:00:00Z",
                "items": [{"id": "primary"}],
            }
        )
        .execute()
    )
    assert answer["calendars"]["primary"]["busy"] == [
        {"start": "2026-03-04T15:00:00Z", "end": "2026-03-04T15:20:00Z"},
        {"start": "2026-03-04T18:00:00Z", "end": "2026-03-04T19:00:00Z"},
    ]
