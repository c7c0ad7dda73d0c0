"""Etiquette lint: built-ins pass, and each rule catches what ETIQUETTE.md warns against."""

from __future__ import annotations

from pathlib import Path

import pytest

from outreach.compose.lint import LintFinding, durations, lint, lint_all, sample_context
from outreach.compose.templates import KINDS, TemplateSource, load_templates
from outreach.config import UserConfig

BAD_DIR = Path(__file__).parent / "data" / "bad" / "templates"

GOOD_OUTREACH = """\
Subject: Could I ask about your work{% if contact.org %} at {{ contact.org }}{% endif %}?
Kind: outreach

Hi {{ contact.first_name }},

I'm {{ user.name }}, and I found your profile through the alumni network.
I'd love to hear how you came to your role{% if contact.org %} at {{ contact.org }}{% endif %}.

Would you have 20 minutes for a call in the next two weeks?
{{ slots | bulleted }}

Happy to fit your schedule, by phone or video.

{{ user.signature }}
"""


def template(text: str, name: str = "custom") -> TemplateSource:
    return TemplateSource(
        name=name, text=text, path=Path(f"/ws/templates/{name}.txt"), builtin=False
    )


def rules(findings: list[LintFinding], severity: str | None = None) -> set[str]:
    return {f.rule for f in findings if severity is None or f.severity == severity}


def outreach_with(old: str, new: str) -> TemplateSource:
    assert old in GOOD_OUTREACH
    return template(GOOD_OUTREACH.replace(old, new))


# --- built-ins ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", KINDS)
def test_every_builtin_passes_lint_without_findings(name: str) -> None:
    builtin = load_templates(None)[name]
    assert lint(builtin) == []
    configured = UserConfig(name="Sam Rivera", email="sam@example.com", signature="Sam")
    assert lint(builtin, sample_context(configured, meeting_minutes=30)) == []


def test_lint_all_covers_every_template() -> None:
    assert lint_all(load_templates(None)) == []


def test_the_good_example_is_clean() -> None:
    assert lint(template(GOOD_OUTREACH)) == []


def test_a_longer_meeting_in_config_is_an_error_for_builtins() -> None:
    findings = lint(load_templates(None)["outreach"], sample_context(meeting_minutes=45))
    assert rules(findings, "error") == {"time-ask"}


# --- first message rules -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ask", "severity"),
    [
        ("an hour", "error"),
        ("a 45-minute call", "error"),
        ("one hour", "error"),
        ("60 minutes", "error"),
        ("2 hours", "error"),
        ("30-45 minutes", "error"),
        ("10 minutes", "warning"),
    ],
)
def test_asking_for_too_much_or_too_little_time_is_flagged(ask: str, severity: str) -> None:
    findings = lint(outreach_with("20 minutes", ask))
    assert [f.severity for f in findings if f.rule == "time-ask"] == [severity]
    flagged = next(f for f in findings if f.rule == "time-ask")
    assert flagged.line == 9


@pytest.mark.parametrize(
    "ask", ["half an hour", "15 minutes", "a 20-minute call", "twenty minutes", "15-20 minutes"]
)
def test_short_specific_asks_pass(ask: str) -> None:
    assert "time-ask" not in rules(lint(outreach_with("20 minutes", ask)))


def test_no_specific_time_is_an_error() -> None:
    findings = lint(outreach_with("20 minutes for a call", "a quick chat"))
    assert "time-ask" in rules(findings, "error")


def test_no_times_and_no_ask_for_theirs_is_an_error() -> None:
    findings = lint(outreach_with("{{ slots | bulleted }}\n", ""))
    assert "times" in rules(findings, "error")
    asked = outreach_with("{{ slots | bulleted }}\n", "What times work for you?\n")
    assert "times" not in rules(lint(asked))


def test_no_connection_is_an_error() -> None:
    findings = lint(outreach_with(", and I found your profile through the alumni network", ""))
    assert "connection" in rules(findings, "error")


@pytest.mark.parametrize(
    "line",
    [
        "{{ referrer.name }} suggested I write.",
        "I read your article on forecasting.",
        "We met at PyCon.",
        "We are both {{ contact.school | default('Leeds') }} alumni.",
        "I saw your talk last year.",
    ],
)
def test_connection_cues_are_recognised(line: str) -> None:
    text = GOOD_OUTREACH.replace(", and I found your profile through the alumni network", "")
    text = text.replace("Would you have", f"{line}\n\nWould you have")
    assert "connection" not in rules(lint(template(text)))


@pytest.mark.parametrize(
    "ask",
    [
        "Are you hiring?",
        "Is your team hiring at the moment?",
        "Do you have any open positions?",
        "I'd love to hear about job opportunities at {{ contact.org }}.",
        "Could you refer me for the analyst role?",
        "Would you put in a good word for me?",
        "Could you help me get a job there?",
        "Please consider me for an internship opportunity.",
    ],
)
def test_asking_for_a_job_is_an_error_on_its_line(ask: str) -> None:
    findings = lint(
        outreach_with("Happy to fit your schedule", f"{ask}\nHappy to fit your schedule")
    )
    job = [f for f in findings if f.rule == "no-job-ask" and f.severity == "error"]
    assert job, findings
    assert job[0].line == 12


@pytest.mark.parametrize(
    "phrase", ["I've attached my resume.", "I'm looking for a new role.", "I'm applying for roles."]
)
def test_job_seeking_signals_are_warnings(phrase: str) -> None:
    findings = lint(outreach_with("Happy to fit", f"{phrase}\nHappy to fit"))
    assert "no-job-ask" in rules(findings, "warning")
    assert "no-job-ask" not in rules(findings, "error")


@pytest.mark.parametrize(
    "phrase",
    [
        "I'd love to hear about your path to this role.",
        "What led you to your position at {{ contact.org }}?",
        "How did you land your first job in the field?",
        "What does a typical day in your job look like?",
        "Who else should I talk to?",
    ],
)
def test_questions_about_their_path_are_not_job_asks(phrase: str) -> None:
    findings = lint(outreach_with("Happy to fit", f"{phrase}\nHappy to fit"))
    assert "no-job-ask" not in rules(findings)


def test_length_is_a_warning_over_150_words_and_an_error_over_200() -> None:
    filler = " ".join(["word"] * 110)
    warning = lint(outreach_with("Happy to fit", f"{filler}\nHappy to fit"))
    assert {(f.rule, f.severity) for f in warning} == {("length", "warning")}
    error = lint(outreach_with("Happy to fit", f"{filler} {filler}\nHappy to fit"))
    assert ("length", "error") in {(f.rule, f.severity) for f in error}


def test_a_long_signature_and_the_slots_are_not_counted() -> None:
    user = UserConfig(name="A", signature=" ".join(["sig"] * 300))
    assert lint(template(GOOD_OUTREACH), sample_context(user)) == []


def test_a_form_letter_gets_a_personal_warning() -> None:
    text = GOOD_OUTREACH.replace("{% if contact.org %} at {{ contact.org }}{% endif %}", "")
    assert rules(lint(template(text))) == {"personal"}


def test_no_easy_format_gets_a_warning() -> None:
    text = GOOD_OUTREACH.replace("Happy to fit your schedule, by phone or video.", "")
    findings = lint(template(text.replace("20 minutes for a call", "20 minutes")))
    assert rules(findings) == {"easy"}


# --- other kinds -------------------------------------------------------------------------------


def test_a_thankyou_must_name_something_specific() -> None:
    vague = template(
        "Subject: Thanks\nKind: thankyou\n\nHi {{ contact.first_name }},\n\n"
        "Thank you for your time today.\n"
    )
    assert rules(lint(vague), "error") == {"specific"}
    specific = template(
        "Subject: Thanks\nKind: thankyou\n\nHi {{ contact.first_name }},\n\n"
        "Thank you; your point about {{ meeting.notes }} stuck with me.\n"
    )
    assert lint(specific) == []


def test_a_thankyou_asks_for_nothing_big() -> None:
    pushy = template(
        "Subject: Thanks\nKind: thankyou\n\nThanks for {{ meeting.notes | first_item }}.\n"
        "Could you introduce me to your manager?\n"
    )
    findings = lint(pushy)
    assert [(f.rule, f.severity, f.line) for f in findings] == [("big-ask", "warning", 5)]


@pytest.mark.parametrize(
    "phrase",
    ["Just following up on my email.", "I haven't heard back from you.", "Did you get my note?"],
)
def test_guilt_tripping_follow_ups_get_a_warning(phrase: str) -> None:
    nudge = template(
        f"Subject: Hi\nKind: followup\n\nHi {{{{ contact.first_name }}}},\n\n{phrase}\n"
        "No worries if now is busy.\n"
    )
    findings = lint(nudge)
    assert [(f.rule, f.severity, f.line) for f in findings] == [("tone", "warning", 6)]


def test_a_followup_is_short_and_makes_no_easy() -> None:
    long_one = template(
        "Subject: Hi\nKind: followup\n\n" + " ".join(["word"] * 120) + "\nNo pressure at all.\n"
    )
    assert {(f.rule, f.severity) for f in lint(long_one)} == {("length", "warning")}
    no_out = template("Subject: Hi\nKind: followup\n\nStill keen to talk.\n")
    assert rules(lint(no_out)) == {"easy-out"}


def test_a_confirmation_states_the_time_and_mentions_the_invite() -> None:
    bad = template("Subject: See you\nKind: confirm\n\nSee you then.\n")
    findings = lint(bad)
    assert {(f.rule, f.severity) for f in findings} == {
        ("confirm-time", "error"),
        ("invite", "warning"),
    }


def test_keep_in_touch_should_say_how_things_worked_out() -> None:
    bland = template("Subject: Hello\nKind: keepintouch\n\nHope all is well.\n")
    assert {(f.rule, f.severity) for f in lint(bland)} == {("outcome", "warning")}


def test_an_unknown_kind_gets_a_warning_to_add_one() -> None:
    findings = lint(template("Subject: Hi\n\nHello\n", name="alumni"))
    assert [(f.rule, f.severity, f.line) for f in findings] == [("kind", "warning", 1)]


# --- fields, filters, syntax, minimal contact --------------------------------------------------


def test_a_non_standard_contact_field_without_default_gets_a_warning_with_its_line() -> None:
    text = GOOD_OUTREACH.replace("through the alumni network", "as a {{ contact.school }} alum")
    findings = lint(template(text))
    assert [(f.rule, f.severity, f.line) for f in findings] == [("fields", "warning", 6)]
    guarded = text.replace("{{ contact.school }}", "{{ contact.school | default('fellow') }}")
    assert lint(template(guarded)) == []
    in_if = text.replace(
        " as a {{ contact.school }} alum",
        "{% if contact.school is defined %} as a {{ contact.school }} alum{% endif %}",
    )
    assert lint(template(in_if)) == []


def test_a_user_key_missing_from_config_is_an_error() -> None:
    text = GOOD_OUTREACH.replace("{{ user.name }}", "{{ user.name }} from {{ user.school }}")
    user = UserConfig(name="Sam")
    findings = lint(template(text), sample_context(user))
    assert [(f.rule, f.severity, f.line) for f in findings] == [("fields", "error", 6)]
    configured = UserConfig(name="Sam", extra={"school": "Leeds"})
    assert lint(template(text), sample_context(configured)) == []


def test_unknown_filters_are_found_even_in_branches_not_taken() -> None:
    text = GOOD_OUTREACH.replace(
        "{{ user.signature }}",
        "{% if contact.nickname is defined %}{{ contact.name | shout }}{% endif %}",
    )
    findings = lint(template(text))
    assert [(f.rule, f.severity, f.line) for f in findings] == [("filters", "error", 14)]


@pytest.mark.parametrize(
    ("name", "line"),
    [("unclosed_tag", 5), ("missing_subject", 1), ("unknown_filter", 6), ("bad_header", 2)],
)
def test_broken_files_give_one_syntax_finding(name: str, line: int) -> None:
    path = BAD_DIR / f"{name}.txt"
    broken = TemplateSource(name, path.read_text(encoding="utf-8"), path, builtin=False)
    findings = lint(broken)
    assert [(f.rule, f.severity, f.line) for f in findings] == [("syntax", "error", line)]
    assert findings[0].template == str(path)


def test_a_template_that_reads_oddly_without_optional_fields_gets_a_warning() -> None:
    text = GOOD_OUTREACH.replace(
        "I'd love to hear how you came to your role"
        "{% if contact.org %} at {{ contact.org }}{% endif %}.",
        "I'd love to hear about your work as {{ contact.title }} at {{ contact.org }}.",
    )
    findings = lint(template(text))
    assert [(f.rule, f.severity) for f in findings] == [("minimal", "warning")]


def test_a_template_that_fails_without_a_referrer_gets_a_warning() -> None:
    text = GOOD_OUTREACH.replace("the alumni network", "{{ referrer.name }}")
    findings = lint(template(text))
    assert [(f.rule, f.severity, f.line) for f in findings] == [("minimal", "warning", 6)]


def test_findings_read_well() -> None:
    finding = LintFinding("outreach.txt", "length", "warning", "too long", 3)
    assert str(finding) == "outreach.txt line 3: warning: too long [length]"


# --- durations ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Could we talk for 20 minutes?", [20]),
        ("a 20-minute call", [20]),
        ("15-20 mins", [20]),
        ("half an hour", [30]),
        ("a half-hour chat", [30]),
        ("a quarter of an hour", [15]),
        ("an hour", [60]),
        ("an hour-long call", [60]),
        ("twenty minutes", [20]),
        ("in 3-5 years", []),
        ("Tue 10:00-10:20", []),
        ("a few minutes", []),
    ],
)
def test_durations(text: str, expected: list[int]) -> None:
    assert sorted(minutes for minutes, _ in durations(text)) == expected
