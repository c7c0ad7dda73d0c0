"""Connecting to the IMAP and SMTP servers safely: TLS always (implicit, or STARTTLS before any
login), certificates verified against the system's trust store (``SSL_CERT_FILE`` honoured)
plus an optional extra CA, and credentials from the keyring. Every failure becomes a
:class:`~outreach.errors.MailError` naming the config key or the command that fixes it.

IMAPClient (mjs/imapclient) rather than bare imaplib: it parses FETCH, LIST and SELECT
answers (literals, flags, SPECIAL-USE attributes, APPENDUID), so the backend stays small.
"""

from __future__ import annotations

import os
import ssl
from dataclasses import dataclass

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError, LoginError

from outreach.config import ImapConfig, SmtpConfig
from outreach.errors import AuthError, MailError, MailUnreachable

TIMEOUT_SECONDS = 60.0


@dataclass(frozen=True)
class Credentials:
    """Who logs in and with what: a password (or app password), or an OAuth2 access token."""

    username: str
    secret: str
    xoauth2: bool = False


def imap_secret_name(host: str, username: str) -> str:
    return f"imap:{username}@{host}"


def smtp_secret_name(host: str, username: str) -> str:
    return f"smtp:{username}@{host}"


def tls_context(ca_file: str, key: str) -> ssl.SSLContext:
    """The system's trust store (OpenSSL's default paths, so ``SSL_CERT_FILE`` counts), plus
    ``ca_file`` when set; host names are checked."""
    context = ssl.create_default_context()
    if ca_file:
        path = os.path.expanduser(ca_file)
        try:
            context.load_verify_locations(cafile=path)
        except (OSError, ssl.SSLError) as exc:
            raise MailError(
                f"{key} = {ca_file!r} cannot be used as a CA certificate: {exc}.",
                hint=f"Point {key} at a PEM file holding your server's CA, or remove it.",
            ) from None
    return context


def _network_error(what: str, host: str, port: int, key: str, exc: Exception) -> MailError:
    if isinstance(exc, ssl.SSLCertVerificationError):
        return MailError(
            f"The certificate of {what} {host}:{port} could not be verified: "
            f"{exc.verify_message}.",
            hint=f"If your server uses its own CA, name it in {key}.ca_file in config.toml "
            "(or SSL_CERT_FILE); never turn verification off.",
        )
    return MailUnreachable(
        f"Cannot reach {what} {host}:{port}: {exc}.",
        hint=f"Check {key}.host, {key}.port and {key}.security in config.toml, and your "
        "network.",
    )


def open_imap(config: ImapConfig, credentials: Credentials) -> IMAPClient:
    """A logged-in IMAP connection: never a login without TLS."""
    context = tls_context(config.ca_file, "[imap] ca_file")
    implicit = config.security == "tls"
    try:
        client = IMAPClient(
            config.host,
            port=config.port,
            ssl=implicit,
            ssl_context=context,
            timeout=TIMEOUT_SECONDS,
        )
        if not implicit:
            if not client.has_capability("STARTTLS"):
                client.shutdown()
                raise MailError(
                    f"The IMAP server {config.host}:{config.port} does not offer STARTTLS; "
                    "outreach never logs in without TLS.",
                    hint='Use security = "tls" (port 993) in [imap] of config.toml.',
                )
            client.starttls(context)
    except MailError:
        raise
    except (OSError, ssl.SSLError, IMAPClientError) as exc:
        raise _network_error("the IMAP server", config.host, config.port, "[imap]", exc) from None
    try:
        if credentials.xoauth2:
            client.oauth2_login(credentials.username, credentials.secret)
        else:
            client.login(credentials.username, credentials.secret)
    except LoginError as exc:
        client.shutdown()
        raise AuthError(
            f"The IMAP server {config.host} refused the login of {credentials.username}: "
            f"{exc}.",
            hint="Store the right password (an app password if your provider uses them) "
            "with `outreach auth login --imap`.",
        ) from None
    except (OSError, IMAPClientError) as exc:
        raise _network_error("the IMAP server", config.host, config.port, "[imap]", exc) from None
    return client


def smtp_context(config: SmtpConfig) -> ssl.SSLContext:
    return tls_context(config.ca_file, "[smtp] ca_file")

