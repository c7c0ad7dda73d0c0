"""Starting a workspace template from a built-in (`outreach templates new`)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from outreach.compose.templates import (
    EXTENSION,
    get_template,
    load_templates,
    parse_template,
)
from outreach.errors import TemplateError

_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")


@dataclass(frozen=True)
class NewTemplate:
    name: str
    path: Path
    base: str


def new_template(templates_dir: Path, name: str, base: str | None) -> NewTemplate:
    """Copy the built-in ``base`` (default: the built-in called ``name``) to
    ``templates_dir/name.txt``, keeping its kind; never overwrites a file."""
    name = name.removesuffix(EXTENSION)
    if not _NAME_RE.match(name):
        raise TemplateError(
            f"{name!r} is not a usable template name.",
            hint="Use letters, digits, - and _ (e.g. alumni or outreach-short).",
        )
    builtins = load_templates(None)
    if base is None and name not in builtins:
        raise TemplateError(
            f"{name!r} is not a built-in template, so say which one to start from.",
            hint=f"Add --from TEMPLATE, one of: {', '.join(sorted(builtins))}.",
        )
    source = get_template(builtins, base or name)
    path = templates_dir / f"{name}{EXTENSION}"
    if path.exists():
        raise TemplateError(
            f"{path} already exists; nothing was changed.",
            hint=f"Edit it, or choose another name (`outreach templates show {name}` prints it).",
        )
    text = source.text
    if name != source.name and not re.search(r"(?im)^kind[ \t]*:", text.split("\n\n", 1)[0]):
        # The kind was the built-in's name; a copy under another name must say it.
        kind = parse_template(source).kind
        text = re.sub(r"(?m)^(Subject:.*)$", lambda m: f"{m.group(1)}\nKind: {kind}", text, count=1)
    try:
        templates_dir.mkdir(parents=True, exist_ok=True)
        with path.open("x", encoding="utf-8") as handle:
            handle.write(text)
    except OSError as exc:
        raise TemplateError(
            f"Cannot write {path}: {exc.strerror or exc}.", hint="Check the folder's permissions."
        ) from None
    return NewTemplate(name, path, source.name)
