"""Real audio: espeak-ng renders French, the files decode, the rate is calm, the cache works."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
import soundfile

from bot.audio.cache import AudioCache
from bot.audio.convert import decoded_duration
from bot.audio.engines import EngineError
from bot.audio.service import AudioService
from bot.audio.text import count_words, words_per_minute
from bot.settings import Settings

from .helpers import FRENCH, CountingEngine, espeak, probe


def test_french_sentence_decodes_as_opus_and_mp3_at_a_calm_rate(service: AudioService) -> None:
    ogg = service.clip(FRENCH, "fr", "ogg")
    mp3 = service.clip(FRENCH, "fr", "mp3")
    assert ogg.digest == mp3.digest
    assert (ogg.mime, mp3.mime) == ("audio/ogg", "audio/mpeg")

    ogg_info, mp3_info = probe(ogg.path), probe(mp3.path)
    assert ogg_info["stream"]["codec_name"] == "opus"
    assert ogg_info["stream"]["channels"] == 1
    assert ogg_info["stream"]["sample_rate"] == "48000"
    assert mp3_info["stream"]["codec_name"] == "mp3"
    assert mp3_info["stream"]["channels"] == 1
    assert ogg.path.stat().st_size < 1_000_000  # Telegram shows it as a voice note

    for clip in (ogg, mp3):
        samples, rate = soundfile.read(clip.path)
        seconds = len(samples) / rate
        assert seconds > 2.0
        assert abs(seconds - clip.duration) < 0.01
        assert abs(samples).max() > 0.05  # speech, not silence
        assert 130 <= words_per_minute(FRENCH, seconds) <= 150


@pytest.mark.parametrize(
    "text",
    [
        "Les femmes et les hommes doivent avoir les mêmes droits.\nVous êtes d'accord ?",
        "Merci.\nNous avons votre message vocal.",
        "Qui fait le ménage chez vous ?\nMoi. Mon conjoint. Nous deux.",
    ],
)
def test_short_and_long_sentences_all_land_in_the_calm_band(service: AudioService, text: str) -> None:
    clip = service.clip(text, "fr", "ogg")
    assert 130 <= words_per_minute(text, decoded_duration(clip.path)) <= 150


def test_sentences_are_separated_by_the_configured_pause(tmp_path: Path) -> None:
    text = "Bonjour.\nMerci beaucoup."
    short = AudioService(espeak(target_wpm=None), AudioCache(tmp_path / "a"))
    long_pause = espeak(target_wpm=None)
    long_pause.pause_ms = 1450
    long = AudioService(long_pause, AudioCache(tmp_path / "b"))
    gained = long.clip(text).duration - short.clip(text).duration
    assert 0.8 < gained < 1.2  # one sentence break, one second longer


def test_a_cache_hit_does_not_call_the_engine(service: AudioService, counting: CountingEngine) -> None:
    first = service.render(FRENCH)
    again = service.render(FRENCH)
    clip = service.clip(FRENCH, fmt="ogg")
    assert first.rendered and not again.rendered
    assert len(counting.calls) == 1
    assert clip.path == first.entry.paths["ogg"]


def test_a_cache_shared_by_another_process_is_reused(tmp_path: Path) -> None:
    one = CountingEngine(espeak())
    AudioService(one, AudioCache(tmp_path / "audio")).clip("Vos réponses sont gardées.")
    two = CountingEngine(espeak())
    AudioService(two, AudioCache(tmp_path / "audio")).clip("Vos réponses sont gardées.")
    assert (len(one.calls), len(two.calls)) == (1, 0)


def test_changing_a_sentence_renders_only_that_sentence(
    service: AudioService, counting: CountingEngine
) -> None:
    texts = ["Bonjour.", "Vos réponses sont gardées.", "Merci."]
    for text in texts:
        service.render(text)
    changed = ["Bonjour.", "Vos réponses sont bien gardées.", "Merci."]
    results = [service.render(text).rendered for text in changed]
    assert results == [False, True, False]
    assert counting.calls[-1] == "Vos réponses sont bien gardées."


def test_key_depends_on_voice_rate_and_language_not_on_spacing(tmp_path: Path) -> None:
    base = AudioService(espeak(), AudioCache(tmp_path))
    faster = espeak()
    faster.target_wpm = 150
    assert base.digest("Bonjour.  Merci.") == base.digest("Bonjour. Merci.")
    assert base.digest("Bonjour.") != base.digest("Bonjour.", lang="en")
    assert base.digest("Bonjour.") != AudioService(faster, AudioCache(tmp_path)).digest("Bonjour.")


def test_concurrent_renders_of_one_text_render_once_and_stay_whole(
    service: AudioService, counting: CountingEngine
) -> None:
    clips = []

    def ask() -> None:
        clips.append(service.clip("Une personne de l'équipe va regarder.", fmt="ogg"))

    threads = [threading.Thread(target=ask) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(counting.calls) == 1
    assert len({clip.path for clip in clips}) == 1
    assert decoded_duration(clips[0].path) > 1.0
    leftovers = [p for p in service.cache.root.rglob("*") if p.name.endswith(".tmp")]
    assert leftovers == []


def test_empty_text_and_unknown_format_are_refused(service: AudioService) -> None:
    with pytest.raises(ValueError, match="nothing to say"):
        service.clip(" « » ")
    with pytest.raises(ValueError, match="ogg or mp3"):
        service.clip("Bonjour.", fmt="wav")


def test_unknown_voice_is_a_clear_error(tmp_path: Path) -> None:
    service = AudioService(espeak(), AudioCache(tmp_path))
    with pytest.raises(EngineError, match="voice 'zz'"):
        service.clip("Bonjour tout le monde.", lang="zz")


async def test_async_callers_get_the_same_clip(service: AudioService) -> None:
    clip = await service.aclip("Merci beaucoup.", "fr", "ogg")
    assert clip == service.clip("Merci beaucoup.", "fr", "ogg")
    assert await service.aurl_for("Merci beaucoup.") == f"/audio/{clip.digest}.mp3"


def test_from_settings_reads_the_audio_section(settings: Settings) -> None:
    service = AudioService.from_settings(settings)
    assert service.engine.name == "espeak"
    assert service.cache.root == settings.data_dir / "audio"
    url = service.url_for("Vous êtes à la première question.")
    assert url.startswith("/audio/") and url.endswith(".mp3")
    assert service.lookup(url[7:71], "mp3") is not None
    assert count_words("Vous êtes à la première question.") == 6
