"""`outreach met` and `outreach referrals`: conversations held, what was said, who was suggested.

``met`` records the conversation on the contact's booked meeting (or, when nothing was booked,
on a new one of the configured length that ends now: a call by phone or a chat in a corridor),
with notes (what they said) and takeaways (what the user will do); each referral becomes a
contact with ``referred_by`` (an existing contact keeps its fields and only gains
``referred_by`` when it has none). It is all one transaction, after every referral has been
checked.

The same module turns a meeting into what templates see as ``meeting`` (thank-you, keep-in-
touch), and builds the referral tree.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from outreach.app import AppContext
from outreach.clock import iso
from outreach.contacts.model import Contact, ContactRecord
from outreach.contacts.validate import normalise_record, split_name_addr
from outreach.errors import ContactError
from outreach.schedule.invites import new_uid
from outreach.store import Store
from outreach.store.meetings import MeetingRow
from outreach.store.promises import PromiseRow
from outreach.track.model import Stage
from outreach.track.pipeline import stage

__all__ = [
    "MetResult",
    "ReferralNode",
    "parse_referral",
    "record_meeting",
    "referral_tree",
]

REFERRAL_SYNTAX = (
    '"Name <email>" (for example "Grace Hopper <grace@example.com>"), or just a name '
    '("Bob at RMI") until you have their address'
)
# "Bob at RMI", "Bob @ RMI" or "Bob (RMI)": a name and where they work.
_NAME_AT_ORG = re.compile(
    r"^(?P<name>.+?)\s+(?:at|@)\s+(?P<org>.+)$|^(?P<n2>.+?)\s*\((?P<o2>.+)\)$"
)


def parse_referral(text: str) -> ContactRecord:
    """A referral argument as a contact record; ContactError naming the argument if bad.

    "Name <email>" or an address gives a reachable contact; a name alone ("Bob at RMI",
    "Bob (RMI)") gives one without an address, unreachable until one is added.
    """
    name, address = split_name_addr(text)
    if "<" in text or "@" in address.replace(" @ ", " at "):
        if not address or "@" not in address:
            raise ContactError(
                f"--referral {text!r} is not a name and an email address.",
                hint=f"Write it as {REFERRAL_SYNTAX}.",
            )
    else:
        return _name_only(text)
    try:
        return normalise_record(ContactRecord(name=name, email=address, source="referral"))
    except ContactError as exc:
        raise ContactError(
            f"--referral {text!r}: {exc.message}.", hint=f"Write it as {REFERRAL_SYNTAX}."
        ) from None


def _name_only(text: str) -> ContactRecord:
    clean = " ".join(text.split())
    if not clean:
        raise ContactError("--referral is empty.", hint=f"Write it as {REFERRAL_SYNTAX}.")
    match = _NAME_AT_ORG.match(clean)
    name, org = clean, ""
    if match:
        name = (match.group("name") or match.group("n2")).strip()
        org = (match.group("org") or match.group("o2")).strip()
    try:
        return normalise_record(ContactRecord(name=name, org=org, source="referral"))
    except ContactError as exc:
        raise ContactError(
            f"--referral {text!r}: {exc.message}.", hint=f"Write it as {REFERRAL_SYNTAX}."
        ) from None


@dataclass
class MetResult:
    contact: Contact
    meeting: MeetingRow
    created_meeting: bool  # nothing was booked: a meeting row was made for the record
    added: list[Contact] = field(default_factory=list)  # new contacts from referrals
    linked: list[Contact] = field(default_factory=list)  # existing contacts now referred_by
    unchanged: list[Contact] = field(default_factory=list)  # already referred by someone
    known: list[Contact] = field(default_factory=list)  # already referred by this contact
    promises: list[PromiseRow] = field(default_factory=list)  # promises newly recorded
    unchanged_named: list[Contact] = field(default_factory=list)  # name-only, already known


def record_meeting(
    app: AppContext,
    ref: str,
    *,
    notes: str | None,
    takeaways: str | None,
    referrals: Sequence[str] = (),
    unnamed_referrals: Sequence[str] = (),
    resources: str | None = None,
    promises: Sequence[str] = (),
) -> MetResult:
    """Record a conversation with ``ref`` as held now; see the module docstring.

    ``notes``/``takeaways``/``resources`` of None leave what is stored (re-running ``met``
    only adds). ``unnamed_referrals`` are referrals whose first note may not name ``ref``;
    ``promises`` are what the user promised ("send my résumé"), due until marked done.
    """
    store = app.store
    contact = store.contacts.get(ref)
    referrals = [*referrals, *unnamed_referrals]
    records = [parse_referral(text) for text in referrals]
    mention = [True] * (len(referrals) - len(unnamed_referrals)) + [False] * len(
        unnamed_referrals
    )
    own = app.config.user.email.casefold()
    for text, record in zip(referrals, records, strict=True):
        address = (record.email or "").casefold()
        if address == own:
            raise ContactError(
                f"--referral {text!r} is your own address.",
                hint="Give the address of the person you were referred to.",
            )
        if contact.email and address == contact.email.casefold():
            raise ContactError(
                f"--referral {text!r} is {contact.label()} themself.",
                hint="Give the address of the person they suggested you talk to.",
            )
    stamp = iso(app.now())
    with store.transaction():
        latest = store.meetings.latest(contact.id)
        created = latest is None or latest.state not in ("scheduled", "held", "missed")
        if created:
            # Nothing was booked (a call by phone, a chat in a corridor): a conversation of
            # the length asked for, ending now.
            minutes = timedelta(minutes=app.config.schedule.meeting_minutes)
            latest = store.meetings.create(
                contact_id=contact.id,
                start=iso(app.now() - minutes),
                end=stamp,
                uid=new_uid(app.config.user.email.rpartition("@")[2] or "outreach.local"),
                now=stamp,
            )
        assert latest is not None
        changes: dict[str, object] = {"state": "held", "met_at": latest.met_at or stamp}
        if notes is not None:
            changes["notes"] = notes.strip()
        if takeaways is not None:
            changes["takeaways"] = takeaways.strip()
        if resources is not None:
            changes["resources"] = resources.strip()
        store.meetings.update(latest.id, stamp, **changes)
        result = MetResult(contact, store.meetings.by_id(latest.id), created)
        result.promises = store.promises.add(contact.id, latest.id, promises, stamp)
        for record, may_name in zip(records, mention, strict=True):
            if record.email is None:
                _add_by_name(store, contact, record, may_name, stamp, result)
                continue
            existing = store.contacts.find(record.email)
            if existing is None:
                store.contacts.upsert([record], stamp, referred_by=contact.id)
                added = store.contacts.get(record.email)
                store.contacts.update(added.id, stamp, mention_referrer=int(may_name))
                result.added.append(store.contacts.get(added.id))
            elif existing.referred_by is None:
                store.contacts.update(
                    existing.id, stamp, referred_by=contact.id, mention_referrer=int(may_name)
                )
                result.linked.append(store.contacts.get(existing.id))
            elif existing.referred_by == contact.id:
                if existing.mention_referrer != may_name:  # a second thought about the name
                    store.contacts.update(existing.id, stamp, mention_referrer=int(may_name))
                result.known.append(store.contacts.get(existing.id))
            else:
                result.unchanged.append(existing)
    return result


def _add_by_name(
    store: Store,
    referrer: Contact,
    record: ContactRecord,
    may_name: bool,
    stamp: str,
    result: MetResult,
) -> None:
    """A referral known only by name: one contact per name and referrer (re-running `met`
    finds the same one), unreachable until an address is added."""
    for known in store.contacts.referred_by(referrer.id):
        if known.name.casefold() == record.name.casefold():
            if known.mention_referrer is not may_name:  # a second thought about the name
                store.contacts.update(known.id, stamp, mention_referrer=int(may_name))
            result.unchanged_named.append(store.contacts.get(known.id))
            return
    key = f"referral:{referrer.id}:{record.name.casefold()}"
    contact_id = store.contacts.add_unaddressed(record, stamp, key=key, referred_by=referrer.id)
    store.contacts.update(contact_id, stamp, mention_referrer=int(may_name))
    result.added.append(store.contacts.get(contact_id))


# --- the referral tree --------------------------------------------------------------------


@dataclass
class ReferralNode:
    contact: Contact
    stage: Stage
    children: list[ReferralNode] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "contact": self.contact.email or str(self.contact.id),
            "name": self.contact.name,
            "stage": self.stage.value,
            "referrals": [child.to_json() for child in self.children],
        }


def referral_tree(store: Store) -> list[ReferralNode]:
    """Who referred whom: one tree per contact who referred someone and was not referred
    (cycles, which edits can make, are cut where they close)."""
    contacts = store.contacts.all()
    facts = store.facts()
    by_id = {c.id: c for c in contacts}
    children: dict[int, list[Contact]] = {}
    for contact in contacts:
        if contact.referred_by is not None and contact.referred_by in by_id:
            children.setdefault(contact.referred_by, []).append(contact)
    placed: set[int] = set()

    def grow(contact: Contact) -> ReferralNode:
        placed.add(contact.id)
        node = ReferralNode(contact, stage(facts[contact.id]))
        for child in children.get(contact.id, []):
            if child.id not in placed:
                node.children.append(grow(child))
        return node

    roots = [
        grow(c)
        for c in contacts
        if c.id in children and (c.referred_by is None or c.referred_by not in by_id)
    ]
    for contact in contacts:  # members of a cycle have no root above them
        if contact.id in children and contact.id not in placed:
            roots.append(grow(contact))
    return roots
