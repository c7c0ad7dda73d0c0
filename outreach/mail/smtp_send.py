"""Handing one message to an SMTP submission server (587 STARTTLS or 465 TLS), and telling
apart the three outcomes that matter for sending once: refused before the message was handed
over (:class:`NotSentError`, safe to try again), accepted, or unknown because the connection
dropped after DATA (:class:`SendOutcomeUnknown`, never retried blindly)."""

from __future__ import annotations

import copy
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import getaddresses, parseaddr

from outreach.config import SmtpConfig
from outreach.errors import AuthError, MailError, NotSentError, SendOutcomeUnknown
from outreach.mail.imap_conn import TIMEOUT_SECONDS, Credentials, smtp_context


def envelope(message: EmailMessage) -> tuple[str, list[str]]:
    """The envelope sender and every recipient (To, Cc, Bcc), as SMTP needs them."""
    sender = parseaddr(str(message.get("From", "")))[1]
    fields = [str(value) for name in ("To", "Cc", "Bcc") for value in message.get_all(name, [])]
    recipients = list(dict.fromkeys(address for _, address in getaddresses(fields) if address))
    return sender, recipients


def wire_bytes(message: EmailMessage) -> bytes:
    """The message as sent: CRLF line ends, and no Bcc header (recipients must not see it)."""
    if "Bcc" in message:
        message = copy.deepcopy(message)
        del message["Bcc"]
    return message.as_bytes(policy=message.policy.clone(linesep="\r\n"))


def _connect(config: SmtpConfig, credentials: Credentials) -> smtplib.SMTP:
    context = smtp_context(config)
    where = f"{config.host}:{config.port}"
    try:
        if config.security == "tls":
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                config.host, config.port, timeout=TIMEOUT_SECONDS, context=context
            )
        else:
            smtp = smtplib.SMTP(config.host, config.port, timeout=TIMEOUT_SECONDS)
            smtp.ehlo()
            if not smtp.has_extn("starttls"):
                smtp.close()
                raise NotSentError(
                    f"The SMTP server {where} does not offer STARTTLS; outreach never logs in "
                    "without TLS.",
                    hint='Use security = "tls" (port 465) in [smtp] of config.toml.',
                )
            smtp.starttls(context=context)
        smtp.ehlo()
    except ssl.SSLCertVerificationError as exc:
        raise NotSentError(
            f"The certificate of the SMTP server {where} could not be verified: "
            f"{exc.verify_message}.",
            hint="If your server uses its own CA, name it in [smtp] ca_file in config.toml.",
        ) from None
    except (OSError, smtplib.SMTPException) as exc:
        raise NotSentError(
            f"Cannot reach the SMTP server {where}: {exc}.",
            hint="Check [smtp] host, port and security in config.toml, and your network.",
        ) from None
    _login(smtp, credentials, where)
    return smtp


def _login(smtp: smtplib.SMTP, credentials: Credentials, where: str) -> None:
    try:
        if credentials.xoauth2:
            token = f"user={credentials.username}\x01auth=Bearer {credentials.secret}\x01\x01"
            smtp.auth("XOAUTH2", lambda challenge=None: token, initial_response_ok=True)
        else:
            smtp.login(credentials.username, credentials.secret)
    except smtplib.SMTPAuthenticationError as exc:
        smtp.close()
        raise AuthError(
            f"The SMTP server {where} refused the login of {credentials.username}: "
            f"{exc.smtp_code} {_text(exc.smtp_error)}.",
            hint="Store the right password with `outreach auth login --imap` (add --smtp when "
            "[smtp] username differs).",
        ) from None
    except (OSError, smtplib.SMTPException) as exc:
        smtp.close()
        raise NotSentError(f"The SMTP server {where} failed during login: {exc}.") from None


def submit(config: SmtpConfig, credentials: Credentials, message: EmailMessage) -> None:
    """Send ``message``; see the module docstring for what each failure means."""
    sender, recipients = envelope(message)
    if not sender or not recipients:
        raise NotSentError("The message has no From address or no recipient.")
    data = wire_bytes(message)
    smtp = _connect(config, credentials)
    where = f"{config.host}:{config.port}"
    try:
        code, answer = smtp.mail(sender)
        if code != 250:
            raise NotSentError(f"The SMTP server {where} refused the sender {sender}: {answer!r}.")
        for recipient in recipients:
            code, answer = smtp.rcpt(recipient)
            if code not in (250, 251):
                raise NotSentError(
                    f"The SMTP server {where} refused the recipient {recipient}: "
                    f"{code} {_text(answer)}."
                )
    except NotSentError:
        _quietly_close(smtp)
        raise
    except (OSError, smtplib.SMTPException) as exc:
        _quietly_close(smtp)
        raise NotSentError(f"The SMTP server {where} failed before the message: {exc}.") from None
    try:
        smtp.data(data)
    except smtplib.SMTPDataError as exc:
        _quietly_close(smtp)
        raise NotSentError(
            f"The SMTP server {where} refused the message: {exc.smtp_code} "
            f"{_text(exc.smtp_error)}."
        ) from None
    except (OSError, smtplib.SMTPException) as exc:
        _quietly_close(smtp)
        raise SendOutcomeUnknown(
            f"The connection to {where} broke after the message was handed over ({exc}); "
            "it may or may not have gone out.",
            hint="Look in your Sent folder and the recipient's answer; outreach will not send "
            "it again on its own (`outreach sync` records it if it went out).",
        ) from None
    _quietly_close(smtp, polite=True)


def _quietly_close(smtp: smtplib.SMTP, polite: bool = False) -> None:
    try:
        if polite:
            smtp.quit()
        else:
            smtp.close()
    except (OSError, smtplib.SMTPException, MailError):
        smtp.close()


def _text(answer: bytes | str) -> str:
    return answer.decode(errors="replace") if isinstance(answer, bytes) else answer


def probe(config: SmtpConfig, credentials: Credentials) -> None:
    """Connect and log in, send nothing (for `outreach doctor`); errors as :func:`submit`'s."""
    _quietly_close(_connect(config, credentials), polite=True)
