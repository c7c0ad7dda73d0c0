"""The question bank behind `outreach prep`: 6-10 questions, every main theme covered, fitted to
the person's role and organisation and the user's field; a workspace file adds questions;
a bad file is a clear error naming it and the question."""

from __future__ import annotations

from pathlib import Path

import pytest

from outreach.compose.questions import (
    MAIN_THEMES,
    Profile,
    Question,
    load_bank,
    parse_bank,
    pick_questions,
)
from outreach.errors import ConfigError

BANK = load_bank(None)


def themes_of(texts: list[str]) -> set[str]:
    by_text = {q.text: q.theme for q in BANK}
    found = set()
    for text in texts:
        for template, theme in by_text.items():
            head = template.split("{", 1)[0]
            if head and text.startswith(head):
                found.add(theme)
    return found


@pytest.mark.parametrize(
    ("profile", "fitting"),
    [
        (Profile("Staff Software Engineer", "Initech"), "building, reviewing others' work"),
        (Profile("Senior Data Scientist", "Northwind Health"), "getting data ready"),
        (Profile("Head of Product", "Acme"), "now that you lead a team"),
        (Profile("Policy Adviser", "Department for Energy Security"), "decisions that end up"),
        (Profile("Associate Professor of Hydrology", "University of Leeds"),
         "teaching, research and everything else"),
        (Profile("Registered Nurse", "St Mary's Hospital"), "shift or clinic day"),
        (Profile("Co-founder & CEO", "Tidewater Labs"), "decide to start Tidewater Labs"),
        (Profile("Senior Consultant", "Bain"), "engagement look like"),
        (Profile("UX Designer", "Shopify"), "first research to the finished design"),
    ],
)
def test_questions_fit_the_role(profile: Profile, fitting: str) -> None:
    picked = pick_questions(BANK, profile)
    assert 6 <= len(picked) <= 10
    assert len(set(picked)) == len(picked)
    assert any(fitting in q for q in picked), picked
    assert set(MAIN_THEMES) <= themes_of(picked)
    assert not any("{" in q or "}" in q for q in picked)


def test_questions_for_someone_we_know_nothing_about_are_generic_but_complete() -> None:
    picked = pick_questions(BANK, Profile())
    assert 6 <= len(picked) <= 10
    assert set(MAIN_THEMES) <= themes_of(picked)
    assert "What path led you to the work you do now?" in picked


def test_the_user_s_field_and_their_interest_column_tailor_the_questions() -> None:
    profile = Profile("Analyst", "Octopus Energy", field="climate policy",
                      columns={"interest": "demand response"})
    picked = pick_questions(BANK, profile)
    assert sum("climate policy" in q for q in picked) >= 2
    assert any("demand response" in q for q in picked)
    without = pick_questions(BANK, Profile("Analyst", "Octopus Energy"))
    assert not any("{field}" in q or "climate policy" in q for q in without)


def test_questions_run_in_the_order_of_a_conversation() -> None:
    picked = pick_questions(BANK, Profile("Data Scientist", "Acme", field="analytics"))
    assert picked[0] == "What path led you to your role as Data Scientist at Acme?"
    assert picked[-1].startswith("If you were moving into analytics today")  # advice last


def test_the_count_stays_between_six_and_ten() -> None:
    profile = Profile("Data Scientist", "Acme")
    assert len(pick_questions(BANK, profile, count=3)) == 6
    assert len(pick_questions(BANK, profile, count=50)) == 10


def test_a_workspace_file_adds_questions_and_always_ones_are_asked(tmp_path: Path) -> None:
    own = tmp_path / "questions.toml"
    own.write_text(
        '[[question]]\ntheme = "skills"\n'
        'text = "How do you test a forecast before {org} relies on it?"\ntitle = ["data"]\n\n'
        '[[question]]\ntheme = "advice"\ntext = "Which meetups in Leeds are worth it?"\n'
        "always = true\n",
        encoding="utf-8",
    )
    bank = load_bank(own)
    assert len(bank) == len(BANK) + 2
    picked = pick_questions(bank, Profile("Data Scientist", "Northwind Health"))
    assert "Which meetups in Leeds are worth it?" in picked
    assert "How do you test a forecast before Northwind Health relies on it?" in picked
    # A question for another role is not asked.
    assert not any("forecast before" in q for q in pick_questions(bank, Profile("Nurse", "NHS")))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[[question]]\ntheme = "skills"\n', "question 1 has no text"),
        ('[[question]]\ntheme = "gossip"\ntext = "x"\n', "has theme 'gossip'"),
        ('[[question]]\ntheme = "day"\ntext = "x"\ntitle = "engineer"\n', "title must be a list"),
        ('[[question]]\ntheme = "day"\ntext = "x"\nwhen = 1\n', "unknown key 'when'"),
        ('[[question]]\ntheme = "day"\ntext = "What about {org?"\n', "braces must hold"),
        ('[[question]]\ntheme = "day"\ntext = "x"\nalways = "yes"\n', "always must be true"),
        ('questions = 1\n', "unknown key 'questions'"),
        ('[[question]\n', "not valid TOML"),
    ],
)
def test_a_bad_bank_file_names_the_file_and_the_question(text: str, message: str) -> None:
    path = Path("/ws/questions.toml")
    with pytest.raises(ConfigError) as caught:
        parse_bank(text, path, own=True)
    assert str(path) in caught.value.message
    assert message in caught.value.message
    assert caught.value.hint


def test_the_shipped_bank_covers_every_theme_in_our_own_words() -> None:
    themes = {q.theme for q in BANK}
    assert set(MAIN_THEMES) <= themes
    assert all(isinstance(q, Question) and q.text.endswith("?") for q in BANK)
    # Never a job ask, never a question their profile already answers.
    lowered = " ".join(q.text.lower() for q in BANK)
    for phrase in ("hiring", "job opening", "refer me", "what is your title", "where do you work"):
        assert phrase not in lowered
