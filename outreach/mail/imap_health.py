"""`outreach doctor`'s check of the IMAP/SMTP backend: log in to both servers over verified
TLS, find the Drafts and Sent folders, send nothing."""

from __future__ import annotations

from collections.abc import Iterable

from outreach.errors import OutreachError
from outreach.mail.health import Check, Diagnosis, fail, ok


def check_imap(doc: Diagnosis) -> Iterable[Check]:
    from outreach.mail.imap import ImapBackend, client_files_sent
    from outreach.mail.smtp_send import probe

    config = doc.config
    try:
        backend = doc.mail()
        assert isinstance(backend, ImapBackend)
        folders = backend.session.folders()
    except OutreachError as exc:
        yield fail("imap", exc.message, exc.hint or "Check [imap] in config.toml.")
        return
    who = f"{backend.session.credentials.username}@{config.imap.host}"
    yield ok("imap", f"{who}: drafts go to {folders.drafts!r}, sent mail is in {folders.sent!r}")
    try:
        probe(config.smtp, backend.smtp_credentials)
    except OutreachError as exc:
        yield fail("smtp", exc.message, exc.hint or "Check [smtp] in config.toml.")
        return
    filer = "outreach" if client_files_sent(config.smtp) else "the server"
    yield ok("smtp", f"{config.smtp.host}:{config.smtp.port} accepts the login; {filer} files "
             "the sent copy ([smtp] sent_copy)")


STEPS = [check_imap]
