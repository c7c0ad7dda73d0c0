"""Rendering: the sandbox, StrictUndefined errors that name file, line and contact, filters."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from outreach.compose.lint import SAMPLE_SLOTS, minimal_context, sample_context
from outreach.compose.render import (
    RenderContext,
    bulleted,
    first_item,
    first_name,
    join_and,
    meeting_vars,
    render,
    text_to_html,
    user_vars,
)
from outreach.compose.templates import KINDS, TemplateFileError, TemplateSource, load_templates
from outreach.config import UserConfig
from outreach.contacts.model import Contact
from outreach.errors import TemplateError

ADA = Contact(id=7, name="Ada Lovelace", email="ada@example.org", org="Analytical Engines")
USER = UserConfig(name="Alex Morgan", email="alex@example.com", signature="Alex")


def workspace_template(text: str, name: str = "custom") -> TemplateSource:
    return TemplateSource(
        name=name, text=text, path=Path(f"/ws/templates/{name}.txt"), builtin=False
    )


def ada_context(**changes: object) -> RenderContext:
    meeting = meeting_vars(start="Tue 3 Mar, 15:00 GMT", end="15:20 GMT", notes="open source")
    context = RenderContext.for_contact(
        ADA, USER, today=date(2026, 3, 2), slots=SAMPLE_SLOTS, meeting=meeting
    )
    return replace(context, **changes)  # type: ignore[arg-type]


# --- built-ins ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", KINDS)
def test_every_builtin_renders_for_the_sample_and_for_a_name_and_email_contact(name: str) -> None:
    template = load_templates(None)[name]
    sample = render(template, sample_context())
    assert sample.subject and "\n" not in sample.subject
    if name == "confirm":  # what changed comes first, so the inbox preview shows it
        status, _, rest = sample.text.partition("\n\n")
        assert status.startswith("Confirmed: our conversation on ")
        assert rest.startswith("Hi Maya,\n")
    else:
        assert sample.text.startswith("Hi Maya,\n")
    assert sample.text.endswith("\n") and not sample.text.endswith("\n\n")
    assert sample.html is None
    assert sample.template_name == name and sample.kind == name

    bare = Contact(id=1, name="Jordan Lee", email="jordan@example.net")
    referrer = Contact(id=2, name="Sam Patel", email="sam@example.net")
    meeting = meeting_vars(start="Tue 3 Mar, 15:00 GMT", end="15:20 GMT", notes="product design")
    for slots in (SAMPLE_SLOTS, ()):
        context = RenderContext.for_contact(
            bare,
            UserConfig(),
            today=date(2026, 3, 2),
            slots=slots,
            referrer=referrer if name == "referral" else None,
            meeting=meeting if name in ("confirm", "thankyou", "keepintouch") else None,
        )
        message = render(template, context)
        greeting = message.text.partition("\n\n")[2] if name == "confirm" else message.text
        assert greeting.startswith("Hi Jordan,\n")
        for line in message.text.splitlines():
            assert not re.search(r"\S  +\S| [,.;:!?]", line), line
        assert message.text.rstrip().endswith("Your Name")


def test_outreach_builtin_uses_the_slots_and_the_minutes_asked_for() -> None:
    template = load_templates(None)["outreach"]
    message = render(template, replace(sample_context(), meeting_minutes=25))
    for slot in SAMPLE_SLOTS:
        assert f"- {slot}" in message.text
    assert "25 minutes" in message.text


def test_thankyou_without_notes_says_what_to_record() -> None:
    template = load_templates(None)["thankyou"]
    context = minimal_context("thankyou", sample_context())
    empty = replace(context, meeting=meeting_vars(start="x", end="y"))
    with pytest.raises(TemplateError, match=r"thankyou\.txt line \d+: no notes or takeaways") as e:
        render(template, empty)
    assert "Jordan Lee" in str(e.value)


def test_builtin_optional_columns_are_used_when_present() -> None:
    contact = Contact(
        id=3,
        name="Maya Chen",
        email="maya@example.org",
        extra={"connection": "the Leeds alumni network", "interest": "your talk on forecasting"},
    )
    user = UserConfig(name="Alex Morgan", extra={"intro": "a data science student at Leeds"})
    context = RenderContext.for_contact(contact, user, today=date(2026, 3, 2), slots=SAMPLE_SLOTS)
    text = render(load_templates(None)["outreach"], context).text
    assert "I'm Alex Morgan, a data science student at Leeds." in text
    assert "I found you through the Leeds alumni network" in text
    assert "I'm especially interested in your talk on forecasting." in text


# --- errors ------------------------------------------------------------------------------------


def test_a_missing_field_names_the_template_line_and_contact_with_a_hint() -> None:
    template = workspace_template(
        "Subject: Hello\nKind: outreach\n\nHi {{ contact.first_name }},\n\n"
        "We both studied at {{ contact.school }}.\n"
    )
    with pytest.raises(TemplateError) as caught:
        render(template, ada_context())
    error = caught.value
    assert str(error) == (
        "/ws/templates/custom.txt line 6: no value for contact.school "
        "(contact Ada Lovelace <ada@example.org>)"
    )
    assert isinstance(error, TemplateFileError) and error.line == 6
    assert error.hint is not None
    assert "{{ contact.school | default('') }}" in error.hint
    assert "column" in error.hint


def test_a_missing_user_key_points_at_config_toml() -> None:
    template = workspace_template("Subject: From {{ user.school }}\n\nHi\n")
    with pytest.raises(TemplateError, match=r"custom\.txt line 1: no value for user\.school") as e:
        render(template, ada_context())
    assert e.value.hint is not None and "[user]" in e.value.hint


def test_a_template_needing_a_referrer_says_so() -> None:
    template = workspace_template("Subject: Hi\n\n{{ referrer.name }} sent me\n")
    with pytest.raises(TemplateError, match=r"line 3: referrer\.name is used, but this contact"):
        render(template, ada_context())


def test_an_unknown_variable_is_named() -> None:
    template = workspace_template("Subject: Hi\n\n\n{{ contcat.name }}\n")
    with pytest.raises(TemplateError, match=r"line 4: unknown variable 'contcat'"):
        render(template, ada_context())


def test_a_syntax_error_names_the_line_counting_headers() -> None:
    template = workspace_template(
        "Subject: Hi\nKind: outreach\nDescription: x\n\nOne\nTwo {{ contact.name | }}\nThree\n"
    )
    with pytest.raises(TemplateError, match=r"custom\.txt line 6: ") as caught:
        render(template, ada_context())
    assert "Ada Lovelace" in str(caught.value)


def test_python_errors_inside_templates_become_template_errors() -> None:
    template = workspace_template("Subject: Hi\n\nA\n{{ 1 / 0 }}\n")
    with pytest.raises(TemplateError, match=r"line 4: ZeroDivisionError"):
        render(template, ada_context())


def test_an_empty_subject_is_an_error() -> None:
    template = workspace_template("Subject: {{ contact.title }}\n\nHi\n")
    with pytest.raises(TemplateError, match=r"line 1: the subject is empty"):
        render(template, ada_context())


# --- the sandbox -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "expression",
    [
        "{{ ''.__class__.__mro__ }}",
        "{{ contact.__class__ }}",
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ lipsum.__globals__ }}",
        "{{ cycler.__init__.__globals__.os }}",
        "{{ contact.update({'name': 'x'}) }}",
        "{{ slots.append(1) }}",
        "{{ 'x' * 10000000 }}",
        "{{ 10 ** 100000 }}",
        "{{ range(10 ** 9) | list }}",
        "{{ '{0.__class__}'.format(1) }}",
    ],
)
def test_the_sandbox_blocks_code(expression: str) -> None:
    template = workspace_template(f"Subject: Hi\n\nLine\n{expression}\n")
    with pytest.raises(TemplateError, match=r"custom\.txt line 4: ") as caught:
        render(template, ada_context())
    assert "Ada Lovelace" in str(caught.value)


@pytest.mark.parametrize(
    "value",
    ["{{ 7*7 }}", "{% for %}", "{{ user.email }}", "{# x #}", "{% raw %}", "}}{{", "${HOME}"],
)
def test_contact_values_are_data_never_template_source(value: str) -> None:
    contact = Contact(id=1, name=value, email="x@example.org", org=value, extra={"school": value})
    context = RenderContext.for_contact(contact, USER, today=date(2026, 3, 2))
    template = workspace_template(
        "Subject: About {{ contact.org }}\n\n{{ contact.name }}|{{ contact.school }}\n"
    )
    message = render(template, context)
    assert message.subject == f"About {value}"
    assert message.text == f"{value}|{value}\n"


def test_the_subject_is_always_one_line() -> None:
    contact = Contact(id=1, name="A", email="a@example.org", org="Acme\r\nBcc: evil@example.com\n")
    context = RenderContext.for_contact(contact, USER, today=date(2026, 3, 2))
    template = workspace_template("Subject: Hello   from\t{{ contact.org }}  \n\nHi\n")
    assert render(template, context).subject == "Hello from Acme Bcc: evil@example.com"


def test_contact_columns_win_over_dict_methods() -> None:
    contact = Contact(id=1, name="A", email="a@example.org", extra={"items": "3", "update": "u"})
    context = RenderContext.for_contact(contact, USER, today=date(2026, 3, 2))
    template = workspace_template(
        "Subject: x\n\n{{ contact.items }} {{ contact.update }} {{ contact.get('items') }} "
        "{{ contact.missing | default('none') }} {{ contact.keys_x | default('d') }}\n"
    )
    assert render(template, context).text == "3 u 3 none d\n"


def test_the_context_is_not_shared_between_renders() -> None:
    context = ada_context()
    template = workspace_template("Subject: x\n\n{% set contact = {} %}{{ contact }}\n")
    render(template, context)
    assert context.contact["name"] == "Ada Lovelace"


# --- output shape ------------------------------------------------------------------------------


def test_blank_lines_left_by_empty_blocks_are_collapsed() -> None:
    template = workspace_template(
        "Subject: x\n\n\nHi\n\n{% if contact.title %}\nTitle\n{% endif %}\n\n\nBye\n{{ '' }}   \n\n"
    )
    assert render(template, ada_context()).text == "Hi\n\nBye\n"


def test_format_html_adds_an_escaped_html_alternative() -> None:
    contact = Contact(id=1, name="<b>Ada</b> & co", email="a@example.org")
    context = RenderContext.for_contact(contact, USER, today=date(2026, 3, 2), slots=["Mon <9>"])
    template = workspace_template(
        "Subject: Hi {{ contact.name }}\nFormat: html\n\nHi {{ contact.name }},\n\n"
        "{{ slots | bulleted }}\nBye\n"
    )
    message = render(template, context)
    assert message.subject == "Hi <b>Ada</b> & co"
    assert message.text == "Hi <b>Ada</b> & co,\n\n- Mon <9>\nBye\n"
    assert message.html is not None
    assert "<p>Hi &lt;b&gt;Ada&lt;/b&gt; &amp; co,</p>" in message.html
    assert "<p>- Mon &lt;9&gt;<br>\nBye</p>" in message.html
    assert "<b>" not in message.html


def test_text_to_html_escapes_and_makes_paragraphs() -> None:
    assert (
        text_to_html("a < b\nc\n\nd\n")
        == "<html><body>\n<p>a &lt; b<br>\nc</p>\n<p>d</p>\n</body></html>\n"
    )


def test_user_vars_include_extras_and_a_first_name() -> None:
    values = user_vars(UserConfig(name="Dr. Alex Morgan", extra={"school": "Leeds"}))
    assert values["school"] == "Leeds"
    assert values["first_name"] == "Alex"
    assert values["timezone"] == "UTC"


def test_meeting_vars_accept_referral_strings() -> None:
    meeting = meeting_vars(
        start="s", end="e", referrals=["Grace Hopper <grace@example.com>", {"name": "Kay"}]
    )
    assert meeting["when"] == "s"
    assert meeting["referrals"] == [
        {"name": "Grace Hopper", "email": "grace@example.com", "first_name": "Grace"},
        {"name": "Kay", "email": "", "first_name": "Kay"},
    ]


# --- filters -----------------------------------------------------------------------------------


def test_filters() -> None:
    assert bulleted(["a", "b"]) == "- a\n- b"
    assert bulleted("one\n\n* two\n3. three") == "- one\n- two\n- three"
    assert bulleted([]) == ""
    assert join_and(["A"]) == "A"
    assert join_and(["A", "B"]) == "A and B"
    assert join_and(["A", "B", "C"]) == "A, B and C"
    assert join_and([{"name": "Grace"}, {"name": "Kay"}], "or") == "Grace or Kay"
    assert first_name("Dr. Ada Lovelace") == "Ada"
    assert first_name("Lovelace, Ada") == "Ada"
    assert first_name({"name": "Ada Lovelace", "first_name": ""}) == "Ada"
    assert first_name("") == ""
    assert first_item("- building things.\n- other") == "building things"
    assert first_item([]) == ""


def test_rendering_many_contacts_is_fast() -> None:
    import time

    template = load_templates(None)["outreach"]
    started = time.perf_counter()
    for number in range(300):
        contact = Contact(id=number, name=f"Person {number}", email=f"p{number}@example.org")
        render(template, RenderContext.for_contact(contact, USER, today=date(2026, 3, 2)))
    assert time.perf_counter() - started < 3
