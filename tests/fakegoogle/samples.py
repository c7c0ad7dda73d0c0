"""Inbound mail as Gmail would deliver it, for :meth:`FakeGoogle.deliver`: a reply, an
out-of-office auto-reply (RFC 3834 headers) and a delivery-status bounce (RFC 3464)."""

from __future__ import annotations

from datetime import UTC, datetime
from email.message import EmailMessage, Message
from email.mime.base import MIMEBase
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime, make_msgid, parseaddr

from tests.fakegoogle.state import StoredMessage, parse_message

Original = EmailMessage | StoredMessage | bytes


def _parsed(original: Original) -> EmailMessage:
    if isinstance(original, StoredMessage):
        return original.email
    if isinstance(original, bytes):
        return parse_message(original)
    return original


def _recipient(original: EmailMessage) -> str:
    return parseaddr(str(original.get("To", "")))[1]


def _thread_headers(message: Message, original: EmailMessage) -> None:
    msgid = str(original.get("Message-ID", "")).strip()
    if not msgid:
        return
    references = " ".join(filter(None, [str(original.get("References", "")).strip(), msgid]))
    message["In-Reply-To"] = msgid
    message["References"] = references


def _subject(prefix: str, original: EmailMessage) -> str:
    subject = str(original.get("Subject", ""))
    return subject if subject.lower().startswith(prefix.lower()) else f"{prefix}{subject}"


def reply(
    original: Original,
    body: str = "Happy to chat! Tuesday at 10 works for me.",
    sender: str | None = None,
    when: datetime | None = None,
) -> EmailMessage:
    """A person's reply in the same thread ("Re: ...", In-Reply-To, References)."""
    source = _parsed(original)
    message = EmailMessage()
    message["From"] = sender or str(source.get("To", ""))
    message["To"] = str(source.get("From", ""))
    message["Subject"] = _subject("Re: ", source)
    message["Date"] = format_datetime(when or datetime.now(UTC))
    message["Message-ID"] = make_msgid(domain="reply.example")
    _thread_headers(message, source)
    message.set_content(body)
    return message


def auto_reply(
    original: Original,
    return_date: str | None = "March 9, 2026",
    sender: str | None = None,
    when: datetime | None = None,
) -> EmailMessage:
    """An out-of-office reply: Auto-Submitted: auto-replied, X-Autoreply, "Automatic reply:"."""
    source = _parsed(original)
    message = EmailMessage()
    message["From"] = sender or str(source.get("To", ""))
    message["To"] = str(source.get("From", ""))
    message["Subject"] = _subject("Automatic reply: ", source)
    message["Date"] = format_datetime(when or datetime.now(UTC))
    message["Message-ID"] = make_msgid(domain="autoreply.example")
    message["Auto-Submitted"] = "auto-replied"
    message["X-Autoreply"] = "yes"
    message["Precedence"] = "auto_reply"
    _thread_headers(message, source)
    back = f" until {return_date}" if return_date else ""
    message.set_content(
        f"Thank you for your message. I am out of the office{back} with limited access to email."
    )
    return message


def bounce(
    original: Original, recipient: str | None = None, when: datetime | None = None
) -> Message:
    """Gmail's "Delivery Status Notification (Failure)": multipart/report with a
    message/delivery-status part and the original's headers, from mailer-daemon."""
    source = _parsed(original)
    failed = recipient or _recipient(source)
    report = MIMEMultipart("report")
    report.set_param("report-type", "delivery-status")
    report["From"] = "Mail Delivery Subsystem <mailer-daemon@googlemail.com>"
    report["To"] = str(source.get("From", ""))
    report["Subject"] = "Delivery Status Notification (Failure)"
    report["Date"] = format_datetime(when or datetime.now(UTC))
    report["Message-ID"] = make_msgid(domain="mx.google.com")
    report["Auto-Submitted"] = "auto-replied"
    report["X-Failed-Recipients"] = failed
    _thread_headers(report, source)
    report.attach(
        MIMEText(
            f"Address not found\n\nYour message wasn't delivered to {failed} because the address "
            "couldn't be found, or is unable to receive mail.\n"
        )
    )
    status = MIMEBase("message", "delivery-status")
    per_message = Message()
    per_message["Reporting-MTA"] = "dns; googlemail.com"
    per_recipient = Message()
    per_recipient["Final-Recipient"] = f"rfc822; {failed}"
    per_recipient["Action"] = "failed"
    per_recipient["Status"] = "5.1.1"
    per_recipient["Diagnostic-Code"] = "smtp; 550 5.1.1 The email account does not exist."
    status.set_payload([per_message, per_recipient])
    report.attach(status)
    headers = MIMEText(
        "".join(f"{name}: {value}\n" for name, value in source.items()), "rfc822-headers"
    )
    report.attach(headers)
    return report
