"""Delivery-status reports (RFC 3464): who a bounce is about and what happened, from a parsed
message or from the fields of a ``message/delivery-status`` part. Pure."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from email.message import Message
from email.parser import HeaderParser

from outreach.track.headers import header_text

__all__ = ["DeliveryRecipient", "email_delivery", "recipients", "status_blocks"]


@dataclass(frozen=True)
class DeliveryRecipient:
    """One recipient block of a delivery-status report (RFC 3464)."""

    address: str  # Final-Recipient (else Original-Recipient), lower case
    action: str  # failed, delayed, delivered, relayed, expanded (lower case)
    status: str = ""  # e.g. 5.1.1
    diagnostic: str = ""


def recipients(blocks: Iterable[Mapping[str, str]]) -> tuple[DeliveryRecipient, ...]:
    found = []
    for fields in blocks:
        action = str(fields.get("Action", "")).strip().lower()
        recipient = str(fields.get("Final-Recipient") or fields.get("Original-Recipient") or "")
        if not action or not recipient:
            continue
        address = recipient.split(";", 1)[-1].strip().strip("<>").lower()
        found.append(
            DeliveryRecipient(
                address,
                action,
                str(fields.get("Status", "")).strip(),
                header_text(str(fields.get("Diagnostic-Code", ""))),
            )
        )
    return tuple(found)


def status_blocks(text: str) -> list[dict[str, str]]:
    """The field blocks of a message/delivery-status body (blank-line separated)."""
    parser = HeaderParser()
    blocks = re.split(r"\r?\n\s*\r?\n", text.strip())
    return [
        {name: str(value) for name, value in parser.parsestr(block + "\n").items()}
        for block in blocks
        if block.strip()
    ]


def email_delivery(msg: Message) -> tuple[DeliveryRecipient, ...]:
    for part in msg.walk():
        if part.get_content_type() != "message/delivery-status":
            continue
        blocks = part.get_payload()
        if isinstance(blocks, list):
            return recipients(
                {k: str(v) for k, v in block.items()}
                for block in blocks
                if isinstance(block, Message)
            )
        return recipients(status_blocks(str(blocks)))
    return ()


