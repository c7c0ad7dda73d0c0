"""Template files: the format, the built-ins and workspace overrides.

A template file (``<name>.txt``) is header lines, one blank line, then the body::

    Subject: Could I ask you about your work at {{ contact.org }}?
    Kind: outreach
    Description: First message to someone you have not met

    Hi {{ contact.first_name }},
    ...

Headers, one per line as ``Name: value`` (names are case-insensitive, each at most once):

- ``Subject`` (required): Jinja, rendered to a single line.
- ``Kind`` (optional): which etiquette rules apply, one of :data:`KINDS`. Without it the kind is
  the template's name, so ``outreach.txt`` is an outreach template and a workspace file such as
  ``alumni.txt`` should say ``Kind: outreach``.
- ``Format`` (optional): ``text`` (default) or ``html``. With ``html`` the message also gets an
  HTML alternative: the same body rendered with autoescaping, paragraphs as ``<p>``.
- ``Description`` (optional): one line shown by ``outreach templates list``.

Line numbers in errors count from the top of the file, headers included. Built-ins live in the
repository's top-level ``templates/`` (shipped in the wheel as ``outreach/_builtin_templates``);
a file of the same name in the workspace's ``templates/`` replaces the built-in.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from outreach.errors import TemplateError

EXTENSION = ".txt"
KINDS: tuple[str, ...] = (
    "outreach",
    "referral",
    "followup",
    "newtimes",
    "confirm",
    "thankyou",
    "keepintouch",
    "congratulate",
)
FORMATS: tuple[str, ...] = ("text", "html")
HEADERS: tuple[str, ...] = ("Subject", "Kind", "Format", "Description")

_HEADER_RE = re.compile(r"^([A-Za-z][A-Za-z0-9-]*)[ \t]*:[ \t]*(.*)$")


@dataclass(frozen=True)
class TemplateSource:
    """One template file's text and where it came from."""

    name: str
    text: str
    path: Path
    builtin: bool
    overrides_builtin: bool = False

    @property
    def display(self) -> str:
        """How errors name this template: the workspace file's path, or the built-in's name."""
        if self.builtin:
            return f"built-in template {self.name}{EXTENSION}"
        return str(self.path)


@dataclass(frozen=True)
class ParsedTemplate:
    """A template split into its headers and body, with the file line where each part starts."""

    source: TemplateSource
    subject: str
    subject_line: int
    body: str
    body_line: int
    kind: str
    format: str
    description: str

    @property
    def known_kind(self) -> bool:
        return self.kind in KINDS


class TemplateFileError(TemplateError):
    """A TemplateError about a place in a template file, with the parts kept separately.

    The message reads ``<file> line <n>: <detail>`` plus `` (contact <label>)`` when rendering
    for a contact.
    """

    def __init__(
        self,
        *,
        template: TemplateSource,
        line: int | None,
        detail: str,
        hint: str,
        contact_label: str | None = None,
    ) -> None:
        where = template.display if line is None else f"{template.display} line {line}"
        message = f"{where}: {detail}"
        if contact_label is not None:
            message += f" (contact {contact_label})"
        super().__init__(message, hint=hint)
        self.template = template
        self.line = line
        self.detail = detail
        self.contact_label = contact_label

    def for_contact(self, contact_label: str) -> TemplateFileError:
        """The same error, naming the contact being rendered."""
        return TemplateFileError(
            template=self.template,
            line=self.line,
            detail=self.detail,
            hint=self.hint or "",
            contact_label=contact_label,
        )


def _error(source: TemplateSource, line: int | None, message: str, hint: str) -> TemplateError:
    return TemplateFileError(template=source, line=line, detail=message, hint=hint)


_FORMAT_HINT = (
    "A template starts with header lines such as 'Subject: ...', then one blank line, then the "
    "body."
)


@functools.lru_cache(maxsize=256)
def parse_template(source: TemplateSource) -> ParsedTemplate:
    """Split a template file into headers and body; a malformed file raises TemplateError."""
    text = source.text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    headers: dict[str, tuple[str, int]] = {}
    blank_at: int | None = None
    for index, line in enumerate(lines):
        number = index + 1
        if not line.strip():
            blank_at = index
            break
        match = _HEADER_RE.match(line)
        if match is None:
            if number == 1:
                message = f"expected a header line such as 'Subject: ...', found {line!r}"
            else:
                message = (
                    f"expected a header line 'Name: value' or a blank line ending the headers, "
                    f"found {line!r}"
                )
            raise _error(source, number, message, _FORMAT_HINT)
        key = match.group(1).capitalize()
        if key not in HEADERS:
            raise _error(
                source,
                number,
                f"unknown header {match.group(1)!r}",
                f"Known headers: {', '.join(HEADERS)}. End the headers with a blank line.",
            )
        if key in headers:
            raise _error(
                source,
                number,
                f"header {key!r} appears twice (first on line {headers[key][1]})",
                "Keep one of them.",
            )
        headers[key] = (match.group(2).strip(), number)

    if "Subject" not in headers:
        raise _error(source, 1, "no 'Subject:' header", _FORMAT_HINT)
    subject, subject_line = headers["Subject"]
    if not subject:
        raise _error(source, subject_line, "the Subject header is empty", "Write a subject.")
    if blank_at is None:
        raise _error(
            source,
            len(lines),
            "no blank line after the headers, so the template has no body",
            _FORMAT_HINT,
        )
    body = "\n".join(lines[blank_at + 1 :])
    if not body.strip():
        raise _error(source, blank_at + 1, "the body is empty", "Write the message body.")

    kind_value, kind_line = headers.get("Kind", ("", 0))
    kind = kind_value.lower() or source.name
    if kind_value and kind not in KINDS:
        raise _error(
            source,
            kind_line,
            f"unknown Kind {kind_value!r}",
            f"Kinds: {', '.join(KINDS)}.",
        )
    format_value, format_line = headers.get("Format", ("text", 0))
    fmt = format_value.lower()
    if fmt not in FORMATS:
        raise _error(
            source,
            format_line,
            f"unknown Format {format_value!r}",
            f"Formats: {', '.join(FORMATS)}.",
        )
    return ParsedTemplate(
        source=source,
        subject=subject,
        subject_line=subject_line,
        body=body,
        body_line=blank_at + 2,
        kind=kind,
        format=fmt,
        description=headers.get("Description", ("", 0))[0],
    )


# --- the adapter: reading template files -------------------------------------------------------


def builtin_templates_dir() -> Path:
    """Where the built-in templates are: inside the wheel, else the source checkout."""
    package = Path(__file__).resolve().parents[1]
    packaged = package / "_builtin_templates"
    if packaged.is_dir():
        return packaged
    return package.parent / "templates"


def _read_dir(directory: Path, builtin: bool) -> dict[str, TemplateSource]:
    found: dict[str, TemplateSource] = {}
    if not directory.is_dir():
        return found
    for path in sorted(directory.glob(f"*{EXTENSION}")):
        name = path.name[: -len(EXTENSION)]
        if not name or name.startswith(".") or not path.is_file():
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError) as exc:
            source = TemplateSource(name=name, text="", path=path, builtin=builtin)
            if isinstance(exc, UnicodeDecodeError):
                detail = f"not UTF-8 text ({exc.reason} at byte {exc.start})"
                hint = "Save the template as UTF-8."
            else:
                detail, hint = f"cannot be read: {exc.strerror or exc}", "Check the file."
            raise TemplateFileError(template=source, line=None, detail=detail, hint=hint) from None
        found[name] = TemplateSource(name=name, text=text, path=path, builtin=builtin)
    return found


def load_templates(
    workspace_templates_dir: Path | None, *, builtin_dir: Path | None = None
) -> dict[str, TemplateSource]:
    """Built-in templates, each replaced by a same-named file in the workspace's templates/."""
    templates = _read_dir(builtin_dir or builtin_templates_dir(), builtin=True)
    if workspace_templates_dir is not None:
        for name, source in _read_dir(workspace_templates_dir, builtin=False).items():
            if name in templates:
                source = TemplateSource(
                    name=source.name,
                    text=source.text,
                    path=source.path,
                    builtin=False,
                    overrides_builtin=True,
                )
            templates[name] = source
    return dict(sorted(templates.items()))


def list_templates(
    workspace_templates_dir: Path | None, *, builtin_dir: Path | None = None
) -> list[TemplateSource]:
    """Every available template, sorted by name (workspace files replacing built-ins)."""
    return list(load_templates(workspace_templates_dir, builtin_dir=builtin_dir).values())


def get_template(templates: Mapping[str, TemplateSource], name: str) -> TemplateSource:
    """The template called ``name``; an unknown name raises TemplateError listing the known."""
    key = name.removesuffix(EXTENSION)
    try:
        return templates[key]
    except KeyError:
        known = ", ".join(sorted(templates)) or "(none)"
        raise TemplateError(
            f"Unknown template {name!r}. Known templates: {known}.",
            hint=f"Pick one of those, or create templates/{key}{EXTENSION} in your workspace.",
        ) from None


def load_template(
    workspace_templates_dir: Path | None, name: str, *, builtin_dir: Path | None = None
) -> TemplateSource:
    """Load the templates and return the one called ``name`` (see :func:`get_template`)."""
    return get_template(load_templates(workspace_templates_dir, builtin_dir=builtin_dir), name)
