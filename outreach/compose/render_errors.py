"""Turning a failure inside a template into words: which field, what it may have meant, what
to write instead."""

from __future__ import annotations

import re
from collections.abc import Iterable

from outreach.compose.context import VARIABLES

_NO_ATTR_RE = re.compile(r"^'(?P<owner>.+?)' has no attribute '(?P<attr>[^']*)'$")
_UNDEFINED_RE = re.compile(r"^'(?P<name>[^']*)' is undefined$")


def _expression_for(attr: str, source_line: str) -> str | None:
    """Find ``something.attr`` or ``something['attr']`` on the template line."""
    pattern = re.compile(
        r"([A-Za-z_][\w]*(?:\.[A-Za-z_]\w*)*)\s*(?:\.\s*"
        + re.escape(attr)
        + r"\b|\[\s*['\"]"
        + re.escape(attr)
        + r"['\"]\s*\])"
    )
    match = pattern.search(source_line)
    return f"{match.group(1)}.{attr}" if match else None


# Names people reach for, and the field that holds it.
FIELD_ALIASES = {
    "company": "org",
    "organisation": "org",
    "organization": "org",
    "employer": "org",
    "position": "title",
    "job_title": "title",
    "role": "title",
    "surname": "last_name",
    "lastname": "last_name",
    "firstname": "first_name",
    "given_name": "first_name",
    "fullname": "name",
    "full_name": "name",
    "tz": "timezone",
    "time_zone": "timezone",
    "linkedin": "linkedin_url",
    "note": "notes",
    "tag": "tags",
    "mail": "email",
    "email_address": "email",
}


def suggest_field(name: str, candidates: Iterable[str]) -> str | None:
    """The field ``name`` was probably meant to be ("compnay" -> "org", "tittle" -> "title"),
    among ``candidates`` and the usual aliases; None when nothing is close."""
    import difflib

    names = [c for c in dict.fromkeys(candidates) if c != name]
    if name.casefold() in FIELD_ALIASES:
        return FIELD_ALIASES[name.casefold()]
    pool = names + [alias for alias in FIELD_ALIASES if alias != name]
    close = difflib.get_close_matches(name.casefold(), pool, n=1, cutoff=0.75)
    if not close:
        return None
    return FIELD_ALIASES.get(close[0], close[0])


def explain_undefined(
    message: str, source_line: str, contact_keys: Iterable[str] = ()
) -> tuple[str, str]:
    """A clearer message and a hint for an undefined-variable error."""
    generic_hint = (
        "Check the variable name. Templates see: " + ", ".join(VARIABLES) + ". Use "
        "{{ value | default('') }} for a value that may be missing."
    )
    match = _NO_ATTR_RE.match(message)
    if match is None:
        top = _UNDEFINED_RE.match(message)
        if top is not None:
            return f"unknown variable {top.group('name')!r}", generic_hint
        return message, generic_hint
    attr, owner = match.group("attr"), match.group("owner")
    expr = _expression_for(attr, source_line)
    root = expr.split(".", 1)[0] if expr else ""
    if owner == "None" and root in ("referrer", "meeting"):
        if root == "referrer":
            return (
                f"{expr} is used, but this contact has no referrer",
                "Use this template for contacts added with --referred-by, or wrap the line in "
                "{% if referrer %}...{% endif %}.",
            )
        return (
            f"{expr} is used, but this contact has no meeting",
            "Book or record the meeting first (outreach book / outreach met), or wrap the line "
            "in {% if meeting %}...{% endif %}.",
        )
    if root == "contact" and expr is not None:
        close = suggest_field(attr, contact_keys)
        if close is not None:
            return (
                f"no value for {expr}: did you mean contact.{close}?",
                f"Correct the field name, or write {{{{ {expr} | default('') }}}} if it is an "
                "optional column.",
            )
        return (
            f"no value for {expr}",
            f"Add a {attr!r} column to the contact (outreach contacts edit), or write "
            f"{{{{ {expr} | default('') }}}} in the template.",
        )
    if root == "user" and expr is not None:
        return (
            f"no value for {expr}",
            f'Add {attr} = "..." under [user] in config.toml, or write '
            f"{{{{ {expr} | default('') }}}} in the template.",
        )
    if expr is not None:
        return f"no value for {expr}", generic_hint
    return message, generic_hint
