"""Draw a panel with the Sortition Foundation's algorithms; explain infeasible quotas plainly."""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the library pulls in Google Sheets clients: imported when a panel is drawn
    from sortition_algorithms import InfeasibleQuotasError

from storage.panels import CHANNEL, READING, Volunteer

QUOTA_HEADER = ["feature", "value", "min", "max"]
# Quotas may use, besides the profile, the channel, the reading mode and any answer of the flow.
QUOTA_FEATURES = {CHANNEL: "Canal", READING: "Lecture", "vie_publique": "Participation à la vie publique"}


class QuotaError(ValueError):
    """Quotas that cannot be read or cannot be met; the message is plain French."""

    def __init__(self, reasons: list[str]) -> None:
        self.reasons = reasons
        super().__init__(" ".join(reasons))


@dataclass(frozen=True)
class Quota:
    """How many people of one value the panel needs, at least and at most."""

    feature: str
    value: str
    min: int
    max: int


@dataclass(frozen=True)
class Draw:
    """A panel drawn: the selected participant ids, and why volunteers were left out (reason -> count)."""

    selected: list[int]
    seed: int
    left_out: dict[str, int] = field(default_factory=dict)


def parse_quotas(text: str) -> list[Quota]:
    """Read a quotas CSV (feature, value, min, max)."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    if [h.strip().lower() for h in next(reader, [])] != QUOTA_HEADER:
        raise QuotaError(["La première ligne du fichier doit être : feature,value,min,max."])
    quotas, problems = [], []
    for line, row in enumerate(reader, start=2):
        if not any(c.strip() for c in row):
            continue
        cells = [c.strip() for c in row]
        if len(cells) != 4 or not cells[0] or not cells[1]:
            problems.append(f"Ligne {line} : il faut 4 colonnes remplies.")
        elif not (cells[2].isdigit() and cells[3].isdigit()):
            problems.append(f"Ligne {line} : min et max doivent être des nombres entiers.")
        elif int(cells[2]) > int(cells[3]):
            problems.append(f"Ligne {line} : le minimum ({cells[2]}) dépasse le maximum ({cells[3]}).")
        else:
            quotas.append(Quota(cells[0], cells[1], int(cells[2]), int(cells[3])))
    if problems:
        raise QuotaError(problems)
    if not quotas:
        raise QuotaError(["Le fichier ne contient aucun quota."])
    return quotas


def explain(quotas: list[Quota], pool: list[Volunteer], size: int, names: dict[str, str]) -> list[str]:
    """Say in plain words why these quotas cannot be met with these volunteers (empty: they can)."""
    reasons = []
    if len(pool) < size:
        reasons.append(f"Il y a {len(pool)} volontaires pour {size} places : il en manque "
                       f"{size - len(pool)}.")  # fmt: skip
    by_feature: dict[str, list[Quota]] = {}
    for quota in quotas:
        by_feature.setdefault(quota.feature, []).append(quota)
    for feature, rows in by_feature.items():
        label = names.get(feature, feature)
        low, high = sum(q.min for q in rows), sum(q.max for q in rows)
        if low > size:
            reasons.append(f"Les minimums pour « {label} » demandent {low} personnes, "
                           f"plus que les {size} places du panel.")  # fmt: skip
        if high < size:
            reasons.append(f"Les maximums pour « {label} » ne permettent que {high} personnes, "
                           f"moins que les {size} places du panel.")  # fmt: skip
        have = Counter(v.profile.get(feature, "") for v in pool)
        for q in rows:
            if have[q.value] < q.min:
                reasons.append(
                    f"Il faut au moins {q.min} personnes « {q.value} » ({label}), mais "
                    f"{have[q.value]} volontaire{'s' if have[q.value] > 1 else ''} "
                    f"{'ont' if have[q.value] > 1 else 'a'} ce profil."
                )
    return reasons


def why_left_out(volunteer: Volunteer, features: list[str], known: set[tuple[str, str]],
                 names: dict[str, str]) -> str:  # fmt: skip
    """Say why the quotas leave a volunteer out: answers missing, or outside every quota."""
    missing = [names.get(f, f).lower() for f in features if not volunteer.profile.get(f)]
    outside = [names.get(f, f) for f in features
               if volunteer.profile.get(f) and (f, volunteer.profile[f]) not in known]  # fmt: skip
    parts = []
    if missing:
        parts.append("sans " + " ni ".join(missing))
    if outside:
        parts.append(" et ".join(outside) + " hors des quotas")
    return ", ".join(parts)


def draw(quotas: list[Quota], pool: list[Volunteer], size: int, seed: int,
         names: dict[str, str] | None = None) -> Draw:  # fmt: skip
    """Draw `size` volunteers respecting the quotas, reproducibly for a seed (not 0)."""
    from sortition_algorithms import (
        Settings,
        SortitionBaseError,
        read_in_features,
        read_in_people,
        run_stratification,
    )

    names = names or {}
    if size < 1:
        raise QuotaError(["Le panel doit compter au moins 1 personne."])
    if seed == 0:
        raise QuotaError(["La graine du tirage doit être un nombre différent de 0."])
    features = sorted({q.feature for q in quotas})
    known = {(q.feature, q.value) for q in quotas}
    covered = {v.participant_id for v in pool if all((f, v.profile.get(f, "")) in known for f in features)}
    eligible = [v for v in pool if v.participant_id in covered]
    left_out = Counter(why_left_out(v, features, known, names)
                       for v in pool if v.participant_id not in covered)  # fmt: skip
    reasons = explain(quotas, eligible, size, names)
    if reasons:
        raise QuotaError(reasons)
    rows = [{"feature": q.feature, "value": q.value, "min": str(q.min), "max": str(q.max)}
            for q in quotas]  # fmt: skip
    try:
        collection, _feature_col, _value_col = read_in_features(QUOTA_HEADER, rows, size)
        settings = Settings(id_column="id", columns_to_keep=[], random_number_seed=seed,
                            selection_algorithm="maximin")  # fmt: skip
        body = [{"id": str(v.participant_id), **{f: v.profile[f] for f in features}}
                for v in eligible]  # fmt: skip
        people, _report = read_in_people(["id", *features], body, collection, settings)
        success, panels, report = run_stratification(collection, people, size, settings)
    except SortitionBaseError as exc:
        raise QuotaError(failure(exc, quotas, names)) from exc
    if not success or not panels:
        raise QuotaError(failure(report.last_error(), quotas, names))
    return Draw(sorted(int(pid) for pid in panels[0]), seed, dict(left_out))


def failure(error: Exception | None, quotas: list[Quota], names: dict[str, str]) -> list[str]:
    """Explain why the library found no panel."""
    from sortition_algorithms import InfeasibleQuotasCantRelaxError, InfeasibleQuotasError

    if isinstance(error, InfeasibleQuotasError):
        return [
            "Ces quotas ne peuvent pas être tenus ensemble avec ces volontaires "
            "(certains profils se croisent trop peu).",
            *relaxations(quotas, error, names),
        ]
    if isinstance(error, InfeasibleQuotasCantRelaxError):
        return ["Ces quotas ne peuvent pas être tenus ensemble avec ces volontaires, même en "
                "les assouplissant. Changez la taille du panel ou les quotas."]  # fmt: skip
    return ["Le tirage n'a pas trouvé de panel qui respecte ces quotas."]


def relaxations(quotas: list[Quota], exc: InfeasibleQuotasError, names: dict[str, str]) -> list[str]:
    """Turn the library's suggested relaxed quotas into plain sentences."""
    out = []
    for q in quotas:
        relaxed = exc.features.get(q.feature, {}).get(q.value)
        if relaxed is None:
            continue
        label = f"« {q.value} » ({names.get(q.feature, q.feature)})"
        if relaxed.min < q.min:
            out.append(f"Proposition : baisser le minimum de {label} de {q.min} à {relaxed.min}.")
        if relaxed.max > q.max:
            out.append(f"Proposition : monter le maximum de {label} de {q.max} à {relaxed.max}.")
    return out
