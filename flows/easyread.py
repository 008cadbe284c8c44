"""Easy-read (FALC) text analysis: sentences, words and the checkable rules of FALC.md."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

SHORT_SENTENCE, LONG_SENTENCE = 12, 15
MAX_WORDS = 50
# Zipf 3.5 is about three occurrences per million words. van Heuven et al. (2014) put the
# low/high-frequency boundary of adult readers at Zipf 3; easy-read readers know fewer words,
# so the cut sits half a point higher. Measured on the campaign's vocabulary: everyday words
# sit above 4 (femmes 5.5, ménage 4.4, salaire 4.6, effacer 4.1), administrative jargon below
# 3.5 (paritaire 3.3, participatif 3.48, volontariat 3.2, effacement 3.3, stéréotype 3.1).
# wordfreq does not lemmatise, so a word also counts as common when a likely base form is
# (appuyez 3.3 -> appuyer, gardées 3.1 -> garder): without that, ordinary imperatives and
# agreements of common verbs would be flagged.
RARE_ZIPF = 3.5
SPECIAL_CHARACTERS = "&<>§#/;%"

TEMPLATE = re.compile(r"\{[A-Za-z_][A-Za-z0-9_]*\}")
SENTENCE_END = re.compile(r"(?<=[.?!…])[\"»”)]*\s+(?=\S)")
WORD = re.compile(r"[\w'’-]*\w[\w'’-]*")
ALL_CAPS = re.compile(r"\b[A-ZÀÂÄÇÉÈÊËÎÏÔÖÙÛÜŒ]{2,}\b")
ABBREVIATION = re.compile(
    r"(?<!\w)(?:etc\b\.?|p\.\s?ex\b\.?|ex\.|cf\.|env\.|tél\.|c\.-à-d\.|càd\b|svp\b|stp\b|rdv\b"
    r"|mme\b|mlle\b|m\.(?=\s+[A-Z])|n°|nb\b|qqn\b|qqch\b)"
    r"|(?<!\w)(?:[A-Za-z]\.){2,}",
    re.IGNORECASE,
)
_NUMBERS = (
    "deux trois quatre cinq six sept huit neuf dix onze douze treize quatorze quinze seize "
    "vingt trente quarante cinquante soixante cent cents mille million millions milliard milliards"
)
NUMBER_WORDS = frozenset(_NUMBERS.split())
PERCENT = re.compile(r"%|\bpour\s?cent\b|\bpourcentages?\b", re.IGNORECASE)
BIG_NUMBER = re.compile(r"(?<![\d-])(?:\d{1,3}(?:[ \u00a0\u202f.]\d{3})+|\d{5,})(?![\d-])")
_PARTNERS = "pas plus jamais rien personne aucun aucune guère point nullement ni"
NEGATION_PARTNERS = frozenset(_PARTNERS.split())
# Likely inflection -> base form, tried when a word itself is rare.
_BASE_FORMS = (
    "issez:ir erons:er rons:re rons:r ront:r rez:r ons:er ons:re ons:ir ez:er ez:re ez:ir "
    "ées:er ée:er és:er é:er ent:er aient:er ait:er es:e es: s: e: x:"
)
BASE_FORMS = tuple(tuple(pair.split(":")) for pair in _BASE_FORMS.split())


@dataclass(frozen=True)
class Finding:
    """One easy-read rule broken by a text, with the words at fault."""

    rule: str
    severity: str
    message: str
    words: tuple[str, ...] = ()


def strip_templates(text: str) -> str:
    """Remove {placeholders} so that filled-in values never trip a rule."""
    return TEMPLATE.sub("", text)


def sentences(line: str) -> list[str]:
    """Split one line into sentences on . ? ! followed by more text."""
    return [s.strip() for s in SENTENCE_END.split(line.strip()) if s.strip()]


def words(text: str) -> list[str]:
    """Return the words of a text (c'est and peut-être count as one)."""
    return WORD.findall(text)


def all_sentences(text: str) -> list[str]:
    """Return every sentence of a text, line by line."""
    return [s for line in text.splitlines() for s in sentences(line)]


def check_sentences(text: str) -> list[Finding]:
    """Flag long sentences: a warning past 12 words, an error past 15."""
    found = []
    for sentence in all_sentences(text):
        count = len(words(sentence))
        if count > LONG_SENTENCE:
            found.append(
                Finding(
                    "sentence_length",
                    "error",
                    f"{count} words in one sentence (at most {LONG_SENTENCE})",
                    (sentence,),
                )
            )
        elif count > SHORT_SENTENCE:
            found.append(
                Finding(
                    "sentence_length",
                    "warning",
                    f"{count} words in one sentence (aim for {SHORT_SENTENCE})",
                    (sentence,),
                )
            )
    return found


def check_lines(text: str) -> list[Finding]:
    """Flag lines holding more than one sentence."""
    crowded = [line.strip() for line in text.splitlines() if len(sentences(line)) > 1]
    if not crowded:
        return []
    return [
        Finding(
            "one_sentence_per_line", "error", "start a new line after each sentence", tuple(crowded)
        )
    ]


def check_length(text: str, severity: str = "error") -> list[Finding]:
    """Flag a message bubble longer than 50 words."""
    count = len(words(text))
    if count <= MAX_WORDS:
        return []
    return [Finding("message_length", severity, f"{count} words (at most {MAX_WORDS})")]


def check_abbreviations(text: str) -> list[Finding]:
    """Flag abbreviations, initials and all-caps words."""
    found = [m.group(0).strip() for m in ABBREVIATION.finditer(text)]
    found += ALL_CAPS.findall(text)
    if not found:
        return []
    return [
        Finding(
            "abbreviation",
            "error",
            "write the words out instead of abbreviations or capitals",
            tuple(dict.fromkeys(found)),
        )
    ]


def check_special_characters(text: str) -> list[Finding]:
    """Flag the characters easy-read text avoids: & < > § # / ; %."""
    found = tuple(dict.fromkeys(ch for ch in text if ch in SPECIAL_CHARACTERS))
    if not found:
        return []
    return [Finding("special_character", "error", "avoid these characters", found)]


def check_numbers(text: str) -> list[Finding]:
    """Flag numbers written as words, percentages and big numbers."""
    found = []
    spelled = [w for w in words(text) if w.lower() in NUMBER_WORDS]
    if spelled:
        found.append(
            Finding(
                "number_words", "warning", "write numbers as digits", tuple(dict.fromkeys(spelled))
            )
        )
    percents = [m.group(0) for m in PERCENT.finditer(text)]
    if percents:
        found.append(
            Finding(
                "percentage",
                "error",
                "no percentages: say beaucoup, peu, la moitié",
                tuple(dict.fromkeys(percents)),
            )
        )
    big = BIG_NUMBER.findall(text)
    if big:
        found.append(
            Finding(
                "big_number",
                "warning",
                "no big numbers: say beaucoup or peu",
                tuple(dict.fromkeys(big)),
            )
        )
    return found


def negations(sentence: str) -> tuple[int, int]:
    """Count a sentence's ne/n' negations (those with a partner word) and its sans."""
    tokens = [t.lower().replace("’", "'") for t in words(sentence)]
    particles = sum(
        1 for t in tokens if t == "ne" or (t.startswith("n'") and t != "n'importe" and len(t) > 2)
    )
    partners = sum(1 for t in tokens if t in NEGATION_PARTNERS)
    return min(particles, partners), tokens.count("sans")


def check_negations(text: str) -> list[Finding]:
    """Flag negative wording; a double negative in one sentence is an error."""
    found = []
    for sentence in all_sentences(text):
        negative, without = negations(sentence)
        if negative >= 2 or (negative and without):
            found.append(
                Finding(
                    "double_negative",
                    "error",
                    "two negations in one sentence: say it positively",
                    (sentence,),
                )
            )
        elif negative:
            found.append(Finding("negation", "warning", "prefer a positive sentence", (sentence,)))
    return found


INVERSION = re.compile(r"(?:-t)?-(?:je|tu|il|elle|on|nous|vous|ils|elles|moi|toi|le|la|les|en|y)$")


@lru_cache(maxsize=4096)
def commonness(word: str, lang: str = "fr") -> float:
    """Return the Zipf frequency of a word or, if higher, of a likely base form."""
    from wordfreq import zipf_frequency

    word = INVERSION.sub("", word)  # habitez-vous -> habitez
    if "-" in word:  # a compound is as common as its rarest part
        parts = [p for p in word.split("-") if len(p) >= 3]
        whole = zipf_frequency(word, lang)
        return max(whole, min((commonness(p, lang) for p in parts), default=whole))
    best = zipf_frequency(word, lang)
    for ending, base in BASE_FORMS:
        if word.endswith(ending) and len(word) - len(ending) + len(base) >= 3:
            best = max(best, zipf_frequency(word[: len(word) - len(ending)] + base, lang))
    return best


def rare_words(
    text: str, lang: str = "fr", threshold: float = RARE_ZIPF, allow: frozenset[str] = frozenset()
) -> list[str]:
    """Return the rare words of a text, skipping proper nouns, numbers and short words."""
    rare: list[str] = []
    for sentence in all_sentences(text):
        for index, raw in enumerate(words(sentence)):
            word = re.split(r"['’]", raw)[-1].strip("-")
            if len(word) < 3 or any(ch.isdigit() for ch in word) or word.lower() in allow:
                continue
            if word[0].isupper() and index > 0:
                continue  # a capital inside a sentence: a proper noun
            if commonness(word.lower(), lang) < threshold:
                rare.append(word)
    return list(dict.fromkeys(rare))


def check_rare_words(
    text: str, lang: str = "fr", allow: frozenset[str] = frozenset()
) -> list[Finding]:
    """Flag words rarer than the threshold (explain them or pick a common word)."""
    rare = rare_words(text, lang, allow=allow)
    if not rare:
        return []
    return [
        Finding(
            "rare_word",
            "warning",
            f"rare word(s) (Zipf frequency below {RARE_ZIPF}): explain or replace",
            tuple(rare),
        )
    ]


EASY_CHECKS: tuple[Callable[[str], list[Finding]], ...] = (
    check_sentences,
    check_lines,
    check_length,
    check_abbreviations,
    check_special_characters,
    check_numbers,
    check_negations,
)


def check_easy(text: str, lang: str = "fr", allow: frozenset[str] = frozenset()) -> list[Finding]:
    """Run every easy-read rule on one text (templates removed first)."""
    plain = strip_templates(text)
    found = [f for check in EASY_CHECKS for f in check(plain)]
    return found + check_rare_words(plain, lang, allow)
