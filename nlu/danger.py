"""The danger safety net: first-person disclosures of violence or immediate danger.

These rules run before any model, on canonical text (no accents, SMS spelling folded,
elisions split: "m'a frappée" becomes "m a frappee"). They look for a person doing
something to the writer ("il me frappe", "mon ex me menace"), fear of a person or of going
home, or a threat to life. Opinions about violence in general ("il y a trop de harcèlement
dans le métro") name no victim in the first person and are left to the theme classifier.
"""

from __future__ import annotations

import re

from nlu.text import canonical

# Who may hurt the writer; "ca me frappe" (it strikes me) is not a person.
_PERSON = (r"(?:il|elle|ils|elles|on|lui|mon (?:mari|copain|conjoint|compagnon|ex|pere|"
           r"beau pere|frere|fils|oncle|cousin|patron|chef|voisin|homme|fiance|mec)|"
           r"ma (?:femme|copine|compagne|mere|belle mere|soeur|patronne|cheffe|voisine)|"
           r"mes (?:parents|freres)|quelqu un|un homme|des hommes)")  # fmt: skip
_HURT_NOW = (r"(?:frap+e?\w*|bat|bats|battu\w*|tap+e(?! sur les nerfs)\w*|viol\w*|menace\w*|"
             r"etrangl\w*|tabass\w*|cogn\w*|brutalis\w*|agress\w*|harcel\w*|enferm\w*|"
             r"sequestr\w*|touche|tripote|pouss\w* dans l escalier|brul\w*|gifl\w*|"
             r"insulte et me \w+|suit partout|etouf\w*|mord\w*|attach\w*|forc\w*)")  # fmt: skip
_HURT_DONE = (r"(?:frapp?e+e?|battue?|violee?|menacee?|etranglee?|tabassee?|agressee?|"
              r"giflee?|brulee?|enfermee?|sequestree?|poussee?|blessee?|cognee?|"
              r"mise? dehors|touchee?|attachee?)")  # fmt: skip
DANGER_PATTERNS: tuple[str, ...] = (
    rf"\b{_PERSON} (?:me|m) {_HURT_NOW}\b",
    rf"\b{_PERSON} (?:\w+ ){{0,3}}(?:et|puis|qui) (?:me|m) {_HURT_NOW}\b",
    rf"\b{_PERSON} (?:est|devient) violente? (?:avec|contre|envers) (?:moi|nous|mes enfants)\b",
    rf"\b{_PERSON} (?:m a|ma) {_HURT_DONE}\b",
    rf"\bje (?:me )?(?:fais|suis|me suis fait|me suis faite|ai ete) {_HURT_DONE}\b",
    r"\bj ai (?:tres )?peur (?:de|pour) (?:rentrer|ma vie|mes enfants|moi|lui|mon \w+|"
    r"ma \w+|mon ex|qu il|quand il|de rentrer)\b",
    r"\bj ai peur (?:il|qu il|quand il) (?:va|revienne|rentre|boit|revient)\b",
    rf"\b{_PERSON} (?:frappe|bat|tape|a frappe|a battu|a tape|viole|a viole) "
    r"(?:mes|ma|mon|les|nos) (?:enfants|fille|fils|petits|petite|petit|bebe)\b",
    r"\bje me (?:fais|suis fait|suis faite) (?:frapper|taper|battre|violer|agresser|"
    r"tabasser|etrangler|menacer)\b",
    r"\bj ai peur il\b",
    r"\b(?:je suis|on est|mes enfants sont|ma fille est|mon fils est) en danger\b",
    r"\b(?:va|veut|vont|menace de|menace|a menace de) (?:me|nous|m) (?:tuer|frapper|"
    r"buter|egorger|bruler|faire du mal)\b",
    r"\bil a (?:un couteau|une arme|un fusil|un pistolet)\b",
    r"\bau secours\b(?!.*\b(?:compren|compri|pige|capte))",
    r"\bdes bleus partout\b",
    r"\b(?:je veux|j ai envie de|je vais) (?:mourir|me tuer|me suicider|en finir)\b",
    r"\bme suicider\b",
    r"\b(?:on|il|elle|ils) (?:me|m) fait du mal\b",
    r"\bm empeche de sortir\b",
    r"\bme laisse pas sortir\b",
)
_DANGER = re.compile("|".join(f"(?:{p})" for p in DANGER_PATTERNS))


def is_danger(text: str) -> bool:
    """Say whether a text discloses violence or immediate danger to the writer."""
    return bool(_DANGER.search(canonical(text)))
