"""MIME building: exact header sets, no header injection, threading, and invite structure."""

from __future__ import annotations

import email
import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from email import policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from outreach.compose.lint import sample_context
from outreach.compose.mime import (
    build_invite_message,
    build_message,
    make_message_id,
    reply_subject,
    safe_display_name,
)
from outreach.compose.render import RenderedMessage, render
from outreach.compose.templates import TemplateSource, load_templates
from outreach.contacts.model import Contact
from outreach.errors import ContactError, MailError

WHEN = datetime(2026, 3, 2, 9, 0, tzinfo=timezone(timedelta(hours=-5)))
BASE_HEADERS = {
    "from",
    "to",
    "subject",
    "date",
    "message-id",
    "mime-version",
    "content-type",
    "content-transfer-encoding",
}
ICS = (
    b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//outreach//EN\r\nMETHOD:REQUEST\r\n"
    b"BEGIN:VEVENT\r\nUID:abc@example.com\r\nSUMMARY:Caf\xc3\xa9 chat\r\nEND:VEVENT\r\n"
    b"END:VCALENDAR\r\n"
)


def plain(
    subject: str = "Hello", text: str = "Hi Ada,\n", html: str | None = None
) -> RenderedMessage:
    return RenderedMessage(subject=subject, text=text, html=html, template_name="outreach")


def build(**changes: object) -> EmailMessage:
    arguments: dict[str, object] = {
        "rendered": plain(),
        "from_name": "Alex Morgan",
        "from_email": "alex@example.com",
        "to_name": "Ada Lovelace",
        "to_email": "ada@example.org",
        "message_id": "<outreach.1@example.com>",
        "date": WHEN,
    }
    arguments.update(changes)
    return build_message(**arguments)  # type: ignore[arg-type]


def parse(msg: EmailMessage) -> EmailMessage:
    parsed = email.message_from_bytes(msg.as_bytes(), policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def header_names(msg: EmailMessage) -> set[str]:
    return {name.lower() for name in msg}


# --- plain messages ----------------------------------------------------------------------------


def test_a_plain_message_has_exactly_the_intended_headers() -> None:
    parsed = parse(build())
    assert header_names(parsed) == BASE_HEADERS
    assert str(parsed["From"]) == "Alex Morgan <alex@example.com>"
    assert str(parsed["To"]) == "Ada Lovelace <ada@example.org>"
    assert parsed["Subject"] == "Hello"
    assert parsed["Message-ID"] == "<outreach.1@example.com>"
    assert parsed["Date"].datetime == WHEN
    assert parsed.get_content_type() == "text/plain"
    assert parsed.get_content_charset() == "utf-8"
    assert parsed.get_content() == "Hi Ada,\n"


def test_an_html_part_makes_multipart_alternative() -> None:
    parsed = parse(build(rendered=plain(html="<p>Hi Ada,</p>")))
    assert parsed.get_content_type() == "multipart/alternative"
    types = [part.get_content_type() for part in parsed.iter_parts()]
    assert types == ["text/plain", "text/html"]
    body = parsed.get_body(("html",))
    assert body is not None and "<p>Hi Ada,</p>" in body.get_content()


def test_non_ascii_names_subject_and_body_are_encoded() -> None:
    msg = build(
        rendered=plain(subject="Über café ☕", text="Grüße, Zoë\n"),
        to_name="Zoë Ørsted-Łukasz",
    )
    raw = msg.as_bytes()
    head = raw.split(b"\n\n", 1)[0]
    assert head.isascii()
    parsed = parse(msg)
    assert parsed["Subject"] == "Über café ☕"
    assert parsed["To"].addresses[0].display_name == "Zoë Ørsted-Łukasz"
    assert parsed.get_content() == "Grüße, Zoë\n"


def test_an_internationalised_domain_is_punycoded() -> None:
    parsed = parse(build(to_email="ada@bücher.example"))
    assert parsed["To"].addresses[0].domain == "xn--bcher-kva.example"


@pytest.mark.parametrize(
    "name",
    [
        "Ada\r\nBcc: evil@example.com",
        "Ada\nBcc: evil@example.com",
        "Bcc: evil@x",
        "Ada, evil@example.com",
        "=?utf-8?q?a=2C_evil=40example=2Ecom=2C?=",
        "x =?utf-8?b?QmNjOiBldmlsQHg=?= y",
        '"Ada" <evil@example.com>',
        "Ada\x00\x07\x1b",
    ],
)
def test_a_hostile_name_cannot_add_headers_or_recipients(name: str) -> None:
    parsed = parse(build(to_name=name, from_name=name))
    assert header_names(parsed) == BASE_HEADERS
    for header in ("To", "From"):
        addresses = parsed[header].addresses
        assert len(addresses) == 1
    assert parsed["To"].addresses[0].addr_spec == "ada@example.org"
    assert parsed["From"].addresses[0].addr_spec == "alex@example.com"
    assert b"evil@" not in b"".join(
        line for line in parsed.as_bytes().split(b"\n") if line.lower().startswith(b"bcc")
    )


def test_display_names_are_single_line_and_capped() -> None:
    assert safe_display_name("  Ada\r\n  Lovelace\t") == "Ada Lovelace"
    assert safe_display_name("=?utf-8?q?x?=") == "= ?utf-8?q?x?="
    assert len(safe_display_name("x" * 500)) == 100


def test_a_hostile_subject_stays_one_header() -> None:
    parsed = parse(build(rendered=plain(subject="Hi\r\nBcc: evil@example.com\r\n\r\nbody")))
    assert header_names(parsed) == BASE_HEADERS
    assert parsed["Subject"] == "Hi Bcc: evil@example.com body"


@pytest.mark.parametrize("address", ["", "ada", "ada@", "a b@example.org", "a@b\r\nBcc: x@y"])
def test_a_bad_contact_address_is_a_contact_error(address: str) -> None:
    with pytest.raises(ContactError):
        build(to_email=address)


def test_a_bad_sender_address_is_a_mail_error() -> None:
    with pytest.raises(MailError):
        build(from_email="not an address")


def test_a_naive_date_or_bad_message_id_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone"):
        build(date=datetime(2026, 3, 2, 9, 0))
    with pytest.raises(ValueError, match="Message-ID"):
        build(message_id="<a b@c>")


# --- threading ---------------------------------------------------------------------------------


def test_a_reply_sets_re_subject_in_reply_to_and_references() -> None:
    parsed = parse(
        build(
            rendered=plain(subject="Thank you"),
            in_reply_to="<first@mail.gmail.com>",
            references=["<zero@mail.gmail.com>"],
            reply_subject="Could I ask about your work?",
        )
    )
    assert header_names(parsed) == BASE_HEADERS | {"in-reply-to", "references"}
    assert parsed["Subject"] == "Re: Could I ask about your work?"
    assert parsed["In-Reply-To"] == "<first@mail.gmail.com>"
    assert parsed["References"] == "<zero@mail.gmail.com> <first@mail.gmail.com>"


def test_a_reply_without_an_original_subject_uses_the_rendered_one() -> None:
    parsed = parse(build(rendered=plain(subject="Re: Hello"), in_reply_to="first@x.example"))
    assert parsed["Subject"] == "Re: Hello"
    assert parsed["In-Reply-To"] == "<first@x.example>"
    assert parsed["References"] == "<first@x.example>"


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        ("Hello", "Re: Hello"),
        ("Re: Hello", "Re: Hello"),
        ("RE: re: Hello", "Re: Hello"),
        ("Re:Hello", "Re: Hello"),
        ("AW: Hallo", "Re: Hallo"),
        ("Re[2]: Hello", "Re: Hello"),
        ("Regarding the role", "Re: Regarding the role"),
    ],
)
def test_reply_subject_never_doubles_re(subject: str, expected: str) -> None:
    assert reply_subject(subject) == expected


def test_message_ids() -> None:
    first = make_message_id("alex@example.com")
    assert re.fullmatch(r"<outreach\.[0-9a-f]{32}@example\.com>", first)
    assert make_message_id("example.com") != first
    assert make_message_id("example.com", seed="k1") == make_message_id("example.com", seed="k1")
    assert make_message_id("example.com", seed="k1") != make_message_id("example.com", seed="k2")
    assert make_message_id("bad domain\r\n").endswith("@baddomain>")
    assert make_message_id("").endswith("@outreach.invalid>")
    assert make_message_id("bücher.example").endswith("@xn--bcher-kva.example>")


# --- invites -----------------------------------------------------------------------------------


def invite(method: str = "REQUEST", ics: bytes = ICS, html: str | None = None) -> EmailMessage:
    return build_invite_message(
        rendered=plain(subject="Confirmed", text="See you Tuesday & then.\n", html=html),
        from_name="Alex Morgan",
        from_email="alex@example.com",
        to_name="Ada Lovelace",
        to_email="ada@example.org",
        message_id="<outreach.2@example.com>",
        date=WHEN,
        ics=ics,
        method=method,
        in_reply_to="<first@mail.gmail.com>",
        reply_subject="Could I ask about your work?",
    )


def test_an_invite_has_the_structure_calendars_expect() -> None:
    parsed = parse(invite())
    assert header_names(parsed) == {
        "from", "to", "subject", "date", "message-id", "mime-version", "content-type",
        "in-reply-to", "references",
    }  # fmt: skip
    assert parsed["Subject"] == "Re: Could I ask about your work?"
    assert parsed.get_content_type() == "multipart/mixed"
    alternative, attachment = list(parsed.iter_parts())
    assert alternative.get_content_type() == "multipart/alternative"
    plain_part, html_part, calendar = list(alternative.iter_parts())
    assert plain_part.get_content_type() == "text/plain"
    assert plain_part.get_content() == "See you Tuesday & then.\n"
    assert html_part.get_content_type() == "text/html"
    assert "See you Tuesday &amp; then." in html_part.get_content()
    assert calendar.get_content_type() == "text/calendar"
    assert calendar.get_param("method") == "REQUEST"
    assert calendar.get_content_charset() == "utf-8"
    assert calendar.get_payload(decode=True) == ICS
    assert attachment.get_content_disposition() == "attachment"
    assert attachment.get_filename() == "invite.ics"
    assert attachment.get_content_type() in ("application/ics", "text/calendar")
    assert attachment.get_payload(decode=True) == ICS
    for part in parsed.walk():
        if part is not parsed:
            assert "MIME-Version" not in part


def test_a_cancellation_uses_method_cancel_and_a_given_html_part() -> None:
    cancel = ICS.replace(b"METHOD:REQUEST", b"METHOD:CANCEL")
    parsed = parse(invite("CANCEL", cancel, html="<p>Cancelled</p>"))
    calendar = parsed.get_body(("calendar",))
    assert calendar is not None
    assert calendar.get_param("method") == "CANCEL"
    html_part = parsed.get_body(("html",))
    assert html_part is not None and "<p>Cancelled</p>" in html_part.get_content()


def test_an_invite_method_must_match_the_calendar() -> None:
    with pytest.raises(ValueError, match="METHOD"):
        invite("CANCEL")
    with pytest.raises(ValueError, match="method"):
        invite("PUBLISH")
    with pytest.raises(ValueError, match="UTF-8"):
        invite(ics=b"METHOD:REQUEST\r\n\xff")


def test_a_confirm_builtin_becomes_an_invite() -> None:
    rendered = render(load_templates(None)["confirm"], sample_context())
    msg = build_invite_message(
        rendered=rendered,
        from_name="Alex",
        from_email="alex@example.com",
        to_name="Maya Chen",
        to_email="maya@example.org",
        message_id=make_message_id("example.com", seed="confirm-1"),
        date=datetime(2026, 3, 2, 14, 0, tzinfo=UTC),
        ics=ICS,
    )
    parsed = parse(msg)
    html_part = parsed.get_body(("html",))
    assert html_part is not None and "<p>Hi Maya,</p>" in html_part.get_content()


# --- properties --------------------------------------------------------------------------------

encoded_words = st.builds(
    lambda charset, enc, text, pre, post: f"{pre}=?{charset}?{enc}?{text}?={post}",
    st.sampled_from(["utf-8", "UTF-8", "iso-8859-1", "x"]),
    st.sampled_from(["q", "Q", "b", "B"]),
    st.sampled_from(
        ["a=2C_evil=40x=2C", "QmNjOiBldmlsQHg=", "=0D=0ABcc:_evil@x", "evil", "", "_<x@y>_"]
    ),
    st.text(max_size=5),
    st.text(max_size=5),
)
hostile_text = st.one_of(
    st.text(max_size=200),
    st.text(alphabet=st.sampled_from(list(' \r\n\t"\\,;:<>()@=?_éü☕\x00\u2028')), max_size=80),
    encoded_words,
    st.builds(lambda a, b: a + b, encoded_words, encoded_words),
    st.text(min_size=300, max_size=400),
    st.just("Zoë " * 40),
)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(to_name=hostile_text, from_name=hostile_text, subject=hostile_text, body=st.text())
def test_any_names_and_subject_give_exactly_the_intended_headers(
    to_name: str, from_name: str, subject: str, body: str
) -> None:
    msg = build(
        rendered=plain(subject=subject or "x", text=body),
        to_name=to_name,
        from_name=from_name,
        in_reply_to="<first@mail.gmail.com>",
    )
    parsed = parse(msg)
    assert header_names(parsed) == BASE_HEADERS | {"in-reply-to", "references"}
    for header, address, name in (
        ("To", "ada@example.org", to_name),
        ("From", "alex@example.com", from_name),
    ):
        assert len(parsed.get_all(header, [])) == 1
        addresses = parsed[header].addresses
        assert len(addresses) == 1
        assert addresses[0].addr_spec == address
        got = "".join(addresses[0].display_name.split())
        assert got == "".join(safe_display_name(name).split())
    assert "\n" not in parsed["Subject"] and "\r" not in parsed["Subject"]


contact_values = st.one_of(
    st.text(max_size=60),
    st.sampled_from(["{{ 7*7 }}", "{% for %}", "=?utf-8?q?a=2C_evil=40x?=", "Bcc: evil@x\r\n"]),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=contact_values, org=contact_values, title=contact_values, extra=contact_values)
def test_builtins_render_and_build_for_any_contact_fields(
    name: str, org: str, title: str, extra: str
) -> None:
    contact = Contact(
        id=1,
        name=name or "x",
        email="ada@example.org",
        org=org,
        title=title,
        extra={"connection": extra, "interest": extra},
    )
    base = sample_context()
    context = replace(base, contact=contact.template_vars(), contact_label=contact.label())
    for template in load_templates(None).values():
        rendered = render(template, context)
        assert "\n" not in rendered.subject
        msg = build(rendered=rendered, to_name=contact.name)
        parsed = parse(msg)
        assert header_names(parsed) == BASE_HEADERS
        assert len(parsed["To"].addresses) == 1


def test_template_source_is_hashable_for_the_compile_cache() -> None:
    source = TemplateSource("a", "Subject: x\n\ny\n", Path("a.txt"), builtin=False)
    assert hash(source) == hash(TemplateSource("a", "Subject: x\n\ny\n", Path("a.txt"), False))
