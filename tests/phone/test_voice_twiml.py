"""Voice TwiML rendering with the audio cache (a tiny fake until the audio service lands)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from urllib.parse import parse_qs

from bot.channels.base import ButtonView, OutboundMessage
from bot.channels.twilio.voice_twiml import CallState, Speaker, VoiceOptions, goodbye, render
from tests.phone.fakes import FakeAudio

BASE = "https://porte-voix.example.org"
OPTIONS = VoiceOptions(base_url=BASE, gather_timeout=7, max_silences=2)
QUESTION = OutboundMessage(
    text="Êtes-vous d'accord ?", spoken="Êtes-vous d'accord ? Oui. Non.", step="accord",
    expects="choice", buttons=(ButtonView("oui", "Oui", "👍"), ButtonView("non", "Non", "👎")),
)  # fmt: skip


async def test_every_text_is_played_from_the_audio_cache_by_absolute_url() -> None:
    audio = FakeAudio()
    doc = ET.fromstring(str(await render([QUESTION], CallState(), OPTIONS, Speaker(audio, BASE))))
    plays = [e.text or "" for e in doc.iter("Play")]
    spoken = ["Êtes-vous d'accord ?", "Pour Oui, tapez 1.", "Pour Non, tapez 2.",
              "Pour l'aide, tapez 0. Pour réécouter, tapez étoile. En danger, tapez 9."]  # fmt: skip
    assert plays == [BASE + audio.url_for(t) for t in spoken]  # played in order
    assert sorted(audio.rendered) == sorted(spoken)  # rendered concurrently, in any order
    assert not list(doc.iter("Say"))
    gather = next(doc.iter("Gather"))
    assert gather.attrib["timeout"] == "7"
    assert "step=accord&turn=1&kind=choice&keys=oui%2Cnon" in gather.attrib["action"]


async def test_a_failing_voice_falls_back_to_say_rather_than_hanging_up() -> None:
    doc = ET.fromstring(str(await goodbye(Speaker(FakeAudio(fail=True), BASE))))
    [say] = doc.iter("Say")
    assert say.attrib["language"] == "fr-FR"
    assert (say.text or "").startswith("Nous n'avons rien entendu.")


def test_call_state_survives_its_url_and_bad_values_start_afresh() -> None:
    state = CallState(step="age", turn=4, kind="multi", keys=("15-29", "60+"), quiet=1, easy=True)
    parsed = {k: v[0] for k, v in parse_qs(state.query()).items()}
    assert CallState.parse(parsed) == state
    assert CallState.parse({"turn": "x", "quiet": "1"}).turn == 0
