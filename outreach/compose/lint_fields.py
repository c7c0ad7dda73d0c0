"""The ``fields`` rule: which ``contact.X`` and ``user.X`` reads can fail, which look like
typos, and the "did you mean" for each."""

from __future__ import annotations

import re

from outreach.compose.lint_findings import ERROR, STANDARD_CONTACT_FIELDS, WARNING, Findings
from outreach.compose.render import RenderContext, suggest_field


class FieldCheck:
    """The ``fields`` rule for one template: which ``contact.X`` and ``user.X`` reads can fail,
    which look like typos, and the "did you mean" for each."""

    def __init__(
        self, found: Findings, context: RenderContext, known: frozenset[str] | None
    ) -> None:
        self.found = found
        self.context = context
        self.known = known

    def line_of(self, name: str) -> int | None:
        """The file line where the variable ``name`` is first used (as a whole word)."""
        parsed = self.found.parsed
        word = re.compile(rf"(?<![\w.]){re.escape(name)}\b")
        if word.search(parsed.subject):
            return parsed.subject_line
        for offset, text in enumerate(parsed.body.split("\n")):
            if word.search(text):
                return parsed.body_line + offset
        return None

    def read(self, path: str, line: int, *, guarded: bool) -> str | None:
        """Report one field read; returns "contact" or "user" when the sample lacks it."""
        root, _, name = path.partition(".")
        if root == "contact":
            return self._contact(name, line, guarded)
        if root == "user" and name not in self.context.user:
            known = [*self.context.user, "intro", "field", "school"]
            close = suggest_field(name, known)
            if guarded:
                if close is not None and close in self.context.user:
                    self.found.add(
                        "fields",
                        WARNING,
                        f"user.{name} is never set; did you mean user.{close}?",
                        line,
                    )
                return None
            maybe = f"; did you mean user.{close}?" if close else ""
            self.found.add(
                "fields",
                ERROR,
                f"user.{name} is not set under [user] in config.toml, so every draft fails"
                f"{maybe} (write {{{{ user.{name} | default('') }}}} if it is optional)",
                line,
            )
            return "user"
        return None

    def _contact(self, name: str, line: int, guarded: bool) -> str | None:
        if name in STANDARD_CONTACT_FIELDS:
            return None
        known = self.known or frozenset()
        if name in known:
            if not guarded:
                self.found.add(
                    "fields",
                    WARNING,
                    f"contact.{name} is not a standard field: drafting fails for every "
                    f"contact without a {name!r} column; write "
                    f"{{{{ contact.{name} | default('') }}}} if it is optional",
                    line,
                )
            return None if guarded else "contact"
        close = suggest_field(name, [*STANDARD_CONTACT_FIELDS, *known])
        if guarded:
            if close is not None:
                self.found.add(
                    "fields",
                    WARNING,
                    f"no contact has a {name!r} field, so this is always empty; did you mean "
                    f"contact.{close}?",
                    line,
                )
            return None
        if close is not None or known:
            maybe = f"; did you mean contact.{close}?" if close else ""
            self.found.add(
                "fields",
                ERROR,
                f"contact.{name} is not a field of any contact{maybe} (an optional column: "
                f"{{% if contact.{name} %}}...{{% endif %}} or {{{{ contact.{name} | "
                "default('') }})",
                line,
            )
            return "contact"
        self.found.add(
            "fields",
            WARNING,
            f"contact.{name} is not a standard field: drafting fails for every contact without "
            f"a {name!r} column; write {{{{ contact.{name} | default('') }}}} if it is optional",
            line,
        )
        return "contact"
