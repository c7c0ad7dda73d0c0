"""Template files: the format, built-ins, workspace overrides and broken files."""

from __future__ import annotations

from pathlib import Path

import pytest

from outreach.compose.lint import sample_context
from outreach.compose.render import render
from outreach.compose.templates import (
    KINDS,
    TemplateFileError,
    TemplateSource,
    builtin_templates_dir,
    get_template,
    list_templates,
    load_template,
    load_templates,
    parse_template,
)
from outreach.errors import TemplateError

BAD_DIR = Path(__file__).parent / "data" / "bad" / "templates"
BUILTINS = (
    "cancel", "confirm", "congratulate", "followup", "keepintouch", "newtimes", "outreach",
    "referral", "thankyou"
)


def source(text: str, name: str = "custom") -> TemplateSource:
    return TemplateSource(
        name=name, text=text, path=Path(f"/ws/templates/{name}.txt"), builtin=False
    )


def test_builtins_are_found_in_the_source_checkout() -> None:
    templates = load_templates(None)
    assert tuple(templates) == BUILTINS
    for name, template in templates.items():
        assert template.builtin
        assert template.path.parent == builtin_templates_dir()
        parsed = parse_template(template)
        assert parsed.kind == {"cancel": "confirm"}.get(name, name)  # a cancel is a confirm
        assert parsed.kind in KINDS
        assert parsed.description


def test_a_workspace_file_replaces_the_builtin_of_the_same_name(tmp_path: Path) -> None:
    (tmp_path / "outreach.txt").write_text(
        "Subject: Mine\n\nHello {{ contact.first_name }}\n", encoding="utf-8"
    )
    (tmp_path / "alumni.txt").write_text(
        "Subject: Fellow alum\nKind: outreach\n\nHi\n", encoding="utf-8"
    )
    (tmp_path / "notes.md").write_text("not a template", encoding="utf-8")
    (tmp_path / ".hidden.txt").write_text("Subject: x\n\ny\n", encoding="utf-8")

    templates = load_templates(tmp_path)

    assert set(templates) == {*BUILTINS, "alumni"}
    mine = templates["outreach"]
    assert not mine.builtin and mine.overrides_builtin
    assert mine.path == tmp_path / "outreach.txt"
    assert render(mine, sample_context()).subject == "Mine"
    assert not templates["alumni"].overrides_builtin
    assert parse_template(templates["alumni"]).kind == "outreach"
    assert [t.name for t in list_templates(tmp_path)] == sorted(templates)


def test_a_missing_workspace_templates_dir_means_builtins_only(tmp_path: Path) -> None:
    assert tuple(load_templates(tmp_path / "nope")) == BUILTINS


def test_an_unknown_template_lists_the_known_names() -> None:
    with pytest.raises(TemplateError) as caught:
        get_template(load_templates(None), "outreech")
    message = str(caught.value)
    assert "'outreech'" in message
    for name in BUILTINS:
        assert name in message
    assert caught.value.hint


def test_a_name_with_the_extension_is_accepted(tmp_path: Path) -> None:
    assert load_template(tmp_path, "thankyou.txt").name == "thankyou"


def test_headers_are_case_insensitive_and_lines_are_counted_from_the_top() -> None:
    parsed = parse_template(
        source("subject: Hi {{ contact.first_name }}\nKIND: Followup\nformat: HTML\n\nBody\n")
    )
    assert parsed.subject == "Hi {{ contact.first_name }}"
    assert parsed.subject_line == 1
    assert parsed.kind == "followup"
    assert parsed.format == "html"
    assert parsed.body_line == 5
    assert parsed.body == "Body\n"


def test_crlf_and_a_byte_order_mark_are_accepted() -> None:
    parsed = parse_template(source("\ufeffSubject: Hi\r\n\r\nLine one\r\nLine two\r\n"))
    assert parsed.subject == "Hi"
    assert parsed.body == "Line one\nLine two\n"


def test_without_a_kind_header_the_kind_is_the_name() -> None:
    assert parse_template(source("Subject: x\n\ny\n", name="thankyou")).kind == "thankyou"
    assert parse_template(source("Subject: x\n\ny\n", name="alumni")).kind == "alumni"


@pytest.mark.parametrize(
    ("filename", "line", "words"),
    [
        ("unclosed_tag.txt", 5, "for"),
        ("missing_subject.txt", 1, "Subject"),
        ("unknown_filter.txt", 6, "shout"),
        ("bad_header.txt", 2, "This is not a header"),
        ("unknown_header.txt", 2, "Priority"),
        ("subject_syntax.txt", 1, "end of print statement"),
        ("empty_body.txt", 3, "body is empty"),
        ("unknown_kind.txt", 2, "advertisement"),
    ],
)
def test_broken_templates_give_template_error_with_file_and_line(
    filename: str, line: int, words: str
) -> None:
    template = load_template(BAD_DIR, filename.removesuffix(".txt"))
    with pytest.raises(TemplateError) as caught:
        render(template, sample_context())
    error = caught.value
    assert isinstance(error, TemplateFileError)
    assert str(BAD_DIR / filename) in str(error)
    assert f"line {line}:" in str(error)
    assert error.line == line
    assert words in str(error)
    assert "Maya Chen <maya.chen@example.org>" in str(error)
    assert error.hint


def test_an_unknown_filter_inside_an_if_fails_when_the_branch_runs() -> None:
    template = load_template(BAD_DIR, "unknown_filter_in_if")
    with pytest.raises(TemplateError, match=r"unknown_filter_in_if\.txt line 5: .*shout"):
        render(template, sample_context())


def test_a_file_that_is_not_utf8_is_a_template_error(tmp_path: Path) -> None:
    (tmp_path / "latin.txt").write_bytes(b"Subject: Caf\xe9\n\nHi\n")
    with pytest.raises(TemplateError, match=r"latin\.txt: not UTF-8"):
        load_templates(tmp_path)
