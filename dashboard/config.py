"""The dashboard's configuration, read from the `dashboard:` and `privacy:` sections."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flows.loader import load_directory
from flows.model import Flow
from flows.validate import FlowError
from storage.small_groups import SmallGroups

HERE = Path(__file__).resolve().parent
DEFAULT_REFERENCE = HERE / "reference" / "val-de-marne-age-2020.csv"
DEFAULT_REFERENCE_SOURCE = (
    "Insee, recensement de la population 2020 (RP2020), Val-de-Marne, habitants de 15 ans "
    "et plus par tranche d'âge"
)

# Profile features and the result names of the profile flow that answer them.
DEFAULT_PROFILE = {"age": "age", "commune": "commune", "genre": "genre"}


@dataclass(frozen=True)
class DashboardConfig:
    """Everything the dashboard needs to know about the campaign's flows."""

    groups: SmallGroups
    profile_flow: str = "egalite"
    profile: tuple[tuple[str, str], ...] = tuple(DEFAULT_PROFILE.items())
    volunteer_result: str = "volontaire"
    followup_result: str = "suivi"
    yes_key: str = "oui"
    participation_result: str = "vie_publique"  # how often a person takes part in public life
    rarely_key: str = "rarement"  # its answer "rarely or never"
    reference_csv: Path = DEFAULT_REFERENCE
    secure_cookies: bool = False

    @property
    def profile_results(self) -> dict[str, str]:
        """Return feature -> result name."""
        return dict(self.profile)


def dashboard_config(settings: Any) -> DashboardConfig:
    """Build the configuration from Settings (missing keys keep their defaults)."""
    section = settings.section("dashboard")
    profile = section.get("profile") or DEFAULT_PROFILE
    reference = section.get("reference_csv")
    ref_path = Path(reference) if reference else DEFAULT_REFERENCE
    if not ref_path.is_absolute():
        ref_path = HERE.parent / ref_path
    return DashboardConfig(
        groups=SmallGroups.configured(settings),
        profile_flow=str(section.get("profile_flow") or settings.default_flow),
        profile=tuple((str(k), str(v)) for k, v in dict(profile).items()),
        volunteer_result=str(section.get("volunteer_result", "volontaire")),
        followup_result=str(section.get("followup_result", "suivi")),
        yes_key=str(section.get("yes_key", "oui")),
        participation_result=str(section.get("participation_result", "vie_publique")),
        rarely_key=str(section.get("rarely_key", "rarement")),
        reference_csv=ref_path,
        secure_cookies=str(settings.public_base_url).startswith("https://"),
    )


def load_flows(directory: Path) -> dict[str, Flow]:
    """Load the flows of a directory (none when it is missing or holds a broken flow)."""
    if not directory.is_dir():
        return {}
    try:
        return load_directory(directory)
    except FlowError:
        return {}


def campaign_flows(services: Any) -> dict[str, Flow]:
    """Return the flows of the campaign: the container's, else those of flows_dir."""
    flows = getattr(services, "flows", None)
    if isinstance(flows, dict):
        return flows
    if flows is not None and hasattr(flows, "ids") and hasattr(flows, "current"):
        return {flow_id: flows.current(flow_id) for flow_id in flows.ids()}  # bot.flowstore
    return load_flows(Path(services.settings.flows_dir))
