"""The lens: the features a page may be filtered by, from profile answers or the way people took part.

Profile features are answers of the profile flow (age, commune, gender, and the participation
level); the others are read from the participant: reading mode, audio, helped, channel.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Select

from bot.channels import registry
from dashboard.config import DashboardConfig
from storage import queries

PARTICIPATION = "participation"
# Feature -> the participant-level value storage.queries reads for it.
MODES = {"lecture": "easy", "audio": "audio", "aide": "assisted", "canal": "channel"}
MODE_OPTIONS = {
    "lecture": [("facile", "Facile à lire"), ("standard", "Texte normal")],
    "audio": [("oui", "Avec le son"), ("non", "Sans le son")],
    "aide": [("oui", "Avec l'aide d'une personne"), ("non", "Sans aide")],
}


def profile_results(config: DashboardConfig) -> dict[str, str]:
    """Return feature -> result name of every profile feature, the participation level included."""
    return {**config.profile_results, PARTICIPATION: config.participation_result}


def features(config: DashboardConfig) -> list[str]:
    """Return every feature a page may be filtered by."""
    return [*profile_results(config), *MODES]


def values(config: DashboardConfig, feature: str) -> Select[int, str]:
    """Select (participant, value) of one feature."""
    if feature in MODES:
        return queries.participant_values(MODES[feature])
    return queries.profile_values(config.profile_flow, profile_results(config)[feature])


def matching(config: DashboardConfig, filters: Mapping[str, str]) -> Select[Any] | None:
    """Select the people whose features match every filter (None: no filter)."""
    query: Select[Any] | None = None
    for feature, value in filters.items():
        step = queries.people_valued(values(config, feature), value)
        query = step if query is None else query.intersect(step)  # type: ignore[assignment]
    return query


def mode_options() -> dict[str, list[tuple[str, str]]]:
    """Return the (key, label) options of the participant-level features."""
    channels = sorted(registry.labels().items(), key=lambda kv: kv[1])
    return {**MODE_OPTIONS, "canal": channels}
