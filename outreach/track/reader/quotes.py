"""Cut a reply down to the writer's own words: quoted history and signatures removed.

How the major clients lay a reply out, and what ends the writer's own words:

- Gmail: an attribution line "On Mon, 9 Nov 2026 at 10:00, Sam <sam@x> wrote:" (wrapped
  over two lines when long), localised ("Am ... schrieb ...:", "Le ... a écrit :",
  "El ... escribió:", "Il giorno ... ha scritto:", "Op ... schreef ...:", "Em ... escreveu:",
  "Den ... skrev ...:"), then the original with "> " in front of each line;
- Apple Mail: "On 9 Nov 2026, at 10:00, Sam <sam@x> wrote:" and "> " lines, and
  "Sent from my iPhone" (in each language) as the signature;
- Outlook: "-----Original Message-----", or a rule of underscores and a header block
  "From: ... Sent: ... To: ... Subject: ..." in the user's language ("Von: ... Gesendet:",
  "De : ... Envoyé :", "De: ... Enviado:", "Da: ... Inviato:", "Van: ... Verzonden:",
  "De: ... Enviada em:", "Från: ... Skickat:");
- signatures: a "-- " line, a mobile footer, or a closing on its own line ("Best,",
  "Viele Grüße", "Cordialement", "Saludos", "Cordiali saluti", "Met vriendelijke groet",
  "Abraços", "Med vänliga hälsningar") followed by the name and title.

Text whose line breaks were collapsed (as a stored snippet has it) is cut at the same marks
found inside the line.
"""

from __future__ import annotations

import re

__all__ = ["strip_quoted"]

_WROTE = (
    r"wrote|schrieb|a [ée]crit|escribi[óo]|ha scritto|schreef|het volgende geschreven"
    r"|escreveu|skrev|kirjoitti"
)
# An attribution on a line (or two) of its own, in any client's order: "On ... Sam <sam@x>
# wrote:", "Am 04.11.2026 um 09:00 schrieb Sam <...>:", "No dia 4/11/2026, às 09:00, Sam
# <...> escreveu:", "4 nov. 2026 kl. 09:00 skrev Sam <...>:", "Op ... heeft Sam <...> het
# volgende geschreven:". It must hold a digit or an address: a sentence that says "wrote:"
# is not one.
_ATTRIBUTION_LINE = re.compile(
    r"^(?![ \t]*>)(?:(?:on|am|le|el|il|op|em|no|den|\d)[^\n]{0,250}[^\n.!?]\n(?![ \t]*>))?"
    rf"[^\n]{{0,250}}\b(?:{_WROTE})\b[^\n:]{{0,80}}\s?:[ \t]*$",
    re.IGNORECASE | re.MULTILINE,
)
# An attribution line; up to 300 characters (it may be wrapped onto a second line).
_ATTRIBUTION = re.compile(
    r"(?:^|(?<=[\s>]))(?:on|am|le|el|il giorno|op|em|den|\d{1,2}[./]\d{1,2}[./]\d{2,4})\b"
    rf"[^\n]{{0,250}}(?:\n[^\n]{{0,120}})?\b(?:{_WROTE})\b[^\n:]{{0,80}}\s?:",
    re.IGNORECASE,
)
_ORIGINAL_MESSAGE = re.compile(
    r"-{2,}\s*(?:original message|urspr[üu]ngliche nachricht|message d'origine"
    r"|mensaje original|messaggio originale|oorspronkelijk bericht|mensagem original"
    r"|ursprungligt meddelande|forwarded message|weitergeleitete nachricht)\s*-{2,}",
    re.IGNORECASE,
)
_FROM_WORDS = r"from|von|de|da|van|fr[åa]n"
_SENT_WORDS = (
    r"sent|date|gesendet|datum|envoy[ée]|enviado(?: el)?|enviada em|fecha|inviato|data"
    r"|verzonden|skickat"
)
# Outlook's header block: a From line followed within a few lines by a Sent/Date line.
_HEADER_BLOCK = re.compile(
    rf"(?:^|(?<=\s))\*?(?:{_FROM_WORDS})\*?\s?:\s?[^\n]{{1,200}}?(?:\n[^\n]*){{0,1}}?"
    rf"(?:^|\s)\*?(?:{_SENT_WORDS})\*?\s?:\s?",
    re.IGNORECASE | re.MULTILINE,
)
_UNDERSCORE_RULE = re.compile(r"^_{10,}\s*$", re.MULTILINE)
_QUOTED_LINE = re.compile(r"^\s*>")
_SIGNATURE_DASHES = re.compile(r"^--\s*$")
_MOBILE_FOOTER = re.compile(
    r"(?:sent from (?:my|yahoo|mail for windows|outlook|samsung|proton)|von meinem"
    r"|envoy[ée] de mon|enviado desde mi|enviado do meu|inviato da"
    r"|verzonden (?:vanaf|met) mijn|skickat fr[åa]n min|get outlook for|outlook f[üu]r"
    r"|t[ée]l[ée]charger outlook)\b[^\n]{0,60}",
    re.IGNORECASE,
)
_CLOSING = re.compile(
    r"^\s*(?:(?:best|kind|warm|many)?\s*(?:regards|wishes)|best|cheers|thanks|thank you"
    r"|many thanks|all the best|sincerely|yours|take care|talk soon|speak soon"
    r"|(?:viele|beste|liebe|freundliche|herzliche)\s+gr[üu](?:ß|ss)e"
    r"|mit freundlichen gr[üu](?:ß|ss)en"
    r"|lg|vg|gru[ßs]"
    r"|cordialement|bien (?:à vous|cordialement)|bonne journ[ée]e|amiti[ée]s|merci"
    r"|saludos(?: cordiales)?|un saludo|atentamente|gracias|abrazos?"
    r"|cordiali saluti|saluti|un saluto|grazie|a presto"
    r"|met vriendelijke groet(?:en)?|groet(?:en|jes)?|hartelijke groet(?:en)?|bedankt"
    r"|abra[çc]os?|atenciosamente|obrigad[oa]|cumprimentos"
    r"|med v[äa]nliga h[äa]lsningar|v[äa]nliga h[äa]lsningar|h[äa]lsningar|mvh|tack)"
    r"\s*[,.!]?\s*$",
    re.IGNORECASE,
)


def _cut(text: str, pattern: re.Pattern[str]) -> str:
    found = pattern.search(text)
    return text if found is None else text[: found.start()]


def _own_lines(text: str) -> str:
    """The lines before a signature, with quoted ("> ") lines left out: a reply written
    between the quoted lines ("> 2. Friday 14:00" / "This one!") keeps its words."""
    kept: list[str] = []
    for line in text.split("\n"):
        if _QUOTED_LINE.match(line):
            continue
        if _SIGNATURE_DASHES.match(line) or _MOBILE_FOOTER.match(line.strip()):
            break
        if kept and _CLOSING.match(line) and any(k.strip() for k in kept):
            break
        kept.append(line)
    return _cut("\n".join(kept), _MOBILE_FOOTER).strip()


def strip_quoted(text: str) -> str:
    """The writer's own words: quoted history, forwarded blocks and signatures removed.

    Text above the quoted original is what the writer wrote; when there is none (a reply
    written below the quote), the writer's words are what follows the quote."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    starts = [m.start() for p in (_ORIGINAL_MESSAGE, _UNDERSCORE_RULE, _ATTRIBUTION, _HEADER_BLOCK)
              if (m := p.search(text)) is not None]
    starts += [m.start() for m in _ATTRIBUTION_LINE.finditer(text)
               if re.search(r"\d|@", m.group(0))][:1]
    first = min(starts, default=len(text))
    own = _own_lines(text[:first])
    if own or first == len(text):
        return own
    below = re.sub(r"^[^\n]*\n?", "", text[first:], count=1)  # the attribution line itself
    lines = below.split("\n")
    while lines and (not lines[0].strip() or _QUOTED_LINE.match(lines[0])):
        lines.pop(0)  # the quoted block right under the attribution
    return _own_lines("\n".join(lines))
