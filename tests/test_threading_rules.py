"""Where the next message of a conversation goes: one thread, one subject, the whole chain.

The rules are pure (``compose.threading.reply_point``); the last tests check what reaches the
wire through `draft`, against the fake Gmail that applies Gmail's threading rule.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from outreach.compose.threading import ThreadMessage, reply_point

T0 = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)


def ours(n: int, thread: str = "t1", subject: str = "Could I ask about your work?",
         *, sent: bool = True, minutes: int = 0, answers: str | None = None) -> ThreadMessage:
    return ThreadMessage(f"<ours{n}@x>", thread, T0 + timedelta(minutes=minutes), subject,
                         ours=True, sent=sent, answers=answers)


def theirs(n: int, thread: str = "t1", subject: str = "Re: Could I ask about your work?",
           *, minutes: int = 0, person: bool = True) -> ThreadMessage:
    return ThreadMessage(f"<theirs{n}@y>", thread, T0 + timedelta(minutes=minutes), subject,
                         ours=False, moves_thread=person)


def test_nothing_written_yet_means_no_thread() -> None:
    assert reply_point([]) is None


def test_a_reply_answers_their_latest_message_with_the_first_subject_and_whole_chain() -> None:
    point = reply_point([ours(1), theirs(1, minutes=60), ours(2, minutes=90,
                         subject="Re: Could I ask about your work?"), theirs(2, minutes=120)])
    assert point is not None
    assert point.thread_id == "t1"
    assert point.subject == "Re: Could I ask about your work?"
    assert point.in_reply_to == "<theirs2@y>"
    assert point.references == ("<ours1@x>", "<theirs1@y>", "<ours2@x>", "<theirs2@y>")


def test_the_subject_never_drifts_whatever_later_messages_said() -> None:
    """A confirmation rendered as "Confirmed: ..." still goes out as Re: <first subject>."""
    point = reply_point([ours(1), ours(2, subject="Re: Could I ask about your work?",
                                      minutes=5)])
    assert point is not None and point.first_subject == "Could I ask about your work?"
    assert point.subject == "Re: Could I ask about your work?"


def test_an_answer_in_a_thread_of_their_own_moves_the_conversation_there() -> None:
    point = reply_point([ours(1), theirs(1, thread="t2", subject="Coffee chat?", minutes=60)])
    assert point is not None
    assert (point.thread_id, point.subject, point.in_reply_to) == (
        "t2", "Re: Coffee chat?", "<theirs1@y>"
    )
    assert point.references == ("<theirs1@y>",)


def test_auto_replies_and_calendar_answers_never_move_the_conversation() -> None:
    point = reply_point([
        ours(1),
        theirs(1, thread="t9", subject="Accepted: Informational conversation", minutes=30,
               person=False),
        theirs(2, subject="Automatic reply: Could I ask about your work?", minutes=31,
               person=False),
    ])
    assert point is not None
    assert (point.thread_id, point.in_reply_to) == ("t1", "<ours1@x>")


def test_unsent_drafts_are_not_part_of_the_thread_once_something_was_sent() -> None:
    point = reply_point([ours(1), ours(2, sent=False, minutes=10)])
    assert point is not None and point.references == ("<ours1@x>",)
    alone = reply_point([ours(1, sent=False)])
    assert alone is not None and alone.in_reply_to == "<ours1@x>"


def test_within_one_second_a_message_comes_after_the_one_it_answers() -> None:
    answer = ours(2, subject="Re: Could I ask about your work?", answers="<theirs1@y>")
    point = reply_point([ours(1), answer, theirs(1)])  # all at the same second
    assert point is not None and point.in_reply_to == "<ours2@x>"
