"""`audio render` pre-renders a flow and re-renders only what changed; `audio say` renders one."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.audio.catalog import flow_utterances, unique
from bot.audio.convert import decoded_duration
from bot.cli.audio import audio
from bot.settings import Settings, load_settings
from flows.loader import load_file, load_text

FLOW = """\
spec_version: 2
id: essai
version: 1
languages: [fr]
steps:
  - id: accueil
    kind: message
    say:
      text: "Bonjour, merci de participer à cette consultation."
      easy: "Bonjour.\\nMerci de participer."
  - id: menage
    kind: choice
    result: menage
    say: {text: "Qui fait le ménage chez vous ?", easy: "Qui fait le ménage chez vous ?"}
    help:
      text: "Choisissez la personne qui fait le plus souvent le ménage."
      easy: "Qui nettoie le plus ?"
    choices:
      - {key: moi, label: "Moi", icon: "🙋"}
      - {key: autre, label: {text: "Une autre personne", easy: "Une autre personne"}, icon: "🧑"}
  - id: fin
    kind: end
    say: {text: "Merci pour vos réponses.", easy: "Merci."}
"""


@pytest.fixture
def flow_settings(tmp_path: Path) -> Settings:
    """Settings whose flows directory holds one small flow."""
    flows = tmp_path / "flows"
    flows.mkdir()
    (flows / "essai.yml").write_text(FLOW, encoding="utf-8")
    config = tmp_path / "config.yml"
    config.write_text(f"flows_dir: {flows}\ndata_dir: {tmp_path / 'data'}\naudio:\n  engine: espeak\n")
    return load_settings({}, config_path=config)


def counts(output: str) -> tuple[int, int]:
    """Return (rendered, already cached) from the summary line."""
    match = re.search(r"rendered (\d+), already cached (\d+), failed 0", output)
    assert match, output
    return int(match[1]), int(match[2])


def test_render_then_render_again_then_change_one_sentence(flow_settings: Settings) -> None:
    runner = CliRunner()
    expected = len(unique(flow_utterances(load_file(flow_settings.flows_dir / "essai.yml"))))
    first = runner.invoke(audio, ["render", "--flow", "essai", "--jobs", "2"], obj=flow_settings)
    assert first.exit_code == 0, first.output
    assert counts(first.output) == (expected, 0)
    assert "Rendering audio" in first.output
    cache = flow_settings.data_dir / "audio"
    assert len(list(cache.glob("??/*.ogg"))) == expected
    assert len(list(cache.glob("??/*.mp3"))) == expected
    # Every flow message is linked where a web server in front may serve it (deploy/nginx.conf).
    links = sorted((cache / "public").iterdir())
    assert len(links) == 2 * expected
    assert all(link.is_symlink() and link.read_bytes() == (cache / link.name[:2] / link.name).read_bytes()
               for link in links)  # fmt: skip

    second = runner.invoke(audio, ["render"], obj=flow_settings)
    assert counts(second.output) == (0, expected)

    path = flow_settings.flows_dir / "essai.yml"
    path.write_text(FLOW.replace("Merci de participer.", "Merci de votre aide."), encoding="utf-8")
    third = runner.invoke(audio, ["render"], obj=flow_settings)
    assert counts(third.output) == (1, expected - 1)


def test_the_spoken_prompt_carries_the_choice_labels() -> None:
    flow = load_text(FLOW, "essai.yml")
    texts = {u.text for u in flow_utterances(flow)}
    assert "Qui fait le ménage chez vous ? Moi. Une autre personne." in texts
    assert "Qui nettoie le plus ?" in texts  # the step's help
    assert "Bonjour.\nMerci de participer." in texts  # easy register
    assert "Bonjour, merci de participer à cette consultation." in texts  # standard register
    danger = flow.system["danger"].get("fr")
    assert {danger.easy, danger.text} <= texts  # system messages, both registers
    assert not any("{text}" in t for t in texts)  # read-backs hold participant text


def test_unknown_flow_is_a_usage_error(flow_settings: Settings) -> None:
    result = CliRunner().invoke(audio, ["render", "--flow", "nope"], obj=flow_settings)
    assert result.exit_code == 2
    assert "no flow 'nope' (flows: essai)" in result.output


def test_say_prints_both_files(flow_settings: Settings) -> None:
    result = CliRunner().invoke(audio, ["say", "Vos réponses sont gardées."], obj=flow_settings)
    assert result.exit_code == 0, result.output
    paths = dict(re.findall(r"^(mp3|ogg): (\S+)", result.output, flags=re.MULTILINE))
    assert set(paths) == {"mp3", "ogg"}
    assert all(decoded_duration(Path(p)) > 1 for p in paths.values())
    assert "rendered by espeak" in result.output


def test_prune_keeps_flow_messages_and_drops_other_clips(flow_settings: Settings) -> None:
    runner = CliRunner()
    runner.invoke(audio, ["say", "Vous avez dit : « mon voisin me fait peur ». C'est juste ?"],
                  obj=flow_settings)  # fmt: skip
    runner.invoke(audio, ["say", "Merci pour vos réponses."], obj=flow_settings)  # a flow message
    cache = flow_settings.data_dir / "audio"
    assert len(list(cache.rglob("*.json"))) == 2

    young = runner.invoke(audio, ["prune"], obj=flow_settings)
    assert "removed 0 clips, kept 2" in young.output
    result = runner.invoke(audio, ["prune", "--days", "0"], obj=flow_settings)
    assert result.exit_code == 0, result.output
    assert "removed 1 clips, kept 1" in result.output
    assert len(list(cache.rglob("*.mp3"))) == 1 and len(list(cache.rglob("*.ogg"))) == 1


def test_prune_unlinks_a_message_no_flow_says_any_more(flow_settings: Settings) -> None:
    runner = CliRunner()
    runner.invoke(audio, ["render"], obj=flow_settings)
    path = flow_settings.flows_dir / "essai.yml"
    path.write_text(FLOW.replace("Merci pour vos réponses.", "Merci beaucoup."), encoding="utf-8")
    runner.invoke(audio, ["render"], obj=flow_settings)
    public = flow_settings.data_dir / "audio" / "public"
    before = {link.name for link in public.iterdir()}
    result = runner.invoke(audio, ["prune", "--days", "0"], obj=flow_settings)
    assert "removed 1 clips" in result.output, result.output
    after = {link.name for link in public.iterdir()}
    assert len(before - after) == 2 and after < before  # the old sentence's mp3 and ogg
    assert all((public / name).exists() for name in after)  # no link left dangling
