"""What kind of phrase a user typed, so a template can put it where it reads as English.

People record a conversation in whatever form comes to mind: a topic ("the move from research
into product"), advice as a verb phrase ("start with the data, not the model"), or a full
sentence ("Most hiring there happens through referrals."). A thank-you that drops any of these
into one frame ("what you said about ...") reads wrongly for two of the three. The filters
here classify a phrase and tidy it so templates can choose the frame:

- ``phrase_kind``: ``"sentence"``, ``"verb"`` (an instruction or plan: "take the course"), or
  ``"noun"`` (a topic, including "-ing" forms: "building a portfolio");
- ``as_clause``: the phrase ready to follow words such as "about" or "to": no trailing period,
  no leading "to ", the first letter lowered unless it starts a name or an acronym;
- ``as_sentence``: the phrase as a sentence: capitalised, ending in a full stop;
- ``to_you``: notes written about the person ("She said to start small", "He thinks the field
  is consolidating") turned to address them ("to start small", "you think the field is
  consolidating"), for a message written to them.

Pure and deliberately simple: a word list, not a parser. Anything unclear is a noun phrase,
which reads acceptably in every frame the built-in templates use.
"""

from __future__ import annotations

import re

__all__ = ["as_clause", "as_sentence", "phrase_kind", "to_you"]


def _words_of(text: str) -> list[str]:
    return text.split()


# Words that start a sentence with a subject of its own.
_SUBJECTS = frozenset(
    _words_of(
        "i i'm i'll i've i'd we we're we'll you you're she she's he he's they they're it it's "
        "there there's that's everyone nobody everything nothing"
    )
)
# Verbs in the base form people use for advice and plans ("take", "ship", "reach out").
_VERBS = frozenset(
    _words_of(
        "add aim apply ask attend avoid be become begin bring build call change check choose "
        "compare complete connect consider contact continue contribute create design develop "
        "do document draft earn email enrol enroll explore find finish focus follow gain get "
        "give go identify improve interview join keep learn leave let listen look make master "
        "meet move narrow network organise organize pick plan polish post practise practice "
        "prepare present publish pursue put read reach rebuild recommend reconnect redo refine "
        "reflect register rehearse reread research revise revisit rewrite save schedule seek "
        "see send set shadow share ship show sign speak spend start stay stop strengthen study "
        "switch tailor take talk teach tell test thank think track train treat try turn update "
        "upgrade use visit volunteer watch work write"
    )
)
# A verb that makes a phrase a sentence ("Most hiring there happens through referrals").
_FINITE = re.compile(
    r"\b(?:is|are|was|were|has|have|had|will|would|should|can|could|must|does|did|isn't"
    r"|aren't|doesn't|don't|won't|can't|wasn't|happens|matters|means|pays|helps|counts)\b",
    re.IGNORECASE,
)
# Before the verb, these make it part of a noun phrase ("the team that is hiring").
_RELATIVE = re.compile(r"\b(?:that|who|which|where|when|whether|why|how|what)\b", re.IGNORECASE)
# Capitalised only because they start the phrase.
_LOWERABLE = frozenset(
    _words_of(
        'the a an your my her his their our this that these those how what why when where which '
        'who whether more less most some'
    )
)
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")
# Everyday verbs in the present tense after a subject ("utilities move slowly", "the grid
# rewards patience"): with the advice verbs above, what makes a note a sentence.
_PRESENT = _VERBS | frozenset(
    _words_of(
        "adapt adopt beat buy care come compete count decide demand depend drive expect fail "
        "favor favour grow hate help hire hold last like lose love matter mean move need notice "
        "outlast pay prefer promote rely remember require respect respond reward run seem sell "
        "shape struggle succeed tend trust value want win"
    )
)
# Words after which a verb-looking word is a noun ("the move", "of small projects").
_NOT_A_SUBJECT = _LOWERABLE | frozenset(
    _words_of(
        "of for from into in on at to with about by as and or but than like its her his "
        "their our your my small big new old good best first last many few"
    )
)


def _words(text: str) -> list[str]:
    return [w.lower().replace("’", "'") for w in _WORD.findall(text)]


def _clean(text: object) -> str:
    return " ".join(str(text or "").split()).strip().strip('"“”').strip()


def phrase_kind(text: object) -> str:
    """``"sentence"``, ``"verb"`` or ``"noun"``; see the module docstring."""
    phrase = _clean(text)
    words = _words(phrase)
    if not words:
        return "noun"
    first = words[0]
    if first == "to" and len(words) > 1 and words[1] in _VERBS:
        return "verb"
    if first in _VERBS and not (len(words) > 1 and _FINITE.fullmatch(words[1])):
        return "verb"
    if first in _SUBJECTS and len(words) > 1:
        return "sentence"
    finite = _FINITE.search(phrase)
    if finite is not None and not _RELATIVE.search(phrase, 0, finite.start()):
        return "sentence"
    if _subject_then_verb(words):
        return "sentence"
    return "noun"


def _present_verb(word: str) -> bool:
    """A present-tense form of an everyday verb: "move", "moves", "wins", "relies"."""
    if word in _PRESENT:
        return True
    if word.endswith("ies") and word[:-3] + "y" in _PRESENT:
        return True
    if word.endswith("es") and word[:-2] in _PRESENT:
        return True
    return word.endswith("s") and word[:-1] in _PRESENT


def _subject_then_verb(words: list[str]) -> bool:
    """A short subject followed by a present-tense verb, within the first four words:
    "utilities move slowly", "cooperatives win on trust", "the grid rewards patience". A
    base form needs a plural subject ("teams need"), an -s form a singular one ("the grid
    rewards"); a relative word or a preposition first makes it a noun phrase."""
    if words[0] in _VERBS or words[0].endswith("ing"):
        return False
    for index in range(1, min(4, len(words))):
        before, word = words[index - 1], words[index]
        if before in _NOT_A_SUBJECT or _RELATIVE.fullmatch(before):
            if before in ("of", "for", "from", "into", "in", "on", "at", "to", "with", "about"):
                return False
            continue
        if _RELATIVE.fullmatch(word):
            return False
        plural_subject = before.endswith("s") and not before.endswith(("ss", "'s", "us"))
        if word in _PRESENT and plural_subject and index + 1 < len(words) + 1:
            return True
        if word.endswith("s") and word not in _PRESENT and _present_verb(word):
            return not plural_subject
    return False


def _keeps_capital(word: str) -> bool:
    """A name or an acronym keeps its capital ("Grace", "PyData", "SQL"); "The" does not."""
    letters = word.strip("'\"")
    return len(letters) > 1 and (letters.isupper() or any(c.isupper() for c in letters[1:]))


def as_clause(text: object) -> str:
    """The phrase, ready to follow "about ..." or "to ...": see the module docstring."""
    phrase = _clean(text).rstrip(".!;:,").rstrip()
    if phrase.lower().startswith("to ") and phrase_kind(phrase) == "verb":
        phrase = phrase[3:].lstrip()
    if not phrase:
        return ""
    first, _, rest = phrase.partition(" ")
    if first == "I" or first.startswith(("I'", "I’")) or _keeps_capital(first):
        return phrase
    word = first.lower()
    if word in _LOWERABLE or word in _VERBS or word.endswith("ing"):
        # "Start with the data" -> "start with the data"; "The move" -> "the move". Any other
        # capitalised first word may be a name ("Kubernetes", "Grace's advice"): kept.
        first = first[:1].lower() + first[1:]
    return f"{first} {rest}".rstrip() if rest else first


def as_sentence(text: object) -> str:
    """The phrase as a sentence: a capital first letter and a closing full stop."""
    phrase = _clean(text).rstrip(";:,").rstrip()
    if not phrase:
        return ""
    phrase = phrase[:1].upper() + phrase[1:]
    return phrase if phrase.endswith((".", "!", "?")) else phrase + "."


_REPORTED = re.compile(
    r"^(?:she|he|they)\s+(?:said|told me|mentioned|suggested|thinks|thought|says|believes|"
    r"recommended|advised)(?:\s+(?:that|me))?\s+",
    re.IGNORECASE,
)
_THIRD_PERSON = re.compile(r"^(?:she|he)\s+(\w+)\b", re.IGNORECASE)
_IRREGULAR = {"is": "are", "was": "were", "has": "have", "does": "do", "goes": "go"}


def to_you(text: object) -> str:
    """Notes about the person, turned to speak to them; see the module docstring."""
    phrase = _clean(text)
    reported = _REPORTED.match(phrase)
    if reported is not None:
        verb = reported.group(0).split()[1].lower()
        rest = phrase[reported.end() :]
        if verb in ("said", "told", "mentioned", "suggested", "recommended", "advised"):
            return rest  # "She said to start small" -> "to start small"
        return f"you {_base(verb)} {rest}"  # "He thinks X" -> "you think X"
    third = _THIRD_PERSON.match(phrase)
    if third is not None:
        return f"you {_base(third.group(1))}{phrase[third.end():]}"
    return phrase


def _base(verb: str) -> str:
    word = verb.lower()
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith(("ches", "shes", "sses", "xes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word  # past tense ("she worked") needs no change
