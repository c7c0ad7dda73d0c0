"""Hostile contact fields, through the real path: a CSV is imported, `outreach draft outreach`
writes .eml files to the local outbox, and each file is parsed back.

Whatever the fields hold (any Unicode, CR/LF, quotes, very long values, ``=?utf-8?`` encoded
word look-alikes, ``Bcc:`` lines, extra addresses, Jinja syntax), every draft has exactly the
intended headers, exactly one recipient who is the contact, a one-line subject, and contact
values appear literally: they are data, never template source.
"""

from __future__ import annotations

import csv
import email
import email.policy
import io
import json
import tempfile
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from outreach.cli import cli

EXPECTED_HEADERS = {
    "From",
    "To",
    "Subject",
    "Date",
    "Message-ID",
    "MIME-Version",
    "Content-Type",
    "Content-Transfer-Encoding",
}
USER = "sam@example.edu"
ATTACKER = "attacker.example"
HOSTILE = [
    "\r\nBcc: evil@attacker.example",
    "\nBcc: evil@attacker.example\n",
    "\rCc: evil@attacker.example",
    "=?utf-8?q?a=2C_b=40attacker.example?=",
    "=?utf-8?b?ZXZpbEBhdHRhY2tlci5leGFtcGxl?=",
    "=?UTF-8?Q?=0D=0ABcc:_evil@attacker.example?=",
    '"',
    "'",
    '","',
    ",",
    "\\",
    "<evil@attacker.example>",
    "evil@attacker.example, other@attacker.example",
    "Evil <evil@attacker.example>;",
    "{{ 7*7 }}",
    "{% raw %}",
    "{% endraw %}",
    "{{ ''.__class__.__mro__ }}",
    "{{ contact.email }}",
    "{# comment #}",
    "{%- if true %}",
    "\u202e\u2066",
    "\u2028\u2029\x85",
    "\t\x0b\x0c",
    "é" * 120,
    "x" * 480,
    "Ω≈ç√∫ 漢字 🙂",
]
TEXT = st.text(
    alphabet=st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"),
    max_size=30,
)
FIELD = st.one_of(
    TEXT,
    st.sampled_from(HOSTILE),
    st.lists(st.one_of(st.sampled_from(HOSTILE), TEXT), min_size=1, max_size=4).map("".join),
)
LONG = st.sampled_from(["y" * 600, "z " * 3000])  # past the 500-character limit; a long note


def email_cell(index: int, variant: int) -> str:
    address = f"person{index}@example.org"
    return [
        address,
        address.upper(),
        f"Person {index} <{address}>",
        f"{address}\r\nBcc: evil@{ATTACKER}",
        f'"Evil" <evil@{ATTACKER}>, {address}',
        f"{address}, evil@{ATTACKER}",
        f"{address}\nCc: evil@{ATTACKER}",
    ][variant]


CONTACT = st.fixed_dictionaries(
    {
        "name": FIELD,
        "email": st.one_of(st.sampled_from([0, 1, 2]), st.integers(min_value=0, max_value=6)),
        "org": st.one_of(FIELD, FIELD, LONG),
        "title": FIELD,
        "connection": FIELD,
        "interest": st.one_of(FIELD, FIELD, LONG),
    }
)


def write_csv(path: Path, contacts: list[dict[str, Any]]) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["Name", "Email", "Company", "Title", "Connection", "Interest", "Tags"])
    for index, contact in enumerate(contacts):
        writer.writerow(
            [
                contact["name"],
                email_cell(index, contact["email"]),
                contact["org"],
                contact["title"],
                contact["connection"],
                contact["interest"],
                "fuzz",
            ]
        )
    path.write_text(buffer.getvalue(), encoding="utf-8", newline="")


def invoke(home: Path, *args: str) -> Result:
    env = {"OUTREACH_HOME": str(home), "OUTREACH_NOW": "2026-03-02T09:00:00-05:00"}
    return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)


def assert_clean_failure(result: Result) -> None:
    text = result.output + (result.stderr if result.stderr_bytes is not None else "")
    assert "Traceback" not in text and "Unexpected error" not in text, text


def read_drafts(home: Path) -> list[EmailMessage]:
    drafts = []
    for path in sorted((home / "outbox" / "cur").iterdir()):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        drafts.append(message)
    return drafts


def check_draft(message: EmailMessage, stored: dict[str, dict[str, Any]]) -> None:
    names = list(message.keys())
    assert set(names) == EXPECTED_HEADERS, names
    assert len(names) == len(EXPECTED_HEADERS), names  # each header once
    to = message["To"].addresses
    assert len(to) == 1, str(message["To"])
    recipient = to[0].addr_spec.lower()
    assert recipient in stored, (recipient, sorted(stored))
    assert ATTACKER not in recipient
    sender = message["From"].addresses
    assert len(sender) == 1 and sender[0].addr_spec == USER
    subject = str(message["Subject"])
    assert "\n" not in subject and "\r" not in subject, repr(subject)
    assert subject.strip(), "empty subject"
    body = message.get_body(("plain",))
    assert body is not None
    text = body.get_content()
    contact = stored[recipient]
    # Contact values appear as they were stored, never evaluated as template code.
    interest = contact.get("extra", {}).get("interest")
    if interest:
        assert f"I'm especially interested in {interest}." in text, interest
    org = contact["org"]
    expected = f"Could I ask you about your work{f' at {org}' if org else ''}?"
    # Headers never carry "=?" from data (it would decode as an encoded word); folding may
    # move spaces between encoded words.
    expected = expected.replace("=?", "= ?")
    assert "".join(subject.split()) == "".join(expected.split()), (subject, expected)


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(contacts=st.lists(CONTACT, min_size=2, max_size=4))
def test_hostile_fields_give_exactly_the_intended_headers(
    contacts: list[dict[str, Any]],
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "ws"
        init = invoke(home, "init", "--name", "Sam Rivera", "--email", USER,
                      "--timezone", "America/New_York")
        assert init.exit_code == 0, init.output
        source = Path(tmp) / "people.csv"
        write_csv(source, contacts)
        imported = invoke(home, "contacts", "import", str(source))
        assert imported.exit_code in (0, 1), imported.output
        assert_clean_failure(imported)
        listed = invoke(home, "contacts", "list", "--tag", "fuzz", "--json")
        assert listed.exit_code == 0, listed.output
        stored: dict[str, dict[str, Any]] = {}
        for summary in json.loads(listed.output):
            assert summary["email"], summary  # every row here has an address or is skipped
            shown = invoke(home, "contacts", "show", summary["email"], "--json")
            stored[summary["email"].lower()] = json.loads(shown.output)
        for address in stored:
            assert ATTACKER not in address and "\n" not in address and "," not in address
        event(f"{len(stored)} of {len(contacts)} rows imported")
        if not stored:
            return
        # Hostile fields can also break the etiquette (a 3,000-word "interest"): that is the
        # lint guard's business, tested elsewhere; here only the headers matter.
        drafted = invoke(home, "draft", "outreach", "--tag", "fuzz", "--ignore-lint")
        assert drafted.exit_code == 0, drafted.output
        assert_clean_failure(drafted)
        drafts = read_drafts(home)
        assert len(drafts) == len(stored)
        assert sorted(m["To"].addresses[0].addr_spec.lower() for m in drafts) == sorted(stored)
        for message in drafts:
            check_draft(message, stored)


def test_template_syntax_in_contact_fields_renders_literally(tmp_path: Path) -> None:
    home = tmp_path / "ws"
    assert invoke(home, "init", "--name", "Sam Rivera", "--email", USER).exit_code == 0
    first = {
        "name": "{{ ''.__class__.__mro__ }}",
        "org": "{{ 7*7 }}",
        "title": "{% raw %}",
        "connection": "{{ contact.email }} {% if true %}yes{% endif %}",
        "interest": "{{ user.email }}{# hidden #}{% endraw %}",
        "email": 0,
    }
    second = {**first, "name": "{% raw %}{{ 7*7 }}", "interest": ""}
    source = tmp_path / "people.csv"
    write_csv(source, [first, second])
    assert invoke(home, "contacts", "import", str(source)).exit_code == 0
    result = invoke(home, "draft", "outreach", "--tag", "fuzz")
    assert result.exit_code == 0, result.output
    by_address = {m["To"].addresses[0].addr_spec: m for m in read_drafts(home)}
    one, two = by_address["person0@example.org"], by_address["person1@example.org"]
    texts = [m.get_body(("plain",)).get_content() for m in (one, two)]  # type: ignore[union-attr]
    for message in (one, two):
        assert str(message["Subject"]) == "Could I ask you about your work at {{ 7*7 }}?"
    assert one["To"].addresses[0].display_name == "{{ ''.__class__.__mro__ }}"
    assert texts[0].startswith("Hi {{,")  # the first word of the name, as written
    assert "I found you through {{ contact.email }} {% if true %}yes{% endif %}," in texts[0]
    assert "I'm especially interested in {{ user.email }}{# hidden #}{% endraw %}." in texts[0]
    assert "your role as {% raw %} at {{ 7*7 }}," in texts[1]
    for text in texts:
        assert "49" not in text and "person0@example.org" not in text
        assert "<class" not in text and USER not in text
