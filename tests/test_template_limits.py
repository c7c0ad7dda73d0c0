"""Templates have resource limits: padding to 400 MB, or two nested loops over range(100000),
end at once with an error that names the template and the line, in `templates preview`,
`templates lint` and `draft`; an ordinary template is untouched by the limits."""

from __future__ import annotations

from pathlib import Path

import pytest

from outreach.compose.limits import MAX_STEPS, MAX_TEXT
from outreach.compose.render import render
from outreach.errors import TemplateError
from tests.conftest import Invoke
from tests.test_compose_render import ada_context, workspace_template

HEAD = "Subject: A question\nKind: outreach\n\nHi {{ contact.first_name }},\n"

HOSTILE = {
    "center": "{{ 'a'|center(400000000) }}",
    "ljust": "{{ 'a'.ljust(400000000) }}",
    "rjust": "{{ 'a'.rjust(400000000) }}",
    "zfill": "{{ '1'.zfill(400000000) }}",
    "indent": "{{ ('a' * 1000)|indent(400000, true) }}",
    "str.format width": "{{ '{:>400000000}'.format('a') }}",
    "printf width": "{{ '%400000000s' % 'a' }}",
    "format filter": "{{ '%400000000s'|format('a') }}",
    "wordwrap": "{{ ('a' * 99999)|wordwrap(1, wrapstring='x' * 1000) }}",
    "replace": "{{ ('a' * 10000).replace('a', 'a' * 10000) }}",
    "join": "{{ range(100000)|join('a' * 100000) }}",
    "batch fill": "{{ [1]|batch(400000000, 'x')|list|length }}",
    "lipsum": "{{ lipsum(400000000) }}",
    "nested loops": (
        "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}"
    ),
    "loop output": "{% for i in range(9000) %}{{ 'a' * 1000 }}{% endfor %}",
    "doubling": (
        "{% set ns = namespace(x='a' * 1000) %}"
        "{% for i in range(40) %}{% set ns.x = ns.x ~ ns.x %}{% endfor %}{{ ns.x|length }}"
    ),
    "recursive doubling": (
        "{% macro d(s, n) %}{% if n %}{{ d(s ~ s, n - 1) }}{% else %}{{ s|length }}"
        "{% endif %}{% endmacro %}{{ d('a', 40) }}"
    ),
    "macro fan-out": (
        "{% macro f(n) %}{% if n %}{{ f(n - 1) }}{{ f(n - 1) }}{% endif %}{% endmacro %}"
        "{{ f(30) }}"
    ),
    "huge numbers": (
        "{% set ns = namespace(x=10 ** 100) %}"
        "{% for i in range(40) %}{% set ns.x = ns.x * ns.x %}{% endfor %}{{ 1 }}"
    ),
}


@pytest.mark.parametrize("body", list(HOSTILE.values()), ids=list(HOSTILE))
def test_a_template_that_builds_too_much_fails_at_its_line(body: str) -> None:
    template = workspace_template(HEAD + body + "\nThanks\n")
    with pytest.raises(TemplateError) as caught:
        render(template, ada_context())
    message = caught.value.message
    assert message.startswith("/ws/templates/custom.txt line 5: the template does too much")
    assert "Ada Lovelace" in message
    assert f"{MAX_TEXT:,} characters" in (caught.value.hint or "")


def test_ordinary_templates_loop_format_and_pad_as_before() -> None:
    body = (
        "{% for slot in slots %}{{ loop.index }}. {{ slot }}\n{% endfor %}"
        "{{ 'x'|center(9) }}|{{ '%5s' % 'ab' }}|{{ '{:>4}'.format('c') }}|"
        "{{ ['a', 'b']|join(', ') }}|{{ 'hi\\nyou'|indent(2) }}\n"
        "{% for field, value in contact.items() %}{% endfor %}{{ range(50)|sum }}"
    )
    rendered = render(workspace_template(HEAD + body + "\n"), ada_context())
    assert "1. " in rendered.text and "3. " in rendered.text
    assert "    x    |   ab|   c|a, b|hi\n  you" in rendered.text
    assert "1225" in rendered.text


def test_the_work_limit_counts_loops_across_the_whole_message() -> None:
    near = "{% for i in range(" + str(MAX_STEPS // 2 - 10) + ") %}{% endfor %}"
    assert render(workspace_template(HEAD + near * 2 + "\n"), ada_context())
    with pytest.raises(TemplateError, match="more than 10,000 loop iterations"):
        render(workspace_template(HEAD + near * 3 + "\n"), ada_context())


@pytest.fixture
def padded(workspace: Path, run: Invoke) -> Path:
    assert run("contacts", "add", "ada@example.org", "--name", "Ada Lovelace").exit_code == 0
    path = workspace / "templates" / "padded.txt"
    path.write_text(
        "Subject: Hello\nKind: outreach\n\nHi {{ contact.first_name }},\n"
        "{{ 'a'|center(400000000) }}\nI found you through the alumni list; 20 minutes?\n",
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize(
    "args",
    [
        ("templates", "preview", "padded", "ada@example.org"),
        ("templates", "lint", "padded"),
        ("draft", "padded", "ada@example.org"),
    ],
    ids=["preview", "lint", "draft"],
)
def test_preview_lint_and_draft_stop_with_the_template_and_line(
    padded: Path, run: Invoke, args: tuple[str, ...]
) -> None:
    result = run(*args)
    assert result.exit_code == 1, result.output
    assert f"{padded} line 5" in result.output
    assert "center() would be 400,000,000 characters long" in result.output
    assert not (padded.parent.parent / "outbox" / "cur").exists() or not list(
        (padded.parent.parent / "outbox" / "cur").iterdir()
    )
