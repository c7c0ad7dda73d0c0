"""A real SMTP submission server (aiosmtpd) on 127.0.0.1: STARTTLS on one port, implicit TLS on
another, AUTH only after TLS, and delivery of mail for the account's own address into its
Dovecot INBOX (so a message the user sends to themselves, or a contact's reply, comes back).

It can play the servers that file the sent copy themselves (``files_sent_copy``, as Gmail and
Outlook do) and a connection that drops after DATA was sent (``drop_after_data``: the message
is accepted and delivered, the client never hears so: the outcome is unknown to it).
"""

from __future__ import annotations

import base64
import logging
import ssl
import time
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from tests.realmail.dovecot import Dovecot, free_port

# aiosmtpd warns about its own use of a deprecated attribute on every login.
logging.getLogger("mail.log").setLevel(logging.ERROR)


@dataclass
class Submitted:
    mail_from: str
    recipients: list[str]
    message: EmailMessage
    raw: bytes
    at: int = field(default_factory=time.monotonic_ns)  # when it was accepted


@dataclass
class SubmissionHandler:
    mailbox: Dovecot
    files_sent_copy: bool = False
    drop_after_data: int = 0  # drop the connection after this many more DATA commands
    refuse: set[str] = field(default_factory=set)  # recipients answered 550
    accepted: list[Submitted] = field(default_factory=list)
    logins: list[str] = field(default_factory=list)

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if address in self.refuse:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        raw = bytes(envelope.original_content or envelope.content)
        parsed = message_from_bytes(raw, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        self.accepted.append(Submitted(envelope.mail_from, list(envelope.rcpt_tos), parsed, raw))
        own = self.mailbox.username.casefold()
        if any(rcpt.casefold() == own for rcpt in envelope.rcpt_tos):
            self.mailbox.deliver(raw)
        if self.files_sent_copy:
            self.mailbox.deliver(raw, folder="Sent")
        if self.drop_after_data > 0:
            self.drop_after_data -= 1
            server.transport.abort()
        return "250 2.0.0 Message accepted for delivery"

    async def auth_XOAUTH2(self, server: Any, args: list[str]) -> AuthResult:
        """SASL XOAUTH2 (Google's and Microsoft's format): the initial response is base64 of
        ``user=<name>^Aauth=Bearer <token>^A^A``."""
        if len(args) < 2:  # ["XOAUTH2", initial response]
            return AuthResult(success=False, handled=False)
        decoded = base64.b64decode(args[1]).decode()
        fields = dict(part.split("=", 1) for part in decoded.split("\x01") if "=" in part)
        ok = (
            fields.get("user") == self.mailbox.username
            and fields.get("auth") == f"Bearer {self.mailbox.token}"
        )
        if ok:
            self.logins.append(f"{fields['user']} (XOAUTH2)")
        return AuthResult(success=ok, handled=False)

    def authenticate(
        self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
    ) -> AuthResult:
        if not isinstance(auth_data, LoginPassword):
            return AuthResult(success=False, handled=False)
        user = auth_data.login.decode()
        ok = user == self.mailbox.username and auth_data.password.decode() == self.mailbox.password
        if ok:
            self.logins.append(user)
        return AuthResult(success=ok, handled=False)


@dataclass
class SubmissionServer:
    """Two aiosmtpd servers sharing one handler: ``starttls_port`` (587-style) and
    ``tls_port`` (465-style)."""

    handler: SubmissionHandler
    starttls_port: int
    tls_port: int
    controllers: list[Controller]

    @classmethod
    def start(cls, mailbox: Dovecot, **options: Any) -> SubmissionServer:
        handler = SubmissionHandler(mailbox, **options)
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(mailbox.ca.cert_file, mailbox.ca.key_file)
        common: dict[str, Any] = {
            "hostname": "127.0.0.1",
            "authenticator": handler.authenticate,
            "server_hostname": "localhost",
        }
        starttls = Controller(
            handler,
            port=free_port(),
            tls_context=context,
            require_starttls=True,
            auth_require_tls=True,
            **common,
        )
        # The whole connection is TLS here (aiosmtpd cannot tell, so it is told).
        implicit = Controller(
            handler, port=free_port(), ssl_context=context, auth_require_tls=False, **common
        )
        controllers = [starttls, implicit]
        for controller in controllers:
            controller.start()
        return cls(handler, starttls.port, implicit.port, controllers)

    def stop(self) -> None:
        for controller in self.controllers:
            controller.stop()

    @property
    def accepted(self) -> list[Submitted]:
        return self.handler.accepted
