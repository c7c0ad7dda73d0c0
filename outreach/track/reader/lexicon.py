"""Words the reader matches, in English, German, French, Spanish, Italian, Dutch, Portuguese
and Swedish, against ``normalize_text`` output (lower case, accents removed)."""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = [
    "NEGATION",
    "NOT_NEGATIVE",
    "ORDINALS",
    "WILLING",
    "alternation",
    "has",
    "names",
    "words",
]


def alternation(items: Iterable[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(items, key=len, reverse=True))


def names(text: str) -> frozenset[str]:
    """A set of words from a space-separated list."""
    return frozenset(text.split())


def words(pattern: str) -> re.Pattern[str]:
    """A pattern matched on word boundaries."""
    return re.compile(r"(?<![\w])(?:" + pattern + r")(?![\w])")


def has(pattern: re.Pattern[str], text: str) -> bool:
    return pattern.search(text) is not None


# Ordinal words naming an offered slot ("the second one", "die zweite", "la deuxieme").
ORDINALS: dict[str, int] = {}
for _number, _names in enumerate(
    (
        "first 1st erste ersten erster premier premiere 1er 1re primero primera primer primo"
        " prima eerste primeiro primeira forsta",
        "second 2nd zweite zweiten zweiter deuxieme second seconde 2e 2eme segundo segunda"
        " secondo seconda tweede andra",
        "third 3rd dritte dritten dritter troisieme 3e 3eme tercero tercera tercer terzo terza"
        " derde terceiro terceira tredje",
        "fourth 4th vierte vierten vierter quatrieme 4e cuarto cuarta quarto quarta vierde"
        " fjarde",
        "fifth 5th funfte funften cinquieme quinto quinta vijfde femte",
    ),
    start=1,
):
    for _name in _names.split():
        ORDINALS.setdefault(_name, _number)

# Negation and unavailability: a clause with one of these turns a time down.
NEGATION = words(
    r"not|no|never|none|neither|nor|cannot|can't|cant|won't|wont|don't|dont|doesn't|doesnt"
    r"|isn't|isnt|aren't|wouldn't|couldn't|unable|unfortunately not|impossible|busy|booked"
    r"|travell?ing|away|out of (?:the )?office|off|conflict|clash|nicht|nie|kein|keine|keiner"
    r"|leider nicht|pas|jamais|aucun|aucune|nunca|ninguno|ninguna|ningun|non|nessuno"
    r"|nessuna|niet|geen|nooit|geen van|nao|nenhum|nenhuma|inte|ingen|aldrig|kann nicht"
    r"|unterwegs|verreist|occupe|occupee|ocupado|ocupada|occupato|occupata|bezet|ocupad[oa]"
    r"|upptagen|belegt|in meetings|tied up|unavailable|not available|not free|on leave"
    r"|on holiday|on vacation|i'm out|i am out|out all|nicht verfugbar|im urlaub|tough|tricky"
    r"|holiday|day off|flying|in transit|feiertag|jour ferie|festivo|feestdag|feriado|helgdag"
    r"|back|on a plane|on the road|in the air|hard stop|(?:need|have|got) to (?:leave|go|run)"
    r"|leave by|(?:'s|is|are) out|out for me"
    r"|(?:veterans|labou?r|memorial|independence|boxing|remembrance|presidents|bank|public"
    r"|national|election) (?:day|holiday)|thanksgiving|christmas|easter|ostern|weihnacht\w*"
    r"|pfingst\w*|toussaint|armistice|navidad|pascua|natale|pasqua|kerst\w*|pasen|koningsdag"
    r"|natal|pascoa|midsommar\w*"
    r"|difficult|hard for me|rough|not ideal|awkward|schwierig|schlecht|difficile|dificil"
    r"|complicado|complicato|lastig|moeilijk|dificil|svart|krangligt|packed|hopeless|crazy"
    r"|swamped|slammed|hectic|full|fully booked|voll|ausgebucht|charge|chargee|complet|lleno"
    r"|llena|completo|pieno|piena|vol|volgeboekt|cheio|cheia|lotada|fullt|fullbokad"
)

# Phrases that contain a negation word but turn nothing down.
NOT_NEGATIVE = words(
    r"no problem|no worries|no rush|no pressure|not a problem|not at all|why not|no doubt"
    r"|if not|otherwise|kein problem|keine sorge|keine eile|warum nicht|pas de (?:souci|probleme)"
    r"|pas de souci|sans souci|pourquoi pas|sin problema|no hay problema|no hay prisa|por que no"
    r"|nessun problema|non c'e problema|perche no|geen probleem|geen zorgen|geen haast"
    r"|waarom niet|sem problema|nao tem problema|sem pressa|por que nao|inga problem|ingen fara"
    r"|ingen brad|varfor inte|not sure if|no later than|nicht spater als|pas plus tard"
    r"|not too (?:short|late|early|soon)|if that's not|if it's not|not a problem for me"
)

# A clause that says yes to a time, or offers one.
WILLING = words(
    r"works?|working|would work|good|fine|great|perfect|ok|okay|suits?|free|available|could do"
    r"|can do|can make|let's|lets|how about|what about|would|could|can we|shall we|prefer"
    r"|better|instead|happy to|sounds|book|pencil|take|go with|sure|yes|open|best|ideal|do"
    r"|passt|geht|gehen|klappt|gut|prima|perfekt|ginge|wie ware|konnten wir|konnen wir"
    r"|zeit|frei|verfugbar|lieber|besser|stattdessen|gerne"
    r"|einverstanden|in ordnung|nehme|convient|ca marche|ca me va|parfait|d'accord"
    r"|disponible|libre|que diriez|que dirais|et si|pourrions|pourrait|on pourrait|plutot"
    r"|ca irait|volontiers|je prends|bien|me va|me viene|va bien|perfecto|vale|de acuerdo"
    r"|que tal|podriamos|podemos|prefiero|mejor|me sirve|funciona|genial|va bene|perfetto"
    r"|d'accordo|disponibile|libero|libera|che ne dici|che ne pensi|potremmo|possiamo"
    r"|preferisco|meglio|invece|funziona|ottimo|benissimo|past|goed|akkoord|schikt|beschikbaar"
    r"|vrij|kan ik|zou|wat dacht je van|kunnen we|liever|beter|lukt|uitstekend|serve|perfeito"
    r"|otimo|combinado|disponivel|livre|poderiamos|prefiro|melhor|em vez|pode ser|fica bom"
    r"|da certo|bom|passar|fungerar|funkar|bra|toppen|ledig|tillganglig|kan vi|skulle"
    r"|hur later|hellre|battre|istallet|gar bra|okej|kan jag|all yours|gap|slot|window"
    r"|i can|ich kann|ich konnte|kann ich|konnte ich|je peux|je pourrais|puedo|podria|posso"
    r"|potrei|ik kan|poderia|jag kan"
    r"|perfectly|perfectamente|perfettamente|perfeitamente|encaja|cuadra|me viene|conviene"
    r"|please|bitte|s'il vous plait|por favor|per favore|graag|alsjeblieft|gerne"
    r"|i'm around|i am around|we're around|invite|invitation|see you|talk (?:to you )?then"
    r"|speak then|calendar|noted|confirm"
    r"|einladung|kalender|bis dann|agenda|note|hasta entonces|a presto|tot dan|ate la"
)

# A clause about the past or a greeting names no time to meet: "great to meet you at the
# meetup on Monday", "last Tuesday", "we spoke yesterday".
PAST = words(
    r"(?:great|nice|good|lovely) (?:to meet|meeting|to see|seeing) you|last|yesterday|ago|was|were"
    r"|met|spoke|talked|had|did|gestern|letzte[nr]?|letzten|war|waren|hatte|hier|dernier|derniere"
    r"|etait|ayer|pasado|fue|ieri|scors[oa]|era|gisteren|vorige|was|ontem|passad[oa]|foi"
    r"|igar|forra|var"
)

# A later pick that corrects an earlier one: "the first one - actually, the second is better".
CORRECTION = words(
    r"actually|instead|rather|on second thought|better|prefer|eigentlich|doch lieber|lieber"
    r"|en fait|plutot|finalement|en realidad|mejor|prefiero|in realta|anzi|meglio|preferisco"
    r"|eigenlijk|liever|toch|na verdade|melhor|prefiro|faktiskt|hellre|battre"
)
