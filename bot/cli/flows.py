"""`porte-voix flows`: check flow files (loader errors, easy-read lint, SMS budget, audio)."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import click

from bot.cli.context import pass_settings
from bot.settings import Settings
from flows.lint import (
    LintIssue,
    Register,
    SmsFigure,
    audio_coverage,
    lint,
    lint_system,
    overridden_system,
    sms_figure,
    sms_figures,
    summary,
)
from flows.loader import SYSTEM_FILE, load_file, load_text
from flows.model import Flow
from flows.validate import FlowError, Problem

# A minimal flow: loading it gives the shipped system messages exactly as a flow sees them.
_DEFAULTS = """
spec_version: 2
id: _system
version: 1
steps: [{id: fin, kind: end, say: {text: Fin, easy: Fin}}]
"""


@dataclass
class Report:
    """The outcome of checking one file (a flow, or the shipped system messages)."""

    source: str
    title: str
    issues: list[LintIssue] = field(default_factory=list)
    figures: dict[tuple[str, Register], SmsFigure] = field(default_factory=dict)
    audio: dict[str, str] = field(default_factory=dict)
    refused: list[str] = field(default_factory=list)

    @property
    def errors(self) -> int:
        """Count the errors."""
        return sum(1 for i in self.issues if i.severity == "error")


def _shown(path: Path | str) -> str:
    """Return a path relative to the working directory when it is below it."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _load_error(source: str, exc: FlowError) -> Report:
    """Turn a refused flow into a report of errors."""
    issues = [
        LintIssue(source, p.step, "", "invalid_flow", "error", p.reason) for p in exc.problems
    ]
    refused = [str(Problem(source, p.step, p.reason)) for p in exc.problems]
    return Report(source, "refused by the loader", issues, refused=refused)


def check_flow(path: Path, defaults: Flow) -> tuple[Report, Flow | None]:
    """Load and lint one flow file, with the system messages it overrides."""
    source = _shown(path)
    try:
        flow = load_file(path)
    except FlowError as exc:
        return _load_error(source, exc), None
    except OSError as exc:
        issue = LintIssue(source, None, "", "invalid_flow", "error", f"cannot read: {exc.strerror}")
        return Report(source, "unreadable", [issue], refused=[f"{source}: {issue.message}"]), None
    flow = replace(flow, source=source)
    issues = lint(flow) + lint_system(flow, overridden_system(flow, defaults))
    figures = {(f.step, f.register): f for f in sms_figures(flow)}
    for key in overridden_system(flow, defaults):
        for register in _REGISTERS:
            figures[(f"system.{key}", register)] = sms_figure(
                f"system.{key}", register, flow.system[key], flow.languages[0]
            )
    title = f"{flow.id} v{flow.version}, {len(flow.steps)} steps"
    return Report(source, title, issues, figures, audio_coverage(flow)), flow


_REGISTERS: tuple[Register, ...] = ("easy", "standard")


def check_system(defaults: Flow) -> Report:
    """Lint the shipped system messages once."""
    source = _shown(SYSTEM_FILE)
    issues = lint_system(defaults, source=source)
    figures = {
        (f"system.{key}", register): sms_figure(f"system.{key}", register, message, "fr")
        for key, message in defaults.system.items()
        for register in _REGISTERS
    }
    return Report(source, f"system messages, {len(defaults.system)} keys", issues, figures)


def _duplicate_ids(reports: Iterable[tuple[Report, Flow | None]]) -> list[LintIssue]:
    """Flag two files that declare the same flow id."""
    seen: dict[str, str] = {}
    issues = []
    for report, flow in reports:
        if flow is None:
            continue
        if flow.id in seen:
            reason = f"flow id '{flow.id}' is also used by {seen[flow.id]}"
            issues.append(LintIssue(report.source, None, "", "invalid_flow", "error", reason))
            report.refused.append(f"{report.source}: {reason}")
        seen.setdefault(flow.id, report.source)
    return issues


def render(report: Report) -> list[str]:
    """Render one report for people: grouped by step, then register."""
    warnings = len(report.issues) - report.errors
    lines = [f"{report.source}  ({report.title}): {report.errors} error(s), {warnings} warning(s)"]
    if report.refused:
        return lines + report.refused
    by_step: dict[str | None, list[LintIssue]] = {}
    for issue in report.issues:
        by_step.setdefault(issue.step, []).append(issue)
    for step, issues in by_step.items():
        lines.append(f"  step '{step}'" if step else "  (whole file)")
        registers = list(dict.fromkeys(i.register for i in issues))
        for register in registers:
            figure = report.figures.get((step or "", register))
            sms = ""
            if figure is not None:
                sms = f"  [SMS {figure.encoding}, {figure.segments} segment(s)"
                sms += f", {figure.with_choices} with choices]" if figure.with_choices else "]"
            lines.append(f"    {register or 'structure'}{sms}")
            for issue in (i for i in issues if i.register == register):
                found = f": {' | '.join(issue.words)}" if issue.words else ""
                lines.append(f"      {issue.severity:<7} {issue.rule}: {issue.message}{found}")
    if report.audio:
        scripted = [s for s, how in report.audio.items() if how == "script"]
        lines.append(
            f"  audio: {len(scripted)} step(s) with a spoken script"
            f"{' (' + ', '.join(scripted) + ')' if scripted else ''}, "
            f"{len(report.audio) - len(scripted)} derived from the text"
        )
    return lines


@click.group()
def flows() -> None:
    """Conversation flows: check them before participants see them."""


@flows.command()
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the issues as a JSON list.")
@pass_settings
def check(settings: Settings, files: tuple[Path, ...], as_json: bool) -> None:
    """Check flow files (default: every flow of flows_dir, and the system messages)."""
    defaults = load_text(_DEFAULTS, _shown(SYSTEM_FILE))
    if files:
        paths = list(files)
    else:
        flows_dir = settings.flows_dir
        paths = sorted(flows_dir.glob("*.yml"))
        if not paths:
            raise click.ClickException(f"no flow (*.yml) in {flows_dir}")
    checked = [check_flow(path, defaults) for path in paths]
    reports = [report for report, _ in checked]
    for issue in _duplicate_ids(checked):
        next(r for r in reports if r.source == issue.source).issues.append(issue)
    if not files:
        reports.append(check_system(defaults))
    issues = [issue for report in reports for issue in report.issues]
    if as_json:
        click.echo(json.dumps([asdict(i) for i in issues], ensure_ascii=False, indent=2))
    else:
        for report in reports:
            click.echo("\n".join(render(report)))
        counts = summary(issues)
        total_errors, total_warnings = (
            sum(counts["error"].values()),
            sum(counts["warning"].values()),
        )
        click.echo(
            f"\n{len(paths)} flow file(s) checked: {total_errors} error(s), "
            f"{total_warnings} warning(s)"
        )
        for severity in ("error", "warning"):
            for rule, count in sorted(counts[severity].items()):
                click.echo(f"  {severity:<7} {rule}: {count}")
    if any(issue.severity == "error" for issue in issues):
        sys.exit(1)

