"""The conversation world on the Microsoft backend: the fake Outlook mailbox is the user's
mailbox; threads are Outlook's conversations (conversationId)."""

from __future__ import annotations

from email.message import EmailMessage
from pathlib import Path

from tests.conftest import Invoke
from tests.conversation_world import World, is_calendar_answer, parse
from tests.fakemicrosoft.mailbox import Item
from tests.fakemicrosoft.server import FakeMicrosoft


class OutlookWorld(World):
    def __init__(self, home: Path, run: Invoke, outlook: FakeMicrosoft) -> None:
        super().__init__("microsoft", home, run, None)
        self.outlook = outlook
        outlook.set_now(self.now)

    def at(self, text: str) -> None:
        super().at(text)
        self.outlook.set_now(self.now)

    def _items(self, *folders: str) -> list[Item]:
        box = self.outlook.mailbox
        found = [i for folder in folders for i in box.in_folder(folder)]
        return sorted(found, key=lambda i: (i.received, i.change))

    def sent_messages(self) -> list[EmailMessage]:
        return [parse(i.mime) for i in self._items("sentitems")]

    def correspondence(self) -> list[EmailMessage]:
        return [parse(i.mime) for i in self._items("sentitems", "inbox")]

    def _inbound(self) -> list[EmailMessage]:
        return [parse(i.mime) for i in self._items("inbox")]

    def drafts(self) -> list[EmailMessage]:
        return self.outlook.drafts()

    def edit_draft(self, address: str, edited: EmailMessage) -> None:
        """The user changes the draft in Outlook: same id, a new changeKey."""
        [item] = [i for i in self._items("drafts") if address.encode() in i.mime]
        self.outlook.edit_draft_as_user(item.id, edited)

    def delete_draft(self, address: str) -> None:
        """The user deletes the draft in Outlook."""
        [item] = [i for i in self._items("drafts") if address.encode() in i.mime]
        self.outlook.mailbox.remove(item.id)

    def threads(self, address: str, *, calendar_answers: bool = False) -> list:  # type: ignore[type-arg]
        from email.utils import parseaddr

        from tests.conversation_world import Thread

        wanted = address.casefold()
        by_conversation: dict[str, Thread] = {}
        for item in self._items("sentitems", "inbox"):
            message = parse(item.mime)
            if not calendar_answers and is_calendar_answer(message):
                continue
            people = {parseaddr(str(message[h]))[1].casefold() for h in ("From", "To")}
            if wanted in people:
                by_conversation.setdefault(item.conversation_id, Thread()).messages.append(
                    message
                )
        return list(by_conversation.values())

    def _deliver(self, message: EmailMessage) -> None:
        self.outlook.deliver(message)
