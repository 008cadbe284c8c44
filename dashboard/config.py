"""The dashboard's configuration, read from the `dashboard:` and `privacy:` sections."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

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

@dataclass(frozen=True)
class DashboardSection:
    """config.yml `dashboard:`."""

    SECTION: ClassVar[str] = "dashboard"
    profile_flow: str  # empty: the default flow
    profile: dict[str, str]  # profile feature -> result name in the profile flow
    volunteer_result: str
    followup_result: str
    yes_key: str
    participation_result: str  # how often a person takes part in public life
    rarely_key: str  # its answer "rarely or never"
    reference_csv: str  # empty: the Insee reference the project ships


@dataclass(frozen=True)
class DashboardConfig:
    """Everything the dashboard needs to know about the campaign's flows."""

    groups: SmallGroups
    profile_flow: str
    profile: tuple[tuple[str, str], ...]
    volunteer_result: str
    followup_result: str
    yes_key: str
    participation_result: str  # how often a person takes part in public life
    rarely_key: str  # its answer "rarely or never"
    reference_csv: Path
    secure_cookies: bool

    @property
    def profile_results(self) -> dict[str, str]:
        """Return feature -> result name."""
        return dict(self.profile)


def dashboard_config(settings: Any) -> DashboardConfig:
    """Build the configuration from Settings (defaults from the shipped config.yml)."""
    section = settings.typed(DashboardSection)
    ref_path = Path(section.reference_csv) if section.reference_csv else DEFAULT_REFERENCE
    if not ref_path.is_absolute():
        ref_path = HERE.parent / ref_path
    return DashboardConfig(
        groups=SmallGroups.configured(settings),
        profile_flow=section.profile_flow or settings.default_flow,
        profile=tuple(section.profile.items()),
        volunteer_result=section.volunteer_result,
        followup_result=section.followup_result,
        yes_key=section.yes_key,
        participation_result=section.participation_result,
        rarely_key=section.rarely_key,
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
