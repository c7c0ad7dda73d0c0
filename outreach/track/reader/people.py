"""People a reply names: a handoff ("please reach out to my colleague Grace <grace@x.com>
instead") or a referral ("also talk to Grace Hopper"), with or without an address.

Read on the text as written (capitals mark a name). An address with a name before it
("Grace Hopper <grace@x.com>", "Grace (grace@x.com)") is a person; a name without one counts
only after a cue ("talk to", "reach out to", "sprich mit", "parlez à", "habla con", "parla
con", "praat met", "fale com", "prata med", ...). A handoff passes this conversation on (the
writer is not the right person, or an assistant handles the calendar); anything else is a
referral to talk to as well.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from outreach.track.reader.findings import Finding, Handoff, Referral
from outreach.track.reader.lexicon import names
from outreach.track.returndate import normalize_text

__all__ = ["read_people"]

_EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+", re.ASCII)
_UPPER = "A-ZÀ-ÖØ-ÝĀ-Ž"
_WORD = rf"[{_UPPER}][\w'’-]*"
_PARTICLE = r"(?:van der|van den|van|von|de la|de|da|del|di|der|den|dos|das|du|le|la|ter)"
_NAME = rf"{_WORD}(?:\s+(?:{_PARTICLE}\s+)?{_WORD}){{0,2}}"
_NAME_BEFORE_EMAIL = re.compile(
    rf"({_NAME})\s*(?:[,:–-]\s*|\s(?:at|unter|à|a|em|på)\s)?[<(\[]?\s*$"
)
_NOT_NAMES = names(
    "I I'm I'll I've We She He They You It The This That My Our Your Their Hi Hello Dear Hey"
    " Thanks Thank Best Cheers Regards Please Also And But Or So Yes No Sure Great Happy"
    " Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April"
    " May June July August September October November December Ich Sie Er Wir Bitte Auch"
    " Je Il Elle Nous Vous Merci Aussi Yo Ella Él Usted Gracias También Io Lei Lui Grazie"
    " Anche Ik Hij Zij Wij U Bedankt Ook Eu Ele Você Obrigado Obrigada Também Jag Hon Han Vi"
    " Ni Tack Också Email E-mail Mail LinkedIn Zoom Teams Google Meet Slack Kollegin Kollege"
    " Kollegen Assistentin Assistent Chefin Chef Frau Herr Herrn Dr Prof Mr Mrs Ms Mme Sr Sra"
    " Dott Dhr Mevr Collega Colega Kollega"
)
_TITLES = (
    r"(?:(?:frau|herrn?|dr\.?|prof\.?|mr\.?|mrs\.?|ms\.?|mme|m\.|sr\.?|sra\.?|dott\.?(?:ssa)?"
    r"|dhr\.?|mevr\.?)\s+)*"
)
_FILLER = (
    r"(?:(?:my|our|a) (?:former |dear |good )?(?:colleague|assistant|executive assistant|ea"
    r"|friend|manager|co-?worker|teammate|team ?mate|boss|counterpart|peer)"
    r"|(?:meine[nr]?|unsere[nr]?) (?:kollegin|kollegen|kollege|assistentin|assistenten"
    r"|freundin|freund)|(?:ma|mon|notre) (?:collegue|collègue|assistante?|amie?)"
    r"|(?:a )?(?:mi|nuestra?o?) (?:colega|asistente|amig[oa]|compañer[oa])"
    r"|(?:il mio|la mia|il nostro|la nostra) (?:collega|assistente|amic[oa])"
    r"|(?:mijn|onze) (?:collega|assistent(?:e)?|vriend(?:in)?)"
    r"|(?:o meu|a minha|meu|minha|nosso|nossa) (?:colega|assistente|amig[oa])"
    r"|(?:min|vår) (?:kollega|assistent|vän))"
)
_CUE = re.compile(
    r"(?:talk to|talk with|speak to|speak with|reach out to|get in touch with|contact|connect"
    r" with|connect you (?:with|to)|introduce you to|put you in touch with|you should meet"
    r"|ask|(?:you (?:might|could|may) |maybe |perhaps )?try|email|write to|ping"
    r"|worth talking to|recommend|loop in|looped in|cc'?d|cc'?ing"
    r"|copied|copying|forwarded (?:this|your (?:note|email|message)) to"
    r"|sprechen sie (?:auch |doch )?mit|sprich (?:auch |doch )?mit|wenden sie sich (?:bitte )?an"
    r"|kontaktieren sie|kontaktiere|schreiben sie|melden sie sich (?:auch |doch )?bei"
    r"|parlez(?: aussi| également)? (?:à|avec)|parle(?: aussi)? (?:à|avec)|contactez|contacte"
    r"|écrivez à|ecrivez a|habla(?: también)? con|hable(?: también)? con|contacta(?: a)?"
    r"|escribe a|escríbele a|parla(?: anche)? con|contatta|scrivi a|praat(?: ook(?: eens)?)? met"
    r"|neem contact op met|spreek(?: ook)? met|mail|fale(?: também)? com|entre em contato com"
    r"|contate|prata(?: också)? med|kontakta|hör av dig till|tala med)"
    rf"\s+(?:{_FILLER}\s*,?\s*)?(?:(?:called|named|namens|nommée?|llamad[oa]|chiamat[oa])\s+)?"
    rf"{_TITLES}((?-i:{_NAME}))",
    re.IGNORECASE,
)
# "my colleague Mark Dean might also be a good person to talk to": a role word, then the name,
# in a sentence that suggests talking to them.
_ROLE_NAME = re.compile(rf"{_FILLER}\s*,?\s*{_TITLES}((?-i:{_NAME}))", re.IGNORECASE)
_SUGGESTS = re.compile(
    r"talk|speak|contact|reach|introduc|connect|good person|right person|worth|should|might"
    r"|could help|can help|(?:may|might) be able to|kann (?:ihnen|dir) helfen|peut vous aider"
    r"|puede ayudar|puo aiutar|kan je helpen|pode ajudar|kan hjalpa|knows?|sprechen|kontakt"
    r"|parler|contacter|hablar|contactar|parlare"
    r"|contattare|praten|contact|falar|contatar|prata|kontakta|drop (?:a|her|him|them) (?:a )?line"
    r"|write to|hear from you|e-?mail|mail|assistant|\b[EP]A\b|logistics|scheduling|calendar",
    re.IGNORECASE,
)
_HANDOFF = re.compile(
    r"instead|better (?:placed|person|suited|contact)|right person|best person|ideal person"
    r"|in my place|on my behalf"
    r"|handles? my (?:calendar|schedule|diary)|manages? my (?:calendar|schedule|diary)"
    r"|my (?:executive )?assistant|my [ep]a\b|logistics|\bcc'?d|cc'?ing|copied|copying"
    r"|looping in|looped in"
    r"|forward(?:ed|ing)? (?:this|your|it|you)|take it from here|take over|more relevant"
    r"|schedule (?:with|through)"
    r"|an meiner stelle|statt mir|besser geeignet|richtige ansprechp|zustandig"
    r"|a ma place|mieux place|la bonne personne|en mi lugar|mas indicad|persona adecuada"
    r"|al posto mio|piu indicat|persona giusta|in mijn plaats|beter geschikt|juiste persoon"
    r"|no meu lugar|mais indicad|pessoa certa|i mitt stalle|battre lampad|ratt person"
)


def _clean_name(raw: str) -> str | None:
    parts = raw.split()
    while parts and parts[0].strip(",.") in _NOT_NAMES:
        parts.pop(0)
    while parts and parts[-1].strip(",.") in _NOT_NAMES:
        parts.pop()
    name = " ".join(parts).strip(" ,.;:")
    return name or None


def _name_from_address(address: str) -> str:
    local = address.split("@", 1)[0]
    return " ".join(p.capitalize() for p in re.split(r"[._-]+", local) if p)


def read_people(said: Sequence[str]) -> list[Finding]:
    """Handoffs and referrals, one per person, each with its sentence."""
    whole = normalize_text(" ".join(said))
    passes_on = _HANDOFF.search(whole) is not None
    found: list[Finding] = []
    seen: set[str] = set()

    def add(name: str | None, email: str | None, sentence: str) -> None:
        key = (email or name or "").lower()
        if not key or key in seen:
            return
        seen.add(key)
        if passes_on and not found:
            found.append(Handoff(name, email, sentence))
        else:
            found.append(Referral(name or _name_from_address(email or ""), email, sentence))

    for sentence in said:
        cue_names = {m.group(1): m for m in _CUE.finditer(sentence)}
        if not cue_names and _SUGGESTS.search(sentence):
            cue_names = {m.group(1): m for m in _ROLE_NAME.finditer(sentence)}
        suggests = (bool(cue_names) or _SUGGESTS.search(sentence) is not None
                    or _HANDOFF.search(normalize_text(sentence)) is not None
                    or _ROLE_NAME.search(sentence) is not None)  # "my colleague X <x@...>"
        emails = list(_EMAIL.finditer(sentence)) if suggests else []  # not a signature's
        for email in emails:
            before = sentence[max(0, email.start() - 60) : email.start()]
            if re.search(r"\b(?:me|my|mich|moi|me escribes|mi)\b\W*(?:at|unter|à|a)?\W*$",
                         before, re.IGNORECASE):
                continue
            named = _NAME_BEFORE_EMAIL.search(before)
            name = _clean_name(named.group(1)) if named else None
            if name is None and cue_names:
                name = _clean_name(next(iter(cue_names)))
            add(name, email.group(0).lower(), sentence)
        if not emails:
            for raw in cue_names:
                name = _clean_name(raw)
                if name is not None:
                    add(name, None, sentence)
    return found
