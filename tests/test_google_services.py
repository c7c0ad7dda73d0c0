"""outreach.google.services: services built offline from bundled discovery documents, every URL
(API, upload, batch, OAuth token) pointed at ``api_root`` when it is set."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import google_auth_httplib2
import httplib2
import pytest
from google.oauth2.credentials import Credentials
from googleapiclient.http import MediaInMemoryUpload

from outreach.google.services import (
    GOOGLE_TOKEN_URI,
    build_service,
    discovery_document,
    normalize_api_root,
    token_uri,
)
from tests.fakegoogle import FakeGoogle
from tests.fakegoogle.fixtures import fake_google  # noqa: F401

ROOT = "http://127.0.0.1:8765/"
RAW = b"From: user@example.com\r\nTo: ada@example.org\r\nSubject: Hi\r\n\r\nHello Ada\r\n"


def test_token_uri_defaults_to_google_and_follows_api_root() -> None:
    assert token_uri("") == GOOGLE_TOKEN_URI == "https://oauth2.googleapis.com/token"
    assert token_uri(ROOT) == "http://127.0.0.1:8765/token"
    assert token_uri("http://127.0.0.1:8765") == "http://127.0.0.1:8765/token"
    assert token_uri("http://proxy.local/google/") == "http://proxy.local/google/token"


@pytest.mark.parametrize("bad", ["127.0.0.1:8765", "ftp://host/", "http://", "http://h/?x=1"])
def test_api_root_must_be_an_http_url(bad: str) -> None:
    with pytest.raises(ValueError, match="api_root"):
        normalize_api_root(bad)


def test_discovery_document_rewrites_every_root() -> None:
    gmail = discovery_document("gmail", ROOT)
    assert gmail["rootUrl"] == ROOT
    assert gmail["mtlsRootUrl"] == ROOT
    assert gmail["batchPath"] == "batch"  # stays relative to rootUrl
    assert gmail["servicePath"] == ""
    calendar = discovery_document("calendar", ROOT)
    assert calendar["rootUrl"] == ROOT
    assert calendar["baseUrl"] == ROOT + "calendar/v3/"
    assert discovery_document("gmail")["rootUrl"] == "https://gmail.googleapis.com/"
    # A fresh copy every time: building a service mutates the document it is given.
    gmail["rootUrl"] = "mutated"
    assert discovery_document("gmail", ROOT)["rootUrl"] == ROOT


def test_every_url_points_at_api_root_without_network() -> None:
    gmail = build_service("gmail", None, api_root=ROOT)
    users = gmail.users()
    assert users.drafts().list(userId="me").uri.startswith(f"{ROOT}gmail/v1/users/me/drafts?")
    media = MediaInMemoryUpload(RAW, mimetype="message/rfc822")
    upload = users.drafts().create(userId="me", body={"message": {}}, media_body=media)
    assert upload.uri.startswith(f"{ROOT}upload/gmail/v1/users/me/drafts?")
    assert "uploadType=multipart" in upload.uri
    simple = users.messages().send(userId="me", media_body=media)
    assert simple.uri.startswith(f"{ROOT}upload/gmail/v1/users/me/messages/send?")
    assert "uploadType=media" in simple.uri
    assert gmail.new_batch_http_request()._batch_uri == f"{ROOT}batch"

    calendar = build_service("calendar", None, api_root=ROOT)
    assert calendar.freebusy().query(body={}).uri.startswith(f"{ROOT}calendar/v3/freeBusy?")
    assert calendar.new_batch_http_request()._batch_uri == f"{ROOT}batch/calendar/v3"


def test_without_api_root_the_real_endpoints_are_used() -> None:
    gmail = build_service("gmail", None)
    assert gmail.users().drafts().list(userId="me").uri.startswith(
        "https://gmail.googleapis.com/gmail/v1/users/me/drafts?"
    )
    assert gmail.new_batch_http_request()._batch_uri == "https://gmail.googleapis.com/batch"


def test_credentials_wrap_the_given_transport() -> None:
    credentials = Credentials(token="t")
    transport = httplib2.Http(timeout=3)
    service = build_service("gmail", credentials, api_root=ROOT, http=transport)
    http = service._http
    assert isinstance(http, google_auth_httplib2.AuthorizedHttp)
    assert http.http is transport
    assert http.credentials is credentials
    assert build_service("gmail", None, api_root=ROOT, timeout=7)._http.timeout == 7


def test_unknown_api_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown Google API"):
        build_service("drive", None)  # type: ignore[arg-type]


def test_importing_the_package_does_not_import_the_client() -> None:
    code = "import sys, outreach.google; sys.exit('googleapiclient' in sys.modules)"
    root = Path(__file__).resolve().parents[1]
    result = subprocess.run([sys.executable, "-c", code], cwd=root, check=False)
    assert result.returncode == 0


def test_uploads_batches_and_token_refresh_reach_api_root(fake_google: FakeGoogle) -> None:  # noqa: F811
    fake = fake_google
    fake.set_access_token(None)  # the first call must refresh through {api_root}token
    info = fake.authorized_user_info(refresh_token="refresh-1")
    credentials = Credentials(
        token=None, refresh_token="refresh-1", client_id=info["client_id"],
        client_secret=info["client_secret"], token_uri=token_uri(fake.url),
    )
    gmail = build_service("gmail", credentials, api_root=fake.url)
    media = MediaInMemoryUpload(RAW, mimetype="message/rfc822")
    draft = gmail.users().drafts().create(userId="me", body={"message": {}},
                                          media_body=media).execute()
    batch = gmail.new_batch_http_request()
    batch.add(gmail.users().drafts().get(userId="me", id=draft["id"], format="minimal"))
    batch.add(gmail.users().getProfile(userId="me"))
    batch.execute()

    paths = [path for _, path, _ in fake.requests]
    assert paths == ["/token", "/upload/gmail/v1/users/me/drafts", "/batch"]
    assert credentials.token and credentials.token.startswith("ya29.fake-")
    assert [d.message.raw for d in fake.drafts()] == [RAW]
