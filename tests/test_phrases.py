"""What people type after a conversation reads as English in the thank-you and keep-in-touch.

Notes are what THEY said (a topic, their advice, a sentence); takeaways are what the USER will
do. A dozen phrases of each shape are rendered through the built-in templates, and each must
land in a frame that fits it.
"""

from __future__ import annotations

from datetime import date

import pytest

from outreach.compose.phrases import as_clause, as_sentence, phrase_kind, to_you
from outreach.compose.render import RenderContext, first_item, meeting_vars, render
from outreach.compose.templates import load_templates
from outreach.config import UserConfig
from outreach.contacts.model import Contact

MAYA = Contact(id=1, name="Maya Chen", email="maya@example.org", org="Northwind Health")
SAM = UserConfig(name="Sam Rivera", email="sam@example.edu")


def thank_you(notes: str = "", takeaways: str = "", template: str = "thankyou") -> str:
    context = RenderContext.for_contact(
        MAYA, SAM, today=date(2026, 3, 12),
        meeting=meeting_vars(start="Thu 12 Mar, 15:00 EDT", end="15:20 EDT", notes=notes,
                             takeaways=takeaways),
    )
    return " ".join(render(load_templates(None)[template], context).text.split())


NOTES = [  # what they said -> how the thank-you recalls it
    ("building a portfolio of small, finished projects",
     "I keep coming back to what you said about building a portfolio of small, finished "
     "projects."),
    ("the move from research into product",
     "I keep coming back to what you said about the move from research into product."),
    ("her path from nursing into informatics",
     "I keep coming back to what you said about her path from nursing into informatics."),
    ("why she left consulting",
     "I keep coming back to what you said about why she left consulting."),
    ("Kubernetes operators", "I keep coming back to what you said about Kubernetes operators."),
    ("start with the data, not the model",
     "I keep coming back to your advice to start with the data, not the model."),
    ("Start with the data, not the model.",
     "I keep coming back to your advice to start with the data, not the model."),
    ("She said to talk to the quality team first",
     "I keep coming back to your advice to talk to the quality team first."),
    ("Most hiring there happens through referrals.",
     "One thing you said has stayed with me: most hiring there happens through referrals."),
    ("He thinks the field is consolidating",
     "One thing you said has stayed with me: you think the field is consolidating."),
    ("Networking matters more than grades",
     "One thing you said has stayed with me: networking matters more than grades."),
    ("the PyData community; read her blog\nask about mentoring",
     "I keep coming back to what you said about the PyData community."),
    # Sentences whose verb is an everyday one: never "what you said about <a sentence>".
    ("cooperatives win on trust with members",
     "One thing you said has stayed with me: cooperatives win on trust with members."),
    ("utilities move slowly", "One thing you said has stayed with me: utilities move slowly."),
    ("sustainability teams need people who can read a balance sheet",
     "One thing you said has stayed with me: sustainability teams need people who can read a "
     "balance sheet."),
    ("the grid rewards patience",
     "One thing you said has stayed with me: the grid rewards patience."),
    ("small teams ship faster", "One thing you said has stayed with me: small teams ship faster."),
    ("her years in operations",
     "I keep coming back to what you said about her years in operations."),
    ("building a portfolio of small projects",
     "I keep coming back to what you said about building a portfolio of small projects."),
    ("the teams that need analysts",
     "I keep coming back to what you said about the teams that need analysts."),
    ("grant writing for small nonprofits",
     "I keep coming back to what you said about grant writing for small nonprofits."),
]

TAKEAWAYS = [  # what the user will do -> how the thank-you says it
    ("take the battery systems course next semester",
     "I'm going to take the battery systems course next semester."),
    ("Take the battery systems course next semester.",
     "I'm going to take the battery systems course next semester."),
    ("to reach out to the local chapter", "I'm going to reach out to the local chapter."),
    ("apply for the summer fellowship", "I'm going to apply for the summer fellowship."),
    ("read Designing Data-Intensive Applications",
     "I'm going to read Designing Data-Intensive Applications."),
    ("ship small finished projects", "I'm going to ship small finished projects."),
    ("the battery systems course", "I'm going to look into the battery systems course."),
    ("the PyData meetups", "I'm going to look into the PyData meetups."),
    ("I will email Grace next week.", "I will email Grace next week."),
    ("I'll redo my portfolio around two projects",
     "I'll redo my portfolio around two projects."),
    ("email Grace; update my CV", "I'm going to email Grace."),
    ("volunteer at the hospital data clinic",
     "I'm going to volunteer at the hospital data clinic."),
    ("contribute to an open-source research tool",
     "I'm going to contribute to an open-source research tool."),
    ("shadow a data engineer for a day", "I'm going to shadow a data engineer for a day."),
]


@pytest.mark.parametrize(("notes", "expected"), NOTES, ids=[n for n, _ in NOTES])
def test_the_thank_you_recalls_what_they_said_in_a_fitting_frame(
    notes: str, expected: str
) -> None:
    text = thank_you(notes=notes)
    assert expected in text, text
    assert ".." not in text and " ." not in text


@pytest.mark.parametrize(("takeaways", "expected"), TAKEAWAYS, ids=[t for t, _ in TAKEAWAYS])
def test_the_thank_you_says_what_the_user_will_do(takeaways: str, expected: str) -> None:
    text = thank_you(notes="the move from research into product", takeaways=takeaways)
    assert expected in text, text
    assert "what you said about take" not in text  # the defect this fixes


def test_the_reported_defect_now_reads_as_english() -> None:
    text = thank_you(takeaways="take the battery systems course next semester")
    assert "what you said about take" not in text
    assert "I'm going to take the battery systems course next semester." in text


@pytest.mark.parametrize(
    ("takeaways", "notes", "expected"),
    [
        ("take the battery systems course next semester", "",
         "After our conversation I set out to take the battery systems course next semester,"),
        ("the PyData meetups", "", "After our conversation I looked into the PyData meetups,"),
        ("", "start with the data, not the model",
         "I took your advice to start with the data, not the model to heart,"),
        ("", "Most hiring there happens through referrals.",
         "Something you said has stayed with me: most hiring there happens through referrals."),
        ("", "building a portfolio of small projects",
         "What you said about building a portfolio of small projects has stayed with me,"),
        ("I will email Grace next week.", "the move from research into product",
         "What you said about the move from research into product has stayed with me,"),
    ],
)
def test_the_keep_in_touch_note_reads_right_for_each_shape(
    takeaways: str, notes: str, expected: str
) -> None:
    text = thank_you(notes=notes, takeaways=takeaways, template="keepintouch")
    assert expected in text, text


@pytest.mark.parametrize(
    "notes",
    [
        "cooperatives win on trust with members",
        "utilities move slowly",
        "sustainability teams need people who can read a balance sheet",
    ],
)
def test_the_reported_sentences_never_follow_about(notes: str) -> None:
    for template in ("thankyou", "keepintouch"):
        text = thank_you(notes=notes, template=template)
        assert f"about {notes}" not in text, text


def test_first_item_splits_on_new_lines_and_semicolons() -> None:
    assert first_item("read her blog; ask about mentoring") == "read her blog"
    assert first_item("- one thing.\n- another") == "one thing"
    assert first_item(";  ;second") == "second"
    assert first_item("") == ""


def test_the_phrase_helpers() -> None:
    assert phrase_kind("take the course") == "verb"
    assert phrase_kind("the team that is hiring") == "noun"
    assert phrase_kind("Building a portfolio is what got her hired") == "sentence"
    assert as_clause("The move from research.") == "the move from research"
    assert as_clause("PyData talks") == "PyData talks"
    assert as_sentence("most hiring happens through referrals") == (
        "Most hiring happens through referrals."
    )
    assert to_you("She is skeptical of bootcamps") == "you are skeptical of bootcamps"


# --- lint: the words fit what happened --------------------------------------------------


def lint_thank_you(body: str, meeting: dict[str, object] | None) -> list[str]:
    from pathlib import Path

    from outreach.compose.lint import lint_rendered
    from outreach.compose.templates import TemplateSource

    source = TemplateSource(
        name="mine",
        text=f"Subject: Thanks\nKind: thankyou\n\n{body}\n",
        path=Path("templates/mine.txt"),
        builtin=False,
    )
    context = RenderContext.for_contact(MAYA, SAM, today=date(2026, 3, 12), meeting=meeting)
    rendered = render(source, context)
    return [f.message for f in lint_rendered(source, rendered, context) if f.rule == "fit"]


def test_lint_names_a_sentence_after_what_you_said_about() -> None:
    meeting = meeting_vars(start="Thu 12 Mar", end="15:20", notes="utilities move slowly")
    meeting["held"] = True
    found = lint_thank_you(
        "Hi Maya,\n\nI keep coming back to what you said about {{ meeting.notes }}.\n\nSam",
        meeting,
    )
    assert found == [
        "'what you said about utilities move slowly' puts a sentence after \"about\"; write "
        "\"what you said: utilities move slowly\" or \"your point that utilities move slowly\""
    ]


def test_lint_names_thanks_again_and_as_promised_that_do_not_fit() -> None:
    never_met = meeting_vars(start="Thu 12 Mar", end="15:20")
    never_met.update(state="missed", held=False)
    found = lint_thank_you(
        "Hi Maya,\n\nI wanted to thank you again. As promised, here is my CV.\n\nSam", never_met
    )
    assert "'thank you again' speaks of a conversation that did not take place" in found
    assert "'As promised' but nothing was promised to them" in found
