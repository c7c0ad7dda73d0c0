"""What lint reports: a finding, and the collector the rules add findings to."""

from __future__ import annotations

from dataclasses import dataclass

from outreach.compose.templates import ParsedTemplate
from outreach.contacts.model import Contact

ERROR = "error"
WARNING = "warning"

FIRST_MESSAGE_KINDS = frozenset({"outreach", "referral"})
STANDARD_CONTACT_FIELDS = frozenset(Contact(id=0, name="", email=None).template_vars())


@dataclass(frozen=True)
class LintFinding:
    template: str
    rule: str
    severity: str  # "error" or "warning"
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = self.template if self.line is None else f"{self.template} line {self.line}"
        return f"{where}: {self.severity}: {self.message} [{self.rule}]"


class Findings:
    """Findings for one template, each once, with the file line of a phrase."""

    def __init__(self, parsed: ParsedTemplate) -> None:
        self.parsed = parsed
        self.items: list[LintFinding] = []

    def add(self, rule: str, severity: str, message: str, line: int | None = None) -> None:
        finding = LintFinding(self.parsed.source.display, rule, severity, message, line)
        if finding not in self.items:
            self.items.append(finding)

    def line_of(self, phrase: str) -> int | None:
        """The file line whose template text contains ``phrase`` (case-insensitive)."""
        needle = phrase.lower().strip()
        if not needle:
            return None
        if needle in self.parsed.subject.lower():
            return self.parsed.subject_line
        for offset, line in enumerate(self.parsed.body.split("\n")):
            if needle in line.lower():
                return self.parsed.body_line + offset
        return None
