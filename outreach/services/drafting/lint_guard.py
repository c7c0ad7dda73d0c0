"""Lint guards drafting: what `templates lint` rejects is never drafted.

`draft` and `followup` check the template against the etiquette rules once, and each message
as it was rendered for its contact (a contact's own ``interest`` column can ask for a job even
when the template does not). Errors stop the run before anything is written, listing every
one; the user may override with ``--ignore-lint``. Warnings do not stop a run: `templates lint`
shows them.
"""

from __future__ import annotations

from outreach.app import AppContext
from outreach.compose.lint import ERROR, LintFinding, lint, lint_rendered, sample_context
from outreach.compose.render import RenderContext, RenderedMessage, compile_template
from outreach.compose.templates import TemplateSource
from outreach.contacts.model import Contact
from outreach.errors import TemplateError

__all__ = ["LintGuard"]

MAX_LISTED = 20
# Failures to render are reported by rendering itself, naming the contact and the line.
_RENDERING_RULES = frozenset({"syntax", "render"})


class LintGuard:
    """Collects etiquette errors while a run renders its messages."""

    def __init__(self, app: AppContext, source: TemplateSource) -> None:
        self.source = source
        compile_template(source)  # a syntax error is reported as itself, with file and line
        self.template_errors = [
            f
            for f in lint(
                source,
                sample_context(
                    app.config.user, meeting_minutes=app.config.schedule.meeting_minutes
                ),
            )
            if f.severity == ERROR and f.rule not in _RENDERING_RULES
        ]
        self.contact_errors: list[tuple[str, LintFinding]] = []
        if self.template_errors:
            self.raise_if_failed()

    def check(self, contact: Contact, rendered: RenderedMessage, context: RenderContext) -> None:
        for finding in lint_rendered(self.source, rendered, context):
            if finding.severity == ERROR:
                self.contact_errors.append((contact.label(), finding))

    def raise_if_failed(self) -> None:
        lines = [str(finding) for finding in self.template_errors]
        lines += [f"for {label}: {finding}" for label, finding in self.contact_errors]
        if not lines:
            return
        shown = lines[:MAX_LISTED]
        if len(lines) > MAX_LISTED:
            shown.append(f"... and {len(lines) - MAX_LISTED} more")
        more = "".join(f"\n  {line}" for line in shown[1:])
        raise TemplateError(
            f"Nothing was drafted: {shown[0]}{more}",
            hint=f"Fix it (`outreach templates lint {self.source.name}` explains each rule), "
            "or pass --ignore-lint to draft it anyway.",
        )
