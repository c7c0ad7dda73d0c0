"""Keep in touch that closes the loop: the note to someone who referred people says what came
of each referral; the interval can differ per tag; any exchange, in either direction and in
any thread, starts it again."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from outreach.compose.followthrough import promised, referral_news
from outreach.config import FollowupConfig, parse_config
from outreach.errors import ConfigError
from outreach.track.model import Action, ContactFacts
from outreach.track.pipeline import contact_due_actions
from tests.conftest import Invoke
from tests.helpers_network import (
    answer,
    app_for,
    now,
    ok,
    one_line,
    outbox_messages,
    priya_met_and_referred_maya,
    text_of,
)
from tests.helpers_sync import USER, at
from tests.test_sync_local import drop

PRIYA = "priya@example.com"
NY = ZoneInfo("America/New_York")


@pytest.fixture
def network(workspace: Path, run: Invoke) -> Path:
    """Priya referred four people in March: Maya (met, and she in turn introduced Grace),
    Alan (a conversation booked for June), Edsger (written to, never answered) and Ken (who
    declined)."""
    priya_met_and_referred_maya(workspace, run)
    answer(workspace, "maya@example.org", "2026-03-05 09:00")
    ok(run("sync", env=now("2026-03-05T10:00:00-05:00")))
    ok(run("met", "maya@example.org", "--notes", "holidays break demand models",
           "--referral", "Grace Hopper <grace@example.com>", env=now("2026-03-12T15:00:00-04:00")))
    for address, name in [("alan@example.org", "Alan Turing"), ("edsger@example.org",
                          "Edsger Dijkstra"), ("ken@example.org", "Ken Thompson")]:
        ok(run("contacts", "add", address, "--name", name, "--referred-by", PRIYA,
               env=now("2026-03-12T16:00:00-04:00")))
    ok(run("draft", "referral", "alan@example.org", "edsger@example.org", "ken@example.org",
           env=now("2026-03-12T16:00:00-04:00")))
    ok(run("send", "--yes", env=now("2026-03-12T16:30:00-04:00")))
    ok(run("contacts", "close", "ken@example.org", "--reason", "declined",
           env=now("2026-03-13T09:00:00-04:00")))
    app = app_for(workspace)
    alan = app.store.contacts.get("alan@example.org")
    with app.store.transaction():
        app.store.meetings.create(contact_id=alan.id, start="2026-06-04T14:00:00+00:00",
                                  end="2026-06-04T14:20:00+00:00", uid="alan@example.edu",
                                  now="2026-03-20T14:00:00+00:00")
    app.close()
    return workspace


def test_a_referral_that_led_to_a_meeting_is_in_the_note_to_the_referrer(
    network: Path, run: Invoke
) -> None:
    june = now("2026-06-03T09:00:00-04:00")
    due = json.loads(ok(run("due", "--json", env=june)))
    assert (PRIYA, "keep_in_touch") in {(d["contact"], d["action"]) for d in due}
    ok(run("followup", env=june))
    [note] = [m for m in outbox_messages(network, PRIYA) if "It's been a few months"
              in text_of(m)]
    text = one_line(text_of(note))
    # Edsger never answered, and `due` has long suggested closing him: "no reply".
    assert (
        "I spoke with Maya Chen in March, as you suggested; I have a conversation with Alan "
        "Turing coming up on Thu 4 June; Ken Thompson couldn't make time for a conversation, "
        "which I completely understand; and I wasn't able to connect with Edsger Dijkstra. "
        "Maya in turn introduced me to Grace Hopper. Thank you for the introductions."
    ) in text
    assert note["Subject"].startswith("Re: ")  # in her thread
    # The note is linted like every draft: it reports how things worked out.
    assert "error" not in ok(run("templates", "lint", "keepintouch", env=june)).lower()


@pytest.mark.parametrize(
    ("people", "expected"),
    [
        ([{"name": "Grace Hopper", "outcome": "met", "when": "in March"}],
         "I spoke with Grace Hopper in March, as you suggested. Thank you for the introduction."),
        ([{"name": "Grace Hopper", "outcome": "replied"}],
         "Grace Hopper and I are finding a time to talk, as you suggested. Thank you for the "
         "introduction."),
        ([{"name": "Grace Hopper", "outcome": "waiting"}],
         "I've written to Grace Hopper, as you suggested, and hope to speak with them soon. "
         "Thank you for the introduction."),
        ([{"name": "Grace Hopper", "outcome": "not_yet"}],
         "I'm about to write to Grace Hopper, as you suggested. Thank you for the introduction."),
        ([{"name": "Ken", "outcome": "no_reply"}, {"name": "Grace", "outcome": "met"}],
         "I spoke with Grace, as you suggested, and I wasn't able to connect with Ken. Thank "
         "you for the introductions."),
        ([{"name": "Ken", "outcome": "declined"}],
         "Ken couldn't make time for a conversation, which I completely understand. Thank you "
         "for the introduction."),
        ([], ""),
    ],
)
def test_referral_news_reads_as_english(people: list[dict[str, str]], expected: str) -> None:
    assert referral_news(people) == expected


@pytest.mark.parametrize(
    ("promises", "expected"),
    [
        (["send my résumé"], "As promised, I'm including my résumé."),
        (["send you the link to the course"], "As promised, I'm including the link to the course."),
        (["share my notes", "introduce her to my advisor"],
         "As promised, I'm including my notes, and I'll introduce you to my advisor."),
        (["introduce you to Grace"], "As promised, I'll introduce you to Grace."),
        (["my portfolio"], "As promised, I'm including my portfolio."),
        (["I will send the deck on Friday."], "I will send the deck on Friday."),
        (["coffee next time I'm in Leeds"],
         "And I haven't forgotten: coffee next time I'm in Leeds."),
        ("forward the reading list; read her paper",
         "As promised, I'm including the reading list, and I'll read your paper."),
        (["send her the link to his talk", "call him next week"],
         "As promised, I'm including the link to your talk, and I'll call you next week."),
        ([], ""),
    ],
)
def test_promises_read_as_english(promises: object, expected: str) -> None:
    assert promised(promises) == expected


# --- the interval, per tag, and what starts it again -------------------------------------------


def _met(**fields: object) -> ContactFacts:
    met_at = datetime(2026, 3, 4, 11, 0, tzinfo=NY)
    base = ContactFacts(
        contact_id=1, email="priya@example.com", name="Priya", first_sent_at=met_at,
        last_sent_at=met_at, last_reply_at=met_at, meeting_state="held", met_at=met_at,
    )
    return replace(base, **fields)  # type: ignore[arg-type]


def _keep(facts: ContactFacts, config: FollowupConfig, when: datetime) -> bool:
    return Action.KEEP_IN_TOUCH in {
        a.action for a in contact_due_actions(facts, config, when, NY)
    }


def test_the_interval_can_differ_per_tag() -> None:
    config = FollowupConfig(keep_in_touch_by_tag=(("alumni", 120), ("mentor", 60)))
    june = datetime(2026, 6, 3, 9, 0, tzinfo=NY)  # 91 days after 4 March
    assert _keep(_met(), config, june)  # untagged: the default 90 days
    assert not _keep(_met(tags=("Alumni",)), config, june)  # tags ignore case
    assert _keep(_met(tags=("alumni",)), config, datetime(2026, 7, 2, 9, 0, tzinfo=NY))
    assert _keep(_met(tags=("alumni", "mentor")), config,  # the shorter of two
                 datetime(2026, 5, 3, 9, 0, tzinfo=NY))
    [item] = [a for a in contact_due_actions(_met(tags=("mentor",)), config, june, NY)
              if a.action is Action.KEEP_IN_TOUCH]
    assert "60 days ago or more" in item.reason


def _mail(sender: str, to: str, subject: str, when: datetime) -> EmailMessage:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, to, subject
    message["Message-ID"] = make_msgid(domain="example.org")
    message["Date"] = format_datetime(when)
    message.set_content("Hello!")
    return message


@pytest.mark.parametrize("direction", ["theirs", "yours"])
def test_any_exchange_in_any_thread_starts_it_again(
    workspace: Path, run: Invoke, direction: str
) -> None:
    priya_met_and_referred_maya(workspace, run)
    june = now("2026-06-03T09:00:00-04:00")
    assert (PRIYA, "keep_in_touch") in {
        (d["contact"], d["action"]) for d in json.loads(ok(run("due", "--json", env=june)))
    }
    app = app_for(workspace)
    when = at("2026-05-20 10:00")
    if direction == "theirs":  # she writes in a thread of her own
        drop(app, _mail(f"Priya Raman <{PRIYA}>", USER, "Saw this and thought of you", when))
    else:  # the user writes to her from their mail client, outside outreach
        sent = app.workspace.root / "sent"
        for sub in ("tmp", "new", "cur"):
            (sent / sub).mkdir(parents=True, exist_ok=True)
        message = _mail(USER, f"Priya Raman <{PRIYA}>", "Conference in May?", when)
        (sent / "cur" / "1779000000.M1P1.test:2,S").write_bytes(message.as_bytes())
    ok(run("sync", env=now("2026-05-20T12:00:00-04:00")))
    due = json.loads(ok(run("due", "--json", env=june)))
    assert (PRIYA, "keep_in_touch") not in {(d["contact"], d["action"]) for d in due}
    later = json.loads(ok(run("due", "--json", env=now("2026-08-18T09:00:00-04:00"))))
    [item] = [d for d in later if (d["contact"], d["action"]) == (PRIYA, "keep_in_touch")]
    assert item["due"] == "2026-08-18T00:00:00-04:00"  # 90 days after 20 May


# --- configuration -----------------------------------------------------------------------------


def test_per_tag_intervals_are_read_from_their_own_table(tmp_path: Path) -> None:
    text = "[followup]\nkeep_in_touch_days = 100\n\n[followup.keep_in_touch_by_tag]\n" \
           "alumni = 120\nMentor = 60\n"
    config = parse_config(text, tmp_path / "config.toml")
    assert config.followup.keep_in_touch_by_tag == (("alumni", 120), ("mentor", 60))
    assert config.followup.keep_in_touch_days_for(["MENTOR"]) == 60
    assert config.followup.keep_in_touch_days_for(["other"]) == 100


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[followup.keep_in_touch_by_tag]\nalumni = 3\n",
         "[followup.keep_in_touch_by_tag] alumni = 3 is not valid; expected a whole number of "
         "days from 7 to 730"),
        ('[followup.keep_in_touch_by_tag]\nalumni = "120"\n', "alumni = '120' is not valid"),
        ("[followup.keep_in_touch_by_tag]\nalumni = true\n", "alumni = True is not valid"),
        ("[followup.keep_in_touch_by_tag]\nalumni = 120\nAlumni = 100\n",
         "names the tag 'Alumni' twice"),
        ("[followup]\nkeep_in_touch_by_tag = 120\n",
         "[followup] keep_in_touch_by_tag = 120 is not valid; expected a table"),
        ('[followup.keep_in_touch_by_tag]\n"" = 120\n', "has an empty tag name"),
        ("[followup]\ncongratulate_within_days = 0\n", "congratulate_within_days = 0"),
    ],
)
def test_bad_per_tag_intervals_name_the_file_and_the_key(
    tmp_path: Path, text: str, message: str
) -> None:
    path = tmp_path / "config.toml"
    with pytest.raises(ConfigError) as caught:
        parse_config(text, path)
    assert str(path) in caught.value.message
    assert message in caught.value.message
    assert caught.value.hint


def test_the_example_config_documents_the_new_keys() -> None:
    example = (Path(__file__).resolve().parents[1] / "config.example.toml").read_text()
    for key in ("# pitch =", "# field =", "[followup.keep_in_touch_by_tag]", "# alumni = 120",
                "congratulate_within_days = 30", "update ="):
        assert key in example
    config = parse_config(example, Path("config.example.toml"))
    assert config.followup.keep_in_touch_by_tag == ()
    assert config.followup.congratulate_within_days == 30
