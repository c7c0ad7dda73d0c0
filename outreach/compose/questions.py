"""The question bank behind `outreach prep`: parsed from TOML, and 6-10 picked for a person.

The bank ships as ``outreach/_data/questions.toml``; a workspace's ``questions.toml`` adds to
it (same format, documented at the top of the shipped file). Picking is pure: a
:class:`Profile` (their title, organisation and columns, and the user's field) in, questions
out, in the order a conversation runs (how they got there, their days, skills, what is
rewarding, what they wish they had known, where the field goes, advice).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from dataclasses import field as _field
from pathlib import Path

from outreach.errors import ConfigError

__all__ = [
    "MAIN_THEMES",
    "THEMES",
    "Profile",
    "Question",
    "builtin_bank_path",
    "load_bank",
    "parse_bank",
    "pick_questions",
]

# In the order a conversation runs; the six main themes each get a question.
THEMES = ("path", "interest", "day", "skills", "rewards", "wish", "future", "advice")
MAIN_THEMES = ("path", "day", "skills", "wish", "future", "advice")
MIN_QUESTIONS, DEFAULT_QUESTIONS, MAX_QUESTIONS = 6, 8, 10
MAX_ALWAYS = 4  # the user's own always-asked questions, at most
_KEYS = {"theme", "text", "title", "org", "always"}
_FIELD_RE = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


@dataclass(frozen=True)
class Question:
    theme: str
    text: str
    title: tuple[str, ...] = ()  # fits when one of these starts a word of their title
    org: tuple[str, ...] = ()  # ... of their organisation
    always: bool = False
    own: bool = False  # from the workspace's questions.toml

    @property
    def fields(self) -> tuple[str, ...]:
        """The values the text needs ({title}, {org}, {field}, a contact column)."""
        return tuple(dict.fromkeys(_FIELD_RE.findall(self.text)))


@dataclass(frozen=True)
class Profile:
    """What the questions are fitted to."""

    title: str = ""
    org: str = ""
    first_name: str = ""
    field: str = ""  # the user's [user] field
    columns: Mapping[str, str] = _field(default_factory=dict)  # their extra columns

    def value(self, name: str) -> str:
        known = {"title": self.title, "org": self.org, "first_name": self.first_name,
                 "field": self.field}
        if name in known:
            return known[name].strip()
        return str(self.columns.get(name, "")).strip()


def _words(values: object, where: str) -> tuple[str, ...]:
    if values is None:
        return ()
    if not isinstance(values, list) or not all(isinstance(v, str) and v.strip() for v in values):
        raise ValueError(f'{where} must be a list of words, e.g. ["engineer", "developer"]')
    return tuple(v.strip().casefold() for v in values)


def parse_bank(text: str, path: Path, *, own: bool = False) -> list[Question]:
    """The questions in a bank file; a ConfigError names the file and the question."""
    hint = (
        "Each entry is [[question]] with theme and text (and optionally title, org, always); "
        "the README's \"Prepare for the conversation\" shows one."
    )
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}.", hint=hint) from None
    unknown = set(raw) - {"question"}
    if unknown:
        raise ConfigError(
            f"{path}: unknown key {sorted(unknown)[0]!r}; only [[question]] entries belong here.",
            hint=hint,
        )
    entries = raw.get("question", [])
    if not isinstance(entries, list):
        raise ConfigError(f"{path}: 'question' must be [[question]] entries.", hint=hint)
    questions = []
    for number, entry in enumerate(entries, start=1):
        where = f"{path}: question {number}"
        if not isinstance(entry, dict):
            raise ConfigError(f"{where} is not a table.", hint=hint)
        extra = set(entry) - _KEYS
        if extra:
            raise ConfigError(
                f"{where} has an unknown key {sorted(extra)[0]!r}.",
                hint=f"Known keys: {', '.join(sorted(_KEYS))}.",
            )
        theme, body = entry.get("theme"), entry.get("text")
        if not isinstance(body, str) or not body.strip():
            raise ConfigError(f"{where} has no text.", hint=hint)
        label = f"{where} ({body.strip()[:40]!r})"
        if theme not in THEMES:
            raise ConfigError(
                f"{label} has theme {theme!r}; expected one of {', '.join(THEMES)}.", hint=hint
            )
        always = entry.get("always", False)
        if not isinstance(always, bool):
            raise ConfigError(f"{label}: always must be true or false.", hint=hint)
        try:
            title = _words(entry.get("title"), "title")
            org = _words(entry.get("org"), "org")
        except ValueError as exc:
            raise ConfigError(f"{label}: {exc}.", hint=hint) from None
        if body.count("{") != body.count("}") or re.search(r"\{(?![A-Za-z_]\w*\})", body):
            raise ConfigError(
                f"{label}: braces must hold a field name, e.g. {{title}} or {{org}}.", hint=hint
            )
        questions.append(
            Question(theme, " ".join(body.split()), title, org, always=always, own=own)
        )
    return questions


def builtin_bank_path() -> Path:
    return Path(__file__).resolve().parents[1] / "_data" / "questions.toml"


def load_bank(workspace_file: Path | None) -> list[Question]:
    """The shipped questions plus the workspace's own (when the file exists)."""
    builtin = builtin_bank_path()
    bank = parse_bank(builtin.read_text(encoding="utf-8"), builtin)
    if workspace_file is not None and workspace_file.is_file():
        try:
            text = workspace_file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(
                f"{workspace_file}: cannot be read: {exc}.", hint="Save it as UTF-8 text."
            ) from None
        bank += parse_bank(text, workspace_file, own=True)
    return bank


# --- picking --------------------------------------------------------------------------------


def _matches(words: Sequence[str], text: str) -> bool:
    folded = text.casefold()
    return any(re.search(rf"(?<![^\W_]){re.escape(word)}", folded) for word in words)


def _fits(question: Question, profile: Profile) -> bool:
    if question.title and not _matches(question.title, profile.title):
        return False
    if question.org and not _matches(question.org, profile.org):
        return False
    return all(profile.value(name) for name in question.fields)


def _score(question: Question, profile: Profile) -> int:
    """How closely a question fits this person: their role, their organisation, the user's
    field and interests count; a generic question scores 0."""
    score = 0
    if question.title:
        score += 4
    if question.org:
        score += 3
    for name in question.fields:
        score += {"title": 1, "org": 1, "first_name": 0, "field": 2}.get(name, 5)
    if question.own:
        score += 1
    return score


def _fill(question: Question, profile: Profile) -> str:
    return _FIELD_RE.sub(lambda m: profile.value(m.group(1)), question.text)


def pick_questions(
    bank: Sequence[Question], profile: Profile, count: int = DEFAULT_QUESTIONS
) -> list[str]:
    """``count`` (6-10) questions that fit ``profile``: the user's always-asked ones, the best
    of each main theme, then the best of the rest; in conversation order."""
    count = max(MIN_QUESTIONS, min(MAX_QUESTIONS, count))
    fitting = [q for q in bank if _fits(q, profile)]
    order = {q: index for index, q in enumerate(fitting)}

    def best_first(questions: Sequence[Question]) -> list[Question]:
        return sorted(questions, key=lambda q: (-_score(q, profile), order[q]))

    chosen: list[Question] = [q for q in fitting if q.always][:MAX_ALWAYS]
    for theme in MAIN_THEMES:
        if any(q.theme == theme for q in chosen):
            continue
        candidates = best_first([q for q in fitting if q.theme == theme])
        if candidates:
            chosen.append(candidates[0])
    per_theme: dict[str, int] = {}
    for q in chosen:
        per_theme[q.theme] = per_theme.get(q.theme, 0) + 1
    for q in best_first([q for q in fitting if q not in chosen]):
        if len(chosen) >= count:
            break
        if per_theme.get(q.theme, 0) >= 2:
            continue
        chosen.append(q)
        per_theme[q.theme] = per_theme.get(q.theme, 0) + 1
    chosen.sort(key=lambda q: (THEMES.index(q.theme), order[q]))
    texts = list(dict.fromkeys(_fill(q, profile) for q in chosen))
    return texts[:MAX_QUESTIONS]
