"""Attachments: what a message says it carries, it carries.

Played on both backends, every message parsed back: a promised résumé goes with the
thank-you (``[user] resume``); ``--attach`` adds a file; `send` refuses a message that says
"I'm including my résumé" and carries nothing (``--yes`` does not override,
``--no-attachment-check`` does); on Gmail a large message goes through the upload endpoint,
and one over Gmail's limit is refused with a clear reason.
"""

from __future__ import annotations

import io
from email.message import EmailMessage
from pathlib import Path

import pytest
from googleapiclient.errors import HttpError, MediaUploadSizeError
from googleapiclient.http import MediaIoBaseUpload

from outreach.google.services import authorized_http
from outreach.mail.gmail import encode_raw
from tests.conversation_world import World, text_of
from tests.fakegoogle.server import FakeGoogle
from tests.test_conversations import world as every_backend_world
from tests.test_fakegoogle import USER, credentials, gmail

world = every_backend_world  # local, gmail, imap, microsoft

ADA = "ada@example.org"
RESUME = b"%PDF-1.4\n% Sam Rivera, resume\n" + bytes(range(256)) * 40


def attachments(message: EmailMessage) -> dict[str, bytes]:
    found = {}
    for part in message.iter_attachments():
        assert isinstance(part, EmailMessage)
        payload = part.get_payload(decode=True)
        assert isinstance(payload, bytes)
        found[str(part.get_filename())] = payload
    return found


def booked_and_met(world: World, promise: str) -> None:
    world.ok("contacts", "add", ADA, "--name", "Ada Lovelace", "--org", "Analytical Engines")
    world.ok("draft", "outreach", ADA)
    world.ok("send", "--yes")
    world.at("2026-03-02 14:00")
    world.reply(ADA, "Happy to! The second time works for me.")
    world.ok("sync")
    world.ok("book", ADA, "--slot", "2", "--send")
    world.at("2026-03-04 16:00")
    world.ok("met", ADA, "--notes", "start with the data, not the model",
             "--takeaways", "take the battery systems course", "--promise", promise)


def set_resume(world: World, path: Path) -> None:
    config = world.home / "config.toml"
    text = config.read_text()
    config.write_text(text.replace("[user]\n", f'[user]\nresume = "{path}"\n', 1))


def test_a_promised_resume_goes_with_the_thank_you(world: World, tmp_path: Path) -> None:
    resume = tmp_path / "Sam Rivera resume.pdf"
    resume.write_bytes(RESUME)
    set_resume(world, resume)
    booked_and_met(world, "send my résumé")
    drafted = world.ok("followup")
    assert "attached Sam Rivera resume.pdf ([user] resume)" in drafted
    world.ok("send", "--yes")
    thanks = world.received(ADA)[-1]
    assert "As promised, I'm including my résumé" in text_of(thanks)
    assert attachments(thanks) == {"Sam Rivera resume.pdf": RESUME}
    assert thanks.get_content_type() == "multipart/mixed"


def test_send_refuses_a_message_that_says_it_includes_what_it_does_not(world: World) -> None:
    booked_and_met(world, "send my résumé")  # no [user] resume: nothing can be attached
    drafted = world.ok("followup")
    assert "attach my résumé before you send it" in drafted
    refused = world.cli("send", "--yes")
    assert refused.exit_code == 1
    assert "not sent Ada Lovelace <ada@example.org>: it says \"I'm including my résumé\" but " \
        "nothing is attached" in refused.output
    assert len(world.received(ADA)) == 2  # the first message and the invite only
    sent = world.ok("send", "--yes", "--no-attachment-check")
    assert "Ada Lovelace" in sent
    assert "I'm including my résumé" in text_of(world.received(ADA)[-1])


def test_attach_adds_a_file_to_a_draft(world: World, tmp_path: Path) -> None:
    sample = tmp_path / "writing-sample.txt"
    sample.write_text("A short essay on demand forecasting.\n")
    world.ok("contacts", "add", ADA, "--name", "Ada Lovelace")
    world.ok("draft", "outreach", ADA, "--attach", str(sample))
    world.ok("send", "--yes")
    [first] = world.received(ADA)
    assert attachments(first) == {"writing-sample.txt": b"A short essay on demand forecasting.\n"}
    assert "Hi Ada," in text_of(first)


def test_attach_names_a_missing_file_and_drafts_nothing(world: World, tmp_path: Path) -> None:
    world.ok("contacts", "add", ADA, "--name", "Ada Lovelace")
    missing = world.cli("draft", "outreach", ADA, "--attach", str(tmp_path / "nope.pdf"))
    assert missing.exit_code == 1
    assert "Cannot attach" in missing.output and "nope.pdf: there is no such file" in (
        missing.output
    )
    assert world.drafts() == []


def test_a_large_message_goes_through_the_upload_endpoint(world: World, tmp_path: Path) -> None:
    if world.fake is None:
        pytest.skip("the upload endpoint is Gmail's")
    big = tmp_path / "portfolio.pdf"
    big.write_bytes(b"%PDF-1.4\n" + bytes(range(256)) * (6 * 1024 * 4))  # 6 MB
    world.ok("contacts", "add", ADA, "--name", "Ada Lovelace")
    world.ok("draft", "outreach", ADA, "--attach", str(big))
    uploads = [c for c in world.fake.calls if c.path.startswith("/upload/gmail/")]
    assert uploads and all(c.status in (200, 308) for c in uploads), uploads
    assert any("uploadType=resumable" in c.query for c in uploads)
    world.ok("send", "--yes")
    [first] = world.received(ADA)
    assert attachments(first) == {"portfolio.pdf": big.read_bytes()}


def test_the_fake_takes_messages_the_way_gmail_does(fake_google: FakeGoogle) -> None:
    """Through the real client: a message over 5 MB in the JSON body is refused (413), the
    same through the upload endpoint is taken, and one over 35 MB is refused there too."""
    service = gmail(fake_google)
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = USER, ADA, "Portfolio"
    message.set_content("Hi Ada, here it is.\n")
    message.add_attachment(bytes(range(256)) * (22 * 1024), maintype="application",
                           subtype="pdf", filename="portfolio.pdf")
    raw = message.as_bytes()
    assert len(raw) > 5 * 1024 * 1024
    drafts = service.users().drafts()
    with pytest.raises(HttpError) as refused:
        drafts.create(userId="me", body={"message": {"raw": encode_raw(message)}}).execute()
    assert refused.value.status_code == 413

    upload = MediaIoBaseUpload(io.BytesIO(raw), mimetype="message/rfc822", resumable=True)
    created = drafts.create(userId="me", body={"message": {}}, media_body=upload).execute()
    [stored] = fake_google.drafts()
    assert stored.id == created["id"] and stored.message.raw.replace(b"\r\n", b"\n") == (
        raw.replace(b"\r\n", b"\n")
    )

    # Over 35 MB the client itself refuses (the discovery document's maxSize), and so does
    # the fake when asked without the client's check.
    huge = MediaIoBaseUpload(io.BytesIO(b"x" * 36_700_161), mimetype="message/rfc822",
                             resumable=True)
    with pytest.raises(MediaUploadSizeError):
        drafts.create(userId="me", body={"message": {}}, media_body=huge).execute()
    transport = authorized_http(credentials(fake_google))
    answer, _ = transport.request(
        f"{fake_google.url}/upload/gmail/v1/users/me/drafts?uploadType=resumable", "POST",
        body=b"{}", headers={"Content-Type": "application/json",
                             "X-Upload-Content-Type": "message/rfc822",
                             "X-Upload-Content-Length": "36700161"},
    )
    assert answer.status == 413
