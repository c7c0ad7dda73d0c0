"""The one-page brief for a conversation, as Markdown: pure, values in and text out.

`outreach prep` prints it (rendered by rich on a terminal) or writes it to a file; the same
text can go into the description of the user's own calendar event, never into the invite
the contact sees. Everything that came from a person (names, notes, what they wrote) is
escaped, so a contact named ``*Ada*`` cannot turn the brief into something else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Brief", "ThreadEntry", "brief_markdown", "md_escape"]

_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|~])")


def md_escape(text: str) -> str:
    """Text as literal Markdown, on one line: special characters escaped, whitespace single,
    and nothing that a line could start with to become a heading, list or quote."""
    return md_escape_start(_SPECIAL.sub(r"\\\1", " ".join(text.split())))


def md_escape_start(line: str) -> str:
    """Escape what would make a line a list item, a quote or a heading underline."""
    line = re.sub(r"^([-+=>])", r"\\\1", line)
    return re.sub(r"^(\d+)([.)])", r"\1\\\2", line)


@dataclass(frozen=True)
class ThreadEntry:
    """One message of the thread so far, in the user's zone."""

    at: str  # "Mon 2 Mar 10:00"
    who: str  # "You", "Ada Lovelace", "Ada's out-of-office"
    what: str  # "wrote", "replied", "accepted the invite", ...
    subject: str = ""
    words: str = ""  # what they wrote, when the body could be read


@dataclass(frozen=True)
class Brief:
    """What the brief says; ``brief_markdown`` lays it out."""

    name: str
    first_name: str
    title: str = ""
    org: str = ""
    email: str = ""
    profile_url: str = ""
    notes: str = ""
    columns: tuple[tuple[str, str], ...] = ()  # their extra columns, (name, value)
    tags: tuple[str, ...] = ()
    connection: tuple[str, ...] = ()  # sentences: how the user knows them, who referred them
    thread: tuple[ThreadEntry, ...] = ()
    thread_note: str = ""  # e.g. why what they wrote is not shown
    when_yours: str = ""  # "Tue 10 Mar, 10:00-10:20 EDT"; empty: nothing booked
    when_theirs: str = ""  # the same in their zone, or a note that it is unknown
    when_theirs_short: str = ""  # their clock time only (for the top line), "" when unknown
    minutes: int = 0
    join: str = ""
    meeting_note: str = ""  # their answer to the invite, or why nothing is booked (`commands`
    # in backticks stay code)
    questions: tuple[str, ...] = ()
    pitch: str = ""
    your_field: str = ""
    record_command: str = ""  # what to run afterwards, e.g. "outreach met ada@example.org"


def _with_code(text: str) -> str:
    """Text of our own in which `backticks` mark a command: escaped, with the commands kept
    as code spans."""
    parts = " ".join(text.split()).split("`")
    if len(parts) % 2 == 0:  # an unpaired backtick: all of it is text
        return md_escape(text)
    escaped = [
        f"`{part}`" if index % 2 else _SPECIAL.sub(r"\\\1", part)
        for index, part in enumerate(parts)
    ]
    return md_escape_start("".join(escaped))


def _quote(text: str) -> list[str]:
    """Their words as a quote under a list item: one line per paragraph."""
    paragraphs = [" ".join(p.split()) for p in text.split("\n\n") if p.strip()]
    lines: list[str] = []
    for paragraph in paragraphs:
        if lines:
            lines.append("  >")
        lines.append(f"  > {md_escape(paragraph)}")
    return lines


def _bullet(label: str, value: str) -> str:
    return f"- **{label}:** {md_escape(value)}"


def brief_markdown(brief: Brief) -> str:
    """The brief as Markdown (a few headings, lists and one numbered list of questions)."""
    out: list[str] = [f"# Conversation with {md_escape(brief.name)}", ""]
    if brief.when_yours:
        theirs = f" · {md_escape(brief.when_theirs_short)} (their time)" if (
            brief.when_theirs_short
        ) else ""
        out += [f"**{md_escape(brief.when_yours)}** (your time){theirs}", ""]

    out += ["## Who they are", ""]
    role = brief.title and brief.org and f"{brief.title} at {brief.org}"
    out.append(_bullet("Name", brief.name))
    if role:
        out.append(_bullet("Role", role))
    else:
        if brief.title:
            out.append(_bullet("Title", brief.title))
        if brief.org:
            out.append(_bullet("Organisation", brief.org))
    if brief.email:
        out.append(_bullet("Email", brief.email))
    if re.match(r"^https?://[^\s<>]+$", brief.profile_url):
        out.append(f"- **Profile:** <{brief.profile_url}>")
    elif brief.profile_url:
        out.append(_bullet("Profile", brief.profile_url))
    if brief.tags:
        out.append(_bullet("Tags", ", ".join(brief.tags)))
    for name, value in brief.columns:
        out.append(_bullet(name.replace("_", " ").capitalize(), value))
    if brief.notes.strip():
        out.append("- **Your notes:**")
        out += _quote(brief.notes.replace("\n", "\n\n"))
    out.append("")
    if brief.connection:
        out += ["## How you are connected", ""]
        out += [f"- {md_escape(sentence)}" for sentence in brief.connection]
        out.append("")

    out += ["## The thread so far", ""]
    if not brief.thread:
        out.append("- Nothing written yet.")
    for entry in brief.thread:
        subject = f": “{md_escape(entry.subject)}”" if entry.subject else ""
        out.append(f"- {md_escape(entry.at)} · {md_escape(entry.who)} {md_escape(entry.what)}"
                   f"{subject}")
        if entry.words:
            out += _quote(entry.words)
    if brief.thread_note:
        out += ["", f"_{md_escape(brief.thread_note)}_"]
    out.append("")

    out += ["## The meeting", ""]
    if brief.when_yours:
        out.append(_bullet("Your time", brief.when_yours))
        out.append(f"- **Their time:** {_with_code(brief.when_theirs or 'the same')}")
        out.append(_bullet("Length", f"{brief.minutes} minutes: keep to it"))
        out.append(_bullet("How to join", brief.join or "not agreed yet: ask whether they "
                           "prefer phone or video (or set [schedule] how_to_join)"))
    if brief.meeting_note:
        out.append(f"- {_with_code(brief.meeting_note)}")
    out.append("")

    out += ["## Questions to ask", ""]
    out += [f"{n}. {md_escape(q)}" for n, q in enumerate(brief.questions, start=1)]
    out.append("")

    out += ["## Have ready", ""]
    if brief.pitch.strip():
        out.append(f"- **Your introduction:** {md_escape(brief.pitch)}")
    else:
        out.append(
            "- **Your introduction:** two sentences on who you are and what you are exploring"
            + (f" ({md_escape(brief.your_field)})" if brief.your_field else "")
            + ". Save it as `pitch` under `[user]` in config.toml and it appears here."
        )
    out.append("- Let them do most of the talking, and take notes.")
    out.append("- Never ask for a job: you are here to learn about their work.")
    out.append("- End with: **“Who else should I talk to?”**")
    out.append(
        f"- If they suggest someone, ask whether you may mention {md_escape(brief.first_name)}"
        " when you write to them."
    )
    if brief.record_command:
        out.append(
            f"- Afterwards, while it is fresh: `{brief.record_command}` records what they said, "
            "what you will do, resources, promises and referrals; then thank them within a day."
        )
    return "\n".join(out).rstrip() + "\n"
