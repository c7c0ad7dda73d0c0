"""Values the pipeline rules work on: what the store knows about a contact, summarised.

The store computes :class:`ContactFacts` in one query; the pure rules in ``track.pipeline`` turn
them into a stage and due actions. Nothing here does I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from outreach.track.reader.findings import Handoff, Reading, Referral


class Stage(StrEnum):
    NEW = "new"
    DRAFTED = "drafted"
    SENT = "sent"
    REPLIED = "replied"
    SCHEDULED = "scheduled"
    MET = "met"
    THANKED = "thanked"
    BOUNCED = "bounced"
    CLOSED = "closed"


STAGES: tuple[str, ...] = tuple(stage.value for stage in Stage)


class EventKind(StrEnum):
    REPLY = "reply"
    AUTO_REPLY = "auto_reply"
    BOUNCE = "bounce"
    OWN_SEND = "own_send"
    RSVP = "rsvp"  # an answer to an invite: accepted, declined or tentative (in ``detail``)
    OTHER = "other"  # in a tracked thread but not about the contact (ignored by rules)


class Action(StrEnum):
    FOLLOW_UP = "follow_up"
    BOOK = "book"
    PROPOSE_TIMES = "propose_times"  # the times offered are over, or the invite was declined
    THANK_YOU = "thank_you"
    REACH_REFERRAL = "reach_referral"
    KEEP_IN_TOUCH = "keep_in_touch"
    CLOSE = "close"  # no reply after the nudge's time: close as "no reply", or keep in touch
    PREPARE = "prepare"  # the working day before a meeting: read the brief (`outreach prep`)
    PROMISE = "promise"  # something promised in a conversation, until it is marked done
    CONGRATULATE = "congratulate"  # a new job seen on a re-import
    RESCHEDULE = "reschedule"  # after the booking they proposed another time
    CONFIRM_MEETING = "confirm_meeting"  # a meeting passed, nothing recorded: did it happen?
    READ_REPLY = "read_reply"  # a message from their side nothing else in `due` answers
    ADD_REFERRAL = "add_referral"  # someone a reply named, not yet a contact
    ADD_THEIR_SIDE = "add_their_side"  # someone new writing for the contact: colleague, assistant


class Rsvp(StrEnum):
    """An attendee's answer to an invite (iTIP PARTSTAT)."""

    ACCEPTED = "accepted"
    DECLINED = "declined"
    TENTATIVE = "tentative"


@dataclass(frozen=True)
class OpenPromise:
    """Something the user promised in a conversation ("send my résumé"), not yet done."""

    promise_id: int
    text: str
    made_at: datetime


@dataclass(slots=True)
class ContactFacts:
    """Everything the rules need about one contact, with times as aware datetimes.

    Built for every contact by each `due` and `status` (10,000 at a time): slots and a plain
    ``__init__`` keep that cheap; treat it as a value all the same (``dataclasses.replace``).
    """

    contact_id: int
    email: str | None
    name: str
    referred_by: int | None = None
    closed: bool = False
    closed_reason: str = ""  # why it was closed: "declined", "no reply", ...
    created_at: datetime | None = None  # when the contact was added (referrals: due from then)
    drafted: int = 0  # messages in state drafted (not yet sent)
    first_sent_at: datetime | None = None  # first outreach/referral message sent
    last_sent_at: datetime | None = None  # any message of ours sent (or seen sent by sync)
    followups_sent: int = 0  # nudges sent since the first outreach
    followup_drafted: bool = False  # a nudge is drafted, waiting to be sent
    last_reply_at: datetime | None = None
    bounced_at: datetime | None = None
    auto_reply_at: datetime | None = None  # latest out-of-office
    auto_reply_return: date | None = None  # its stated return date, if any
    meeting_state: str | None = None  # latest meeting: scheduled, cancelled, held
    meeting_start: datetime | None = None
    meeting_end: datetime | None = None
    met_at: datetime | None = None  # when `outreach met` recorded the conversation
    thankyou_sent_at: datetime | None = None
    thankyou_drafted: bool = False
    last_keepintouch_at: datetime | None = None
    keepintouch_drafted: bool = False  # a keep-in-touch note is drafted, waiting to be sent
    newtimes_sent_at: datetime | None = None  # new times proposed (after a late reply, a decline)
    newtimes_drafted: bool = False
    outreach_drafted: bool = False  # a first message (outreach, referral) drafted, not sent
    meeting_rsvp: str | None = None  # their answer to the latest meeting's invite
    meeting_changed_at: datetime | None = None  # the latest meeting's last change
    invite_drafted: bool = False  # the latest meeting's invite is drafted, not sent
    offered_until: datetime | None = None  # end of the latest slot ever offered to them
    tags: tuple[str, ...] = ()  # their tags: the keep-in-touch interval may depend on them
    mention_referrer: bool | None = None  # may the first note name the referrer (None: yes)
    meeting_prepared_at: datetime | None = None  # when `outreach prep` ran for the meeting
    open_promises: tuple[OpenPromise, ...] = ()  # promises made and not yet marked done
    job_changed_at: datetime | None = None  # latest change of organisation or title seen
    job_change: str = ""  # what it was, e.g. "Data Scientist at Acme -> Head of Data at Initech"
    congratulate_sent_at: datetime | None = None
    congratulate_drafted: bool = False
    last_message_at: datetime | None = None  # their side's latest written reply (not an RSVP)
    replies_seen_at: datetime | None = None  # replies up to then were read or dismissed
    reading: Reading | None = None  # what their latest written reply said (None: not read)
    people_to_add: tuple[Referral | Handoff, ...] = ()  # named in it, not contacts yet
    # Someone new writing for them (in their thread, or copying them): (address, name, when).
    their_side_new: tuple[tuple[str, str, datetime], ...] = ()
    handed_to: int | None = None  # the colleague who took the conversation over
    picked_start: datetime | None = None  # when the offered time their reply picked starts

    @property
    def last_exchange_at(self) -> datetime | None:
        """The latest moment either side wrote or met: resets keep-in-touch."""
        moments = [
            m
            for m in (self.last_sent_at, self.last_reply_at, self.met_at, self.congratulate_sent_at)
            if m is not None
        ]
        return max(moments) if moments else None


@dataclass(frozen=True)
class DueAction:
    """One thing to do: ``due`` is when it became due; overdue past its deadline.

    ``drafted``: the message that does it is already drafted and only waits to be sent.
    """

    contact_id: int
    action: Action
    due: datetime
    overdue: bool
    reason: str
    drafted: bool = False
    item_id: int | None = None  # a promise's id: a contact can have several due at once
    # What a reply said that this action acts on, as (key, value) pairs for `due --json`:
    # ("slot", 2), ("proposed", "2026-11-10T10:00:00+01:00"), ("evidence", "..."), ...
    details: tuple[tuple[str, object], ...] = ()

    def detail(self, key: str) -> object:
        """One of ``details`` (None when absent)."""
        return next((value for name, value in self.details if name == key), None)
