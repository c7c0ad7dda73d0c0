"""Reading ``[imap]`` and ``[smtp]`` (the IMAP/SMTP backend) from config.toml; every error names
the file and the key. Split from :mod:`outreach.config_parse` to keep each module one job."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from outreach.config import SECURITY, SENT_COPY, ImapConfig, SmtpConfig
from outreach.errors import ConfigError

if TYPE_CHECKING:
    from outreach.config_parse import _Section

_HOST = re.compile(r"^[A-Za-z0-9.\-:\[\]]+$")
_DEFAULT_PORTS = {("imap", "tls"): 993, ("imap", "starttls"): 143}
_DEFAULT_PORTS |= {("smtp", "tls"): 465, ("smtp", "starttls"): 587}


def _host(section: _Section, required: bool) -> str:
    host = section.string("host", "").strip()
    if host and not _HOST.match(host):
        raise section._error("host", 'a host name such as "imap.example.org"')
    if required and not host:
        raise ConfigError(
            f"{section.path}: [mail] backend = \"imap\" needs [{section.name}] host.",
            hint=f"Add [{section.name}] host = \"...\" to {section.path} (your provider's "
            f"{section.name.upper()} server; config.example.toml shows every key).",
        )
    return host


def _port(section: _Section, security: str) -> int:
    return section.integer("port", _DEFAULT_PORTS[(section.name, security)], 1, 65535)


def parse_imap(section: _Section, *, required: bool) -> ImapConfig:
    """``[imap]``; ``required`` when the backend is "imap" (then host is needed)."""
    section.reject_unknown(set(ImapConfig.__dataclass_fields__))
    security = section.choice("security", ImapConfig.security, SECURITY)
    return ImapConfig(
        host=_host(section, required),
        port=_port(section, security),
        security=security,
        username=section.string("username", ""),
        drafts_folder=section.string("drafts_folder", ""),
        sent_folder=section.string("sent_folder", ""),
        ca_file=section.string("ca_file", ""),
        auth=section.choice("auth", ImapConfig.auth, ("password", "xoauth2")),
    )


def parse_smtp(section: _Section, imap: ImapConfig, *, required: bool) -> SmtpConfig:
    """``[smtp]``; host defaults to nothing (it must be named when the backend is "imap")."""
    section.reject_unknown(set(SmtpConfig.__dataclass_fields__))
    security = section.choice("security", SmtpConfig.security, SECURITY)
    return SmtpConfig(
        host=_host(section, required),
        port=_port(section, security),
        security=security,
        username=section.string("username", ""),
        ca_file=section.string("ca_file", "") or imap.ca_file,
        sent_copy=section.choice("sent_copy", SmtpConfig.sent_copy, SENT_COPY),
    )
