"""The reply reader's contract: quoted history is not read, a slot named by position is a
pick (the earliest still free of several), a no is a decline, an auto-reply gives its return
date, and a reading survives a JSON round trip."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from outreach.track.reader import (
    Decline,
    Deferral,
    Handoff,
    OfferedSlot,
    ProposedRange,
    ProposedTime,
    Reading,
    Referral,
    ReturnDate,
    SlotPick,
    read_reply,
    reading_from_json,
    reading_to_json,
    strip_quoted,
)

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
SENT = datetime(2026, 11, 4, 9, 0, tzinfo=UTC)  # a Wednesday


def slot(number: int, day: int, hour: int) -> OfferedSlot:
    start = datetime(2026, 11, day, hour, 0, tzinfo=UTC)
    return OfferedSlot(number, start, start.replace(minute=20))


OFFERED = (slot(1, 5, 15), slot(2, 6, 14), slot(3, 9, 16))


def read(text: str, *, sent_at: datetime = SENT, auto_reply: bool = False) -> Reading:
    return read_reply(text, sent_at=sent_at, sender_zone=None, user_zone=NEW_YORK,
                      offered=OFFERED, auto_reply=auto_reply)


GMAIL_REPLY = """Hi Sam,

The second one works for me.

Best,
Ada

On Mon, Nov 2, 2026 at 10:00 AM Sam Lee <sam@example.edu> wrote:
> Would one of these work?
> 1. Thursday 5 Nov, 10:00
> 3. Monday 9 Nov, 11:00 -- the third one is best for me
"""


def test_quoted_history_and_signature_are_cut() -> None:
    assert strip_quoted(GMAIL_REPLY) == "Hi Sam,\n\nThe second one works for me."


def test_the_second_one_is_a_pick_of_slot_two_with_its_sentence() -> None:
    assert read(GMAIL_REPLY).findings == (SlotPick(2, "The second one works for me."),)


def test_either_of_the_first_two_picks_the_earliest_still_free() -> None:
    later = datetime(2026, 11, 5, 16, 0, tzinfo=UTC)  # slot 1 has passed by then
    assert read("Either of the first two is fine.").first(SlotPick) == SlotPick(
        1, "Either of the first two is fine.")
    assert read("Either of the first two is fine.", sent_at=later).first(SlotPick) == SlotPick(
        2, "Either of the first two is fine.")


def test_none_of_those_is_not_a_pick() -> None:
    assert read("None of those work, sorry.").first(SlotPick) is None


def test_a_no_is_a_decline() -> None:
    reading = read("Thanks for asking, but I'm not able to help at the moment.")
    assert reading.first(Decline) is not None


def test_an_auto_reply_gives_its_return_date() -> None:
    reading = read("I am out of the office until 10 November.\nI will be back on 11 November.",
                   auto_reply=True)
    assert reading.first(ReturnDate) == ReturnDate(date(2026, 11, 11),
                                                   "I will be back on 11 November.")


def test_a_reading_survives_json() -> None:
    reading = Reading(
        (
            SlotPick(2, "the second"),
            ProposedTime(datetime(2026, 11, 10, 10, 0, tzinfo=BERLIN), "how about", False),
            ProposedRange(datetime(2026, 11, 9, 9, tzinfo=BERLIN),
                          datetime(2026, 11, 13, 12, tzinfo=BERLIN), "any morning", True),
            Deferral(date(2026, 11, 16), "next week"),
            Deferral(None, "later"),
            Decline("no"),
            Handoff("Grace Hopper", None, "reach out to Grace"),
            Referral("Grace", "grace@x.com", "also talk to Grace"),
            ReturnDate(date(2026, 11, 14), "back on the 14th"),
        ),
        ("at 7?",),
    )
    data = reading_to_json(reading)
    assert reading_from_json(data) == reading
    assert data["findings"][1] == {"kind": "proposed_time", "at": "2026-11-10T10:00:00+01:00",
                                   "evidence": "how about", "zone_assumed": False}


def test_a_parsed_messages_own_words_keep_their_lines_for_the_reader() -> None:
    """Sync keeps MessageMeta.body (the quote cut, lines kept): the reader gets what it needs
    to drop the signature, whose office hours are not a proposal."""
    from email.message import EmailMessage

    from outreach.track.meta import MessageMeta

    message = EmailMessage()
    message["From"] = "Ada <ada@example.org>"
    message["Subject"] = "Re: A short conversation?"
    message.set_content(
        "Hi Sam,\n\nThe second one works for me.\n\nBest,\nAda\nOffice hours: Tue 2-4pm CET\n\n"
        "On Mon, Nov 2, 2026 at 10:00 AM Sam <sam@example.edu> wrote:\n> 1. Thursday\n"
    )
    body = MessageMeta.from_email(message).body
    assert body.splitlines()[:3] == ["Hi Sam,", "", "The second one works for me."]
    assert read(body).findings == (SlotPick(2, "The second one works for me."),)


def test_text_collapsed_onto_one_line_is_still_cut_at_the_quote() -> None:
    flat = ("Thursday works. Thanks! On Mon, Nov 2, 2026 at 10:00 AM Sam <sam@example.edu> "
            "wrote: > Would Friday at 2pm work?")
    assert strip_quoted(flat) == "Thursday works. Thanks!"
    assert read(flat).findings == (SlotPick(1, "Thursday works."),)


@pytest.mark.parametrize(
    "attribution",
    [
        "On Wed, Nov 4, 2026 at 9:00 AM Sam Rivera <sam@example.edu> wrote:",  # Gmail
        "On 4 Nov 2026, at 09:00, Sam Rivera <sam@example.edu> wrote:",  # Apple Mail
        "Am Mi., 4. Nov. 2026 um 09:00 Uhr schrieb Sam Rivera <sam@example.edu>:",
        "Am 04.11.2026 um 09:00 schrieb Sam Rivera <sam@example.edu>:",
        "Le mer. 4 nov. 2026 à 09:00, Sam Rivera <sam@example.edu> a écrit :",
        "El mié, 4 nov 2026 a las 9:00, Sam Rivera (<sam@example.edu>) escribió:",
        "Il giorno mer 4 nov 2026 alle ore 09:00 Sam Rivera <sam@example.edu> ha scritto:",
        "Op wo 4 nov. 2026 om 09:00 schreef Sam Rivera <sam@example.edu>:",
        "Op 4 nov. 2026 om 09:00 heeft Sam Rivera <sam@example.edu> het volgende geschreven:",
        "Em qua., 4 de nov. de 2026 às 09:00, Sam Rivera <sam@example.edu> escreveu:",
        "No dia 4/11/2026, às 09:00, Sam Rivera <sam@example.edu> escreveu:",
        "Den ons 4 nov. 2026 kl 09:00 skrev Sam Rivera <sam@example.edu>:",
        "4 nov. 2026 kl. 09:00 skrev Sam Rivera <sam@example.edu>:",
        "-----Original Message-----\nFrom: Sam Rivera <sam@example.edu>\nSent: Wednesday",
        "________________________________\nVon: Sam Rivera <sam@example.edu>\nGesendet: Mi",
        "De : Sam Rivera <sam@example.edu>\nEnvoyé : mercredi 4 novembre 2026 09:00",
        "De: Sam Rivera <sam@example.edu>\nEnviado el: miércoles, 4 de noviembre de 2026",
        "Da: Sam Rivera <sam@example.edu>\nInviato: mercoledì 4 novembre 2026 09:00",
        "Van: Sam Rivera <sam@example.edu>\nVerzonden: woensdag 4 november 2026 09:00",
        "De: Sam Rivera <sam@example.edu>\nEnviada em: quarta-feira, 4 de novembro de 2026",
        "Från: Sam Rivera <sam@example.edu>\nSkickat: den 4 november 2026 09:00",
    ],
)
def test_each_clients_quote_header_ends_the_writers_words(attribution: str) -> None:
    text = f"Friday works for me.\n\n{attribution}\n> 1. Thursday 10:00\n> 3. Monday 11:00\n"
    assert strip_quoted(text) == "Friday works for me."


def test_a_line_right_above_the_attribution_is_kept() -> None:
    text = ("On Thursday I can do 10.\nOn Wed, Nov 4, 2026 at 9:00 AM Sam Rivera <\n"
            "sam@example.edu> wrote:\n> Hi\n")
    assert strip_quoted(text) == "On Thursday I can do 10."


@settings(max_examples=150, deadline=None)
@given(text=st.text(max_size=400), auto=st.booleans())
def test_any_text_reads_without_error_and_quotes_itself(text: str, auto: bool) -> None:
    """Whatever arrives (junk, control characters, half a sentence), the reader answers, and
    every finding's evidence is a sentence of the text."""
    reading = read(text, auto_reply=auto)
    flat = " ".join(text.split())
    for finding in reading.findings:
        assert " ".join(finding.evidence.split()) in flat
    assert reading_from_json(reading_to_json(reading)) == reading


@settings(max_examples=60, deadline=None)
@given(words=st.lists(st.sampled_from([
    "Thursday", "Friday", "Monday", "next", "week", "at", "10", "3pm", "works", "not", "none",
    "of", "those", "how", "about", "the", "12th", "CET", "my", "time", "morning", "or", "but",
    "Tuesday", "11/12", "either", "first", "two", "second", "one", "?", ",", ".", "except",
]), max_size=14))
def test_scheduling_word_salad_never_states_a_time_in_the_past(words: list[str]) -> None:
    reading = read(" ".join(words))
    for finding in reading.findings:
        if isinstance(finding, ProposedTime):
            assert finding.at > SENT
        if isinstance(finding, ProposedRange):
            assert finding.end > SENT and finding.start <= finding.end
        if isinstance(finding, SlotPick):
            assert finding.slot in {s.number for s in OFFERED}
