"""Where the next message of a conversation goes: which thread, what it answers, its subject.

Pure: the conversation's messages in, a :class:`ReplyPoint` out. The rules (DESIGN.md, "One
thread, one subject"):

- The conversation lives in one thread: the thread of the latest human exchange, ours sent or
  theirs. That is our first message's thread, unless they answered in a new thread of their
  own; then we answer there, as anyone would. Auto-replies, bounces and calendar answers
  ("Accepted: ...") never move the conversation: they are not someone writing to us.
- Every message after the first carries ``Re: <the thread's first subject>``: Gmail keeps a
  message in a thread only when its subject matches, and a subject that drifts with each
  message ("Re: Confirmed: ...", "Re: Updated: ...") splits the conversation.
- ``In-Reply-To`` is the latest message of that thread (theirs when they replied last), and
  ``References`` the whole chain in order, ending with it.
- Drafts that were never sent are not part of the thread the contact sees; they count only
  while nothing at all has been sent (a confirmation drafted beside an unsent first message).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from outreach.compose.mime import base_subject, reply_subject

__all__ = ["ReplyPoint", "ThreadMessage", "reply_point"]


@dataclass(frozen=True)
class ThreadMessage:
    """One message of a conversation, ours or theirs, as threading needs it."""

    message_id: str  # the RFC Message-ID, "<...>" ("" when unknown)
    thread_id: str | None
    at: datetime  # when it was sent (ours) or received (theirs); drafts: when drafted
    subject: str  # as it went on the wire
    ours: bool
    sent: bool = True  # ours: sent (False: still a draft); theirs: always True
    moves_thread: bool = True  # a person writing (not an auto-reply, bounce or RSVP)
    answers: str | None = None  # the Message-ID it replied to, when known
    references: tuple[str, ...] = ()  # theirs: its References (e.g. a forward we never saw)


@dataclass(frozen=True)
class ReplyPoint:
    """Where a reply goes, and what it says it answers."""

    thread_id: str | None
    first_subject: str  # the thread's first subject, without Re:/Aw:/... prefixes
    in_reply_to: str | None
    references: tuple[str, ...]

    @property
    def subject(self) -> str:
        """The Subject the reply carries on the wire."""
        return reply_subject(self.first_subject)


def _in_order(messages: list[ThreadMessage]) -> list[ThreadMessage]:
    """Oldest first. Within one second (a frozen clock, a quick answer) a message comes after
    the one it answers; otherwise theirs comes after ours, as an answer usually does."""
    ordered = sorted(messages, key=lambda m: (m.at, not m.ours))
    for i in range(len(ordered)):
        for j in range(i + 1, len(ordered)):
            if ordered[j].at != ordered[i].at:
                break
            if ordered[i].answers and ordered[i].answers == ordered[j].message_id:
                ordered[i], ordered[j] = ordered[j], ordered[i]
    return ordered


def reply_point(messages: Sequence[ThreadMessage]) -> ReplyPoint | None:
    """Where the next message of this conversation goes; None when nothing was written yet."""
    people = [m for m in messages if m.moves_thread]
    visible = [m for m in people if m.sent]
    if not any(m.ours for m in visible):
        visible += [m for m in people if m.ours and not m.sent]
    if not visible:
        return None
    visible = _in_order(visible)
    thread = next((m.thread_id for m in reversed(visible) if m.thread_id), None)
    in_thread = [m for m in visible if m.thread_id == thread]
    chain = tuple(dict.fromkeys(m.message_id for m in in_thread if m.message_id))
    last = in_thread[-1]
    if last.references and last.message_id:  # their chain, with what we never saw (a forward)
        answered = [*dict.fromkeys(r for r in last.references if r != last.message_id)]
        chain = (*(m for m in chain if m not in answered and m != last.message_id),
                 *answered, last.message_id)
    return ReplyPoint(
        thread_id=thread,
        first_subject=base_subject(in_thread[0].subject),
        in_reply_to=chain[-1] if chain else None,
        references=chain,
    )
