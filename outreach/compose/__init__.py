"""Composing messages: template files, the Jinja sandbox, etiquette lint and MIME building.

Everything here is pure (values in, values out) except :func:`templates.load_templates`, the one
small adapter that reads template files from disk.

- :mod:`outreach.compose.templates`: the template file format, loading built-ins and workspace
  overrides, parsing headers.
- :mod:`outreach.compose.render`: the sandboxed environment, filters, :class:`RenderContext` and
  :func:`render`, which turns a template and a context into a :class:`RenderedMessage`.
- :mod:`outreach.compose.lint`: etiquette rules from ETIQUETTE.md, per template kind.
- :mod:`outreach.compose.mime`: ``EmailMessage`` building for plain messages, thread replies and
  calendar invites.
"""

from __future__ import annotations

from outreach.compose.lint import LintFinding, lint, sample_context
from outreach.compose.mime import (
    build_invite_message,
    build_message,
    make_message_id,
    reply_subject,
)
from outreach.compose.render import (
    RenderContext,
    RenderedMessage,
    meeting_vars,
    render,
    user_vars,
)
from outreach.compose.templates import (
    KINDS,
    TemplateSource,
    get_template,
    list_templates,
    load_templates,
    parse_template,
)

__all__ = [
    "KINDS",
    "LintFinding",
    "RenderContext",
    "RenderedMessage",
    "TemplateSource",
    "build_invite_message",
    "build_message",
    "get_template",
    "lint",
    "list_templates",
    "load_templates",
    "make_message_id",
    "meeting_vars",
    "parse_template",
    "render",
    "reply_subject",
    "sample_context",
    "user_vars",
]
