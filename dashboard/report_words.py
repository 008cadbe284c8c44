"""The words of a report back: statuses, pictograms, the messages in both registers, the SMS.

Pure functions: the dashboard composes a report back with them when it is published, and the
public page draws the same labels and pictograms.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bot.channels.twilio.voice_news import NEWS_DIGIT
from flows.gsm7 import strip_pictographs


@dataclass(frozen=True)
class Status:
    """How a status is written: the facilitators' label, the easy sentence, its pictogram."""

    key: str
    label: str
    easy: str
    pictogram: str


STATUSES = {s.key: s for s in (
    Status("pending", "Pas encore décidée", "Ce n'est pas encore décidé.", "⏳"),
    Status("adopted", "Adoptée", "C'est adopté.", "✅"),
    Status("in_progress", "En cours", "C'est en train de se faire.", "🚧"),
    Status("partly", "En partie", "Une partie est adoptée.", "🌓"),
    Status("not_adopted", "Pas adoptée", "Ce n'est pas adopté.", "❌"),
)}  # fmt: skip
# Topic pictograms a facilitator may give a recommendation; each is shown with its word.
PICTOGRAMS = {
    "": ("", "Sans image"),
    "travail": ("💼", "Travail"),
    "maison": ("🏠", "Maison"),
    "transport": ("🚌", "Transport"),
    "ecole": ("🏫", "École"),
    "sante": ("🩺", "Santé"),
    "securite": ("🛡️", "Sécurité"),
    "argent": ("💶", "Argent"),
    "famille": ("👪", "Famille"),
    "sport": ("⚽", "Sport et loisirs"),
    "droits": ("📄", "Droits et papiers"),
}
TOLD_EASY = "Voici ce que sont devenues vos idées :"
TOLD_TEXT = "Voici ce que sont devenues les recommandations de l'atelier :"
PUBLIC_PATH = "/retours"
SMS_INTRO = "Porte-voix : des nouvelles de vos idées. Lisez ce que le département en fait : {url}"
SMS_CALL = " Pour écouter, appelez le {number} et tapez {digit}."
MAX_SMS_SEGMENTS = 2


def status(key: str) -> Status:
    """Return how a status is written (an unknown key reads as pending)."""
    return STATUSES.get(key, STATUSES["pending"])


def pictogram(key: str) -> tuple[str, str]:
    """Return a topic pictogram and its word ("" when none)."""
    return PICTOGRAMS.get(key, PICTOGRAMS[""])


def easy_lines(item: Mapping[str, str]) -> list[str]:
    """Write one recommendation in easy-read: its title, what became of it, why (one per line)."""
    found = status(item["status"])
    title = item["easy_title"].strip().rstrip(".")
    lines = [f"{found.pictogram} {title}.", found.easy]
    if item.get("reason", "").strip():
        lines += [line.strip() for line in item["reason"].splitlines() if line.strip()]
    return lines


def text_line(item: Mapping[str, str]) -> str:
    """Write one recommendation in standard French."""
    found = status(item["status"])
    title = item["title"].strip().rstrip(".")
    reason = " ".join(item.get("reason", "").split())
    return f"{found.pictogram} {found.label} : {title}." + (f" {reason}" if reason else "")


def compose(intro_text: str, intro_easy: str, items: Sequence[Mapping[str, str]]) -> tuple[str, str, str]:
    """Return the whole message (standard, easy) and the easy one as the voice reads it."""
    text_parts = [intro_text.strip()]
    easy_parts = [line.strip() for line in intro_easy.splitlines() if line.strip()]
    if items:
        text_parts += ["", TOLD_TEXT, *(text_line(i) for i in items)]
        easy_parts += ["", TOLD_EASY]
        for item in items:
            easy_parts += [*easy_lines(item), ""]
    text = "\n".join(text_parts).strip()
    easy = "\n".join(easy_parts).strip()
    return text, easy, spoken(easy)


def spoken(easy: str) -> str:
    """Return the easy text as the voice reads it: no pictograms, no list dashes."""
    lines = (strip_pictographs(line).lstrip("- ").strip() for line in easy.splitlines())
    return "\n".join(line for line in lines if line)


def sms(base_url: str, voice_number: str) -> str:
    """Return the short SMS: where to read the news and, with a number to call, how to hear it."""
    body = SMS_INTRO.format(url=base_url.rstrip("/") + PUBLIC_PATH)
    if voice_number.strip():
        body += SMS_CALL.format(number=voice_number.strip(), digit=NEWS_DIGIT)
    return body
