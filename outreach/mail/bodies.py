"""What people wrote, where the backend lets us read it: for `outreach prep`'s thread.

With the local backend, messages that came in are ``.eml`` files in the workspace's
``inbox/`` Maildir, so their text can be shown. With Gmail, outreach holds the
``gmail.metadata`` scope (headers only): bodies are never fetched, and the brief says so.
Only the new words of a reply are kept: quoted history ("On ... wrote:", lines starting
with ">") and the signature are cut, and the rest is capped.
"""

from __future__ import annotations

import email
import email.policy
import re
from collections.abc import Iterable
from email.message import EmailMessage, Message
from email.parser import BytesHeaderParser
from pathlib import Path

from outreach.config import Workspace

__all__ = ["MAX_CHARS", "fresh_words", "local_bodies", "workspace_bodies"]

MAX_CHARS = 600
_MSGID = re.compile(r"<[^<>\s]+>")
_ATTRIBUTION = re.compile(
    r"^(?:On\s.+wrote:|Am\s.+schrieb.+:|Le\s.+a\s+écrit\s*:|El\s.+escribió:|-{2,}\s*Original"
    r"\s+Message\s*-{2,}|_{5,}|From:\s.+)\s*$",
    re.IGNORECASE,
)


def fresh_words(text: str, limit: int = MAX_CHARS) -> str:
    """The new part of a reply: up to the quoted history or the signature, capped."""
    kept: list[str] = []
    for line in text.replace("\r\n", "\n").split("\n"):
        stripped = line.strip()
        if stripped in ("--", "-- ") or line == "-- " or _ATTRIBUTION.match(stripped):
            break
        if stripped.startswith(">"):
            continue
        kept.append(line.rstrip())
    words = "\n".join(kept).strip()
    words = re.sub(r"\n{3,}", "\n\n", words)
    if len(words) > limit:
        words = words[:limit].rsplit(" ", 1)[0].rstrip(",;:") + " …"
    return words


def _plain_text(message: Message) -> str:
    if not isinstance(message, EmailMessage):
        return ""
    part = message.get_body(("plain",))
    if part is None:
        return ""
    try:
        return str(part.get_content())
    except (LookupError, ValueError, AssertionError):  # an unknown charset, a broken part
        return ""


def _files(inbox: Path) -> list[Path]:
    found: list[Path] = []
    for sub in ("new", "cur"):
        folder = inbox / sub
        if folder.is_dir():
            found += [p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")]
    return found


def local_bodies(inbox: Path, message_ids: Iterable[str]) -> dict[str, str]:
    """The fresh words of the inbox messages with these Message-IDs ("<...>"), by id."""
    wanted = set(message_ids)
    found: dict[str, str] = {}
    if not wanted:
        return found
    headers = BytesHeaderParser(policy=email.policy.default)
    for path in _files(inbox):
        try:
            with open(path, "rb") as handle:
                ids = _MSGID.findall(str(headers.parse(handle).get("Message-ID", "")))
                if not ids or ids[0] not in wanted or ids[0] in found:
                    continue
                handle.seek(0)
                message = email.message_from_binary_file(handle, policy=email.policy.default)
        except (OSError, ValueError, TypeError):
            continue  # moved away meanwhile, or not a message: nothing to show
        found[ids[0]] = fresh_words(_plain_text(message))
    return found


def workspace_bodies(workspace: Workspace, message_ids: Iterable[str]) -> dict[str, str]:
    """The fresh words of the workspace inbox's messages with these Message-IDs, by id."""
    return local_bodies(workspace.inbox_dir, message_ids)
