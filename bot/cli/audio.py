"""`porte-voix audio`: pre-render every message of every flow, or render one text."""

from __future__ import annotations

import os
import time
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from typing import TYPE_CHECKING

import click

from bot.cli.context import pass_settings
from bot.settings import Settings

if TYPE_CHECKING:
    from click._termui_impl import ProgressBar

    from bot.audio.catalog import Utterance
    from bot.audio.service import Rendering


def _utterances(settings: Settings, flow_id: str | None) -> tuple[list[Utterance], str]:
    """Return what to render for the chosen flows, and a line saying where it comes from."""
    from bot.audio.catalog import flow_utterances, system_utterances, unique
    from flows.loader import load_directory
    from flows.validate import FlowError

    try:
        flows = load_directory(settings.flows_dir) if settings.flows_dir.is_dir() else {}
    except FlowError as exc:
        raise click.ClickException(f"a flow cannot be loaded:\n{exc}") from exc
    if flow_id is not None:
        if flow_id not in flows:
            known = ", ".join(sorted(flows)) or "none"
            raise click.BadParameter(f"no flow {flow_id!r} (flows: {known})", param_hint="--flow")
        flows = {flow_id: flows[flow_id]}
    if not flows:
        return unique(system_utterances()), f"no flow in {settings.flows_dir}: system messages"
    found = [u for flow in flows.values() for u in flow_utterances(flow)]
    return unique(found), "flows: " + ", ".join(sorted(flows))


@click.group("audio")
def audio() -> None:
    """Render the audio of messages (text-to-speech, cached by content)."""


@audio.command("render")
@click.option("--flow", "flow_id", default=None, help="Only this flow (default: every flow).")
@click.option("--jobs", type=click.IntRange(1, 32), default=min(4, os.cpu_count() or 1),
              show_default=True, help="Texts rendered in parallel.")  # fmt: skip
@pass_settings
@click.pass_context
def render(ctx: click.Context, settings: Settings, flow_id: str | None, jobs: int) -> None:
    """Pre-render every message of every flow, both registers, every language, mp3 and ogg."""
    from bot.audio.engines import EngineError
    from bot.audio.service import AudioService

    service = AudioService.from_settings(settings)
    utterances, origin = _utterances(settings, flow_id)
    click.echo(f"{len(utterances)} distinct texts ({origin}); engine {service.engine.name}")
    rendered = cached = 0
    failed: list[tuple[Utterance, str]] = []
    started = time.perf_counter()
    progress: ProgressBar[int] = click.progressbar(
        length=len(utterances), label="Rendering audio", show_pos=True
    )
    with ThreadPoolExecutor(max_workers=jobs) as pool, progress as bar:
        futures: dict[Future[Rendering], Utterance] = {
            pool.submit(service.render, u.text, u.lang): u for u in utterances
        }
        for future in as_completed(futures):
            bar.update(1)
            try:
                rendering = future.result()
                service.cache.publish(rendering.entry.digest)  # a flow's message: nginx may serve it
                if rendering.rendered:
                    rendered += 1
                else:
                    cached += 1
            except (EngineError, ValueError) as exc:
                failed.append((futures[future], str(exc)))
    seconds = time.perf_counter() - started
    click.echo(f"rendered {rendered}, already cached {cached}, failed {len(failed)} "
               f"(mp3 + ogg each) in {seconds:.1f} s; cache: {service.cache.root}")  # fmt: skip
    for utterance, reason in failed:
        click.echo(f"failed: {utterance.source}: {reason}", err=True)
    if failed:
        ctx.exit(1)


@audio.command("prune")
@click.option("--days", type=click.FloatRange(min=0), default=1.0, show_default=True,
              help="Keep other clips younger than this.")  # fmt: skip
@pass_settings
def prune(settings: Settings, days: float) -> None:
    """Delete cached clips that are not a message of an installed flow (read-backs, old texts)."""
    from bot.retention_files import prune_clips

    removed, kept = prune_clips(settings, days)
    _, origin = _utterances(settings, None)
    click.echo(f"removed {removed} clips, kept {kept} ({origin})")


@audio.command("say")
@click.argument("text")
@click.option("--lang", default="fr", show_default=True)
@pass_settings
def say(settings: Settings, text: str, lang: str) -> None:
    """Render one text and print the paths of its mp3 and ogg files."""
    from bot.audio.engines import EngineError
    from bot.audio.service import AudioService
    from bot.audio.text import words_per_minute

    service = AudioService.from_settings(settings)
    try:
        rendering = service.render(text, lang)
    except (EngineError, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc
    entry = rendering.entry
    state = "rendered" if rendering.rendered else "cached"
    click.echo(f"{entry.digest} ({state} by {entry.engine})")
    for fmt, path in sorted(entry.paths.items()):
        seconds = entry.durations[fmt]
        rate = words_per_minute(text, seconds)
        size = path.stat().st_size
        click.echo(f"{fmt}: {path}  {seconds:.2f} s  {rate:.0f} words/min  {size / 1024:.1f} KiB")
