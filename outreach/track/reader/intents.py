"""What a reply does to the conversation as a whole: a no, or a wait and until when.

A deferral is a promise to answer later ("let me check and get back to you next week",
"ich melde mich nächste Woche") or a wait for a date ("after the 15th", "in two weeks");
its ``until`` is the day it names, the last of several ("next week": its Friday; the day
after, for "after the 15th"), else None. A request for times ("could you send me a few
times?") in a reply that names none is read as such: new times go to them.
A no is a decline only when it says no to the conversation, not to a time: "not a good
time for me" declines, "Thursday is not a good time" turns a slot down (read elsewhere).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, timedelta

from outreach.track.reader.days import day_phrase
from outreach.track.reader.findings import Decline, Deferral, Finding, TimesWanted
from outreach.track.reader.hours import hour_phrase
from outreach.track.reader.lexicon import words
from outreach.track.returndate import normalize_text

__all__ = ["is_deferral", "read_intents"]

_DECLINE = words(
    r"not a good time(?: for me)?(?: right now| at the moment)?|(?:i'm|i am|im) not able to help"
    r"|not the right person|no longer (?:with|at|work(?:ing)? (?:at|for|on))"
    r"|hinner (?:tyvarr )?inte"
    r"|schaffe (?:es|das) (?:leider )?nicht|lukt (?:me|mij) (?:helaas )?niet"
    r"|(?:can't|cannot|won't be able to|unable to|not able to) (?:help|do this|make (?:it|time))"
    r"|not interested|(?:i'll|i will|i have to|i'll have to|going to|must|need to|have to)"
    r" (?:pass|decline)"
    r"|^\W*no,? thanks?(?: you)?\W*$|nein,? danke|non,? merci|no,? gracias|no,? grazie"
    r"|nee,? bedankt|nao,? obrigad[oa]|nej,? tack"
    r"|no longer (?:able|available)|don't have (?:the )?(?:time|capacity|bandwidth)"
    r"|(?:too|very) busy (?:at the moment|right now|these days|to help|for this)"
    r"|not (?:taking|doing|accepting) (?:any )?(?:calls|meetings|informational)"
    r"|(?:not able to|unable to|can't|cannot) take on|no (?:spare )?capacity|not taking on"
    r"|not the right time|politely decline|respectfully decline|not in a position to"
    r"|(?:ich )?muss (?:ich )?(?:leider )?absagen|keine kapazitat(?:en)?"
    r"|keine zeit|leider (?:nicht|keine) (?:moglich|zeit)|kein interesse|muss (?:leider )?absagen"
    r"|nicht helfen|pas le temps|pas disponible (?:en ce moment|actuellement)"
    r"|je (?:ne pourrai|ne peux) pas (?:vous |t')?aider|decliner|je dois refuser"
    r"|no (?:tengo|dispongo de) tiempo|no puedo ayudar|no me es posible|tengo que declinar"
    r"|non (?:ho tempo|posso aiutar\w*|riesco ad aiutar\w*)|devo declinare|devo rinunciare"
    r"|non riesco a (?:dedicare|trovare) (?:del )?tempo"
    r"|geen tijd|kan (?:je|u) niet helpen|moet (?:helaas )?afzeggen|nao (?:tenho tempo"
    r"|posso ajudar|consigo ajudar)|tenho que recusar|har (?:tyvarr )?inte tid"
    r"|kan (?:tyvarr )?inte hjalpa|maste tacka nej"
)
_DEFER = words(
    r"get back to you|(?:i'll|i will|will) confirm|confirm (?:by|tomorrow|later|once)|once i know"
    r"|come back to you|circle back|follow up|touch base|let you know"
    r"|let me check|i'll check|i will check|need to check|have to check|check my (?:calendar|diary)"
    r"|reach out (?:again|once|when|after|in)|ping me|try me again|ask me again|write again"
    r"|drop me a (?:line|note)|get in touch (?:again|in|after)|contact me (?:again|in|after)"
    r"|check back|once i'm back|when i'm back|after my (?:trip|vacation|holiday|leave|travel)"
    r"|(?:i'll|i will|i'm|i am) (?:be )?back (?:on|in|from|after|at)"
    r"|not sure yet|don't know yet|too early to say|closer to the date|revert"
    r"|melde mich|ich melde|komme (?:auf sie|auf dich) zuruck|gebe (?:ihnen |dir )?bescheid"
    r"|schaue (?:in meinen kalender|nach)|nach meinem urlaub|sobald ich zuruck"
    r"|reviens vers|je vous recontacte|je te recontacte|je te redis|je vous redis"
    r"|je vous tiens au courant|apres mes (?:vacances|conges)|je regarde mon agenda"
    r"|te aviso|le aviso|te confirmo|le confirmo|te escribo|le escribo|te digo algo"
    r"|a mi regreso|despues de mis vacaciones|reviso mi agenda"
    r"|ti faccio sapere|vi faccio sapere|le faccio sapere|ti ricontatto|la ricontatto"
    r"|ti riscrivo|controllo l'agenda|al mio rientro|dopo le ferie"
    r"|laat (?:het )?(?:je|u)\b[^.?!]{0,40}\bweten|laat ik (?:het )?(?:je|u) weten"
    r"|kom (?:ik )?(?:erop )?terug"
    r"|na mijn vakantie|kijk (?:even )?in mijn agenda"
    r"|te retorno|lhe retorno|te dou retorno|te aviso|aviso voce|depois das ferias"
    r"|vejo minha agenda|aterkommer|hor av mig|meddelar dig|efter semestern|kollar kalendern"
)


def is_deferral(plain: str) -> bool:
    """True when a normalized sentence promises an answer later."""
    return _DEFER.search(plain) is not None


_BY = re.compile(r"\b(?:by|until|till|before|bis|vor|d'ici|avant|antes del?|entro|prima di"
                 r"|voor|tot|ate|innan|senast)\s+")


def _until(plain: str, today: date, day_first: bool) -> date | None:
    """The day the wait ends: the one after "by" ("I'll confirm by tomorrow") if any, else
    the day named, the last of several ("next week": its Friday, never its Monday); the day
    after, for "after the 15th"."""
    by = _BY.search(plain)
    day = day_phrase(plain[by.end() :], today, day_first=day_first) if by else None
    if day is None:
        day = day_phrase(plain, today, day_first=day_first)
    if day is None or not day.days or day.doubts or day.this_week:
        return None
    last = day.days[-1]
    return last + timedelta(days=1) if day.after else last


_ASKS_TIMES = words(
    r"(?:send|suggest|give|share|propose|offer|email) (?:me|us) (?:a few|some|a couple of"
    r"|your|several|two or three)? ?(?:more |other |possible )?(?:times|slots|options|dates)"
    r"|(?:let me|let us) know (?:a few|some|which|what) (?:times|slots|dates)"
    r"|what (?:times|days) (?:work|suit|are good|would work)|when (?:are|would) you be free"
    r"|when are you (?:free|available)"
)

_AWAY_UNTIL = words(r"until|till|back on|back in|bis|jusqu'?au|hasta|fino al|tot|ate|till")


def read_intents(
    said: Sequence[str], today: date, *, has_times: bool, day_first: bool = False
) -> list[Finding]:
    """Declines and one deferral (the first that says until when, else the first), each with
    its sentence."""
    found: list[Finding] = []
    deferrals: list[Deferral] = []
    for index, sentence in enumerate(said):
        plain = normalize_text(sentence)
        if is_deferral(plain):
            until = _until(plain, today, day_first)
            for near in (said[index - 1] if index else "", *said[index + 1 : index + 2]):
                near_plain = normalize_text(near)
                if until is None and _AWAY_UNTIL.search(near_plain):
                    until = _until(near_plain, today, day_first)
            deferrals.append(Deferral(until, sentence))
            continue
        day = day_phrase(plain, today, day_first=day_first)
        if (day is not None and (day.after or day.starting) and day.days
                and hour_phrase(plain) is None and not day.alternatives and len(day.days) == 1):
            deferrals.append(Deferral(_until(plain, today, day_first), sentence))
            continue
        if _DECLINE.search(plain) and not has_times and day is None:
            found.append(Decline(sentence))
        elif _ASKS_TIMES.search(plain) and not has_times and day is None:
            found.append(TimesWanted(sentence))
    if deferrals:
        found.insert(0, next((d for d in deferrals if d.until is not None), deferrals[0]))
    return found
