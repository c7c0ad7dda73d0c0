"""One IMAP connection as the backend uses it: opened on first use, the account's folders found
once (SPECIAL-USE ``\\Drafts`` and ``\\Sent``, else the configured names, else "Drafts" and
"Sent"), a folder selected only when it is not already, and messages removed by UID.

Removing: with UIDPLUS, ``UID EXPUNGE`` of exactly our UIDs. Without it, the message is flagged
``\\Deleted`` and the folder expunged only when nothing else in it is flagged so (an EXPUNGE
would also remove what the user deleted and may still want); otherwise it stays flagged, which
every mail client shows as deleted.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError

from outreach.config import ImapConfig
from outreach.errors import MailError
from outreach.mail.imap_conn import Credentials, open_imap

_APPENDUID = re.compile(rb"\[APPENDUID (\d+) (\d+)\]")


@dataclass(frozen=True)
class Folders:
    drafts: str
    sent: str


def _special(listing: Sequence[tuple[Any, Any, str]], flag: bytes) -> str | None:
    for flags, _, name in listing:
        if any(bytes(f).lower() == flag.lower() for f in flags):
            return str(name)
    return None


class ImapSession:
    """A lazily opened, logged-in connection; ``commands`` counts what it sent."""

    def __init__(
        self,
        config: ImapConfig,
        credentials: Credentials,
        opener: Callable[[ImapConfig, Credentials], IMAPClient] = open_imap,
    ) -> None:
        self.config = config
        self.credentials = credentials
        self._opener = opener
        self._client: IMAPClient | None = None
        self._folders: Folders | None = None
        self._selected: tuple[str, bool] | None = None
        self.validity: dict[str, int] = {}  # UIDVALIDITY of each folder selected

    @property
    def client(self) -> IMAPClient:
        if self._client is None:
            self._client = self._opener(self.config, self.credentials)
            self._selected = None
        return self._client

    def has(self, capability: str) -> bool:
        return bool(self.client.has_capability(capability))

    def close(self) -> None:
        if self._client is not None:
            try:
                self._client.logout()
            except (OSError, IMAPClientError):
                self._client.shutdown()
            self._client = None
            self._selected = None

    def broken(self) -> None:
        """Forget a connection that failed mid-command; the next use opens a new one."""
        if self._client is not None:
            with contextlib.suppress(OSError):
                self._client.shutdown()
        self._client = None
        self._selected = None

    # -- folders ---------------------------------------------------------------------------

    def folders(self) -> Folders:
        if self._folders is None:
            listing = self.client.list_folders()
            names = {str(name) for _, _, name in listing}
            drafts = self.config.drafts_folder or _special(listing, rb"\Drafts") or "Drafts"
            sent = self.config.sent_folder or _special(listing, rb"\Sent") or "Sent"
            for name, key in ((drafts, "drafts_folder"), (sent, "sent_folder")):
                if name not in names:
                    raise MailError(
                        f"The IMAP account has no folder {name!r} (none is flagged SPECIAL-USE "
                        f"for it, so outreach looked for {name!r}).",
                        hint=f"Name the folder in [imap] {key} in config.toml; the folders are: "
                        f"{', '.join(sorted(names))}.",
                    )
            self._folders = Folders(drafts, sent)
        return self._folders

    def assume_folders(self, folders: Folders) -> None:
        """Use folder names found by an earlier run (saves a LIST); :meth:`relist` undoes it."""
        if self._folders is None and not (self.config.drafts_folder or self.config.sent_folder):
            self._folders = folders

    def relist(self) -> None:
        self._folders = None

    def select(self, folder: str, readonly: bool = False) -> int:
        """Select ``folder`` (unless it already is, writable enough); its UIDVALIDITY."""
        if self._selected is None or self._selected[0] != folder or (
            self._selected[1] and not readonly
        ):
            answer = self.client.select_folder(folder, readonly=readonly)
            self.validity[folder] = int(answer[b"UIDVALIDITY"])
            self._selected = (folder, readonly)
        return self.validity[folder]

    # -- messages ----------------------------------------------------------------------------

    def append(self, folder: str, data: bytes, flags: Sequence[bytes]) -> int | None:
        """APPEND a message; its UID when the server says (UIDPLUS), else None."""
        answer = self.client.append(folder, data, flags=tuple(flags))
        found = _APPENDUID.search(answer if isinstance(answer, bytes) else str(answer).encode())
        if found is None:
            return None
        self.validity.setdefault(folder, int(found.group(1)))
        return int(found.group(2))

    def uids_with_message_id(self, folder: str, message_id: str) -> list[int]:
        """UIDs of the (not deleted) messages in ``folder`` with this Message-ID header."""
        self.select(folder)
        inner = message_id.strip().strip("<>")
        if not inner:
            return []
        # HEADER searches for a substring: with its brackets, the id cannot match a longer one.
        found = self.client.search(["NOT", "DELETED", "HEADER", "Message-ID", f"<{inner}>"])
        return sorted(int(uid) for uid in found)

    def exists(self, folder: str, uid: int) -> bool:
        self.select(folder)
        return bool(self.client.search(["UID", str(uid), "NOT", "DELETED"]))

    def fetch_message(self, folder: str, uid: int) -> bytes | None:
        self.select(folder)
        answer = self.client.fetch([uid], ["BODY.PEEK[]"])
        data = answer.get(uid, {}).get(b"BODY[]")
        return bytes(data) if data is not None else None

    def remove(self, folder: str, uids: Sequence[int]) -> None:
        """Remove messages by UID (see the module docstring for servers without UIDPLUS)."""
        if not uids:
            return
        self.select(folder)
        self.client.add_flags(list(uids), [b"\\Deleted"], silent=True)
        if self.has("UIDPLUS"):
            self.client.uid_expunge(list(uids))
            return
        flagged = {int(uid) for uid in self.client.search(["DELETED"])}
        if flagged <= set(uids):
            self.client.expunge()
