"""Representative quotes: the free texts that share the most words with the others."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from storage.exports import redact

WORD = re.compile(r"[a-zà-ÿœæ]{4,}")
STOP_WORDS = """
avec dans pour plus moins mais sont être avoir fait faire très tout tous toutes cette ceux
celle comme aussi elle elles nous vous leur leurs même quand alors donc parce était sans chez
entre encore peut
"""
STOP = frozenset(STOP_WORDS.split())


def _words(text: str) -> set[str]:
    """Return the content words of a text."""
    return {w for w in WORD.findall(text.lower()) if w not in STOP}


def representative(texts: Sequence[str], count: int = 3) -> list[str]:
    """Pick up to `count` typical, readable, distinct texts (phone numbers and e-mails masked)."""
    bags = [_words(t) for t in texts]
    frequency: Counter[str] = Counter(w for bag in bags for w in bag)
    scored = []
    for index, (text, bag) in enumerate(zip(texts, bags, strict=True)):
        if not bag:
            continue
        typical = sum(frequency[w] - 1 for w in bag) / len(bag)
        readable = 1.0 if 30 <= len(text) <= 280 else 0.5
        scored.append((typical * readable, -index, index))
    chosen: list[int] = []
    for _score, _order, index in sorted(scored, reverse=True):
        if all(_similar(bags[index], bags[other]) < 0.6 for other in chosen):
            chosen.append(index)
        if len(chosen) == count:
            break
    return [redact(_trim(texts[i])) for i in chosen]


def _similar(a: set[str], b: set[str]) -> float:
    """Return the Jaccard similarity of two bags of words."""
    return len(a & b) / len(a | b) if a | b else 1.0


def _trim(text: str, limit: int = 300) -> str:
    """Shorten a long quote at a word boundary."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + " […]"
