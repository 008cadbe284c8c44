"""The listening queue: recorded answers are played, written down, themed, audited, then deleted."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace

import httpx
import pytest
from sqlalchemy import select

from nlu.interpretation import Expectation, Interpretation
from storage import audit
from storage.models import Answer
from tests.dashboard.conftest import LiveServer, add_account, csrf_of, login
from tests.dashboard.seed import add_people
from tests.faults.platforms import FakeTwilioApi
from tests.faults.server import ACCOUNT_SID, AUTH_TOKEN

SOUND = b"OggS fake voice note"
SAID = "J'ai pas de papiers pour la CAF, rappelez moi au 06 12 34 56 78"


class Interpreter:
    """The NLU as the dashboard sees it: it proposes the rights theme for what it is given."""

    def __init__(self) -> None:
        self.heard: list[str] = []

    def interpret(self, text: str, expects: Expectation) -> Interpretation:
        self.heard.append(text)
        return Interpretation(theme="acces_aux_droits")


@pytest.fixture(params=[True, False], ids=["delete", "keep"])
def services(services: SimpleNamespace, request: pytest.FixtureRequest) -> SimpleNamespace:
    """The dashboard's services with an interpreter and the listening setting of the test."""
    raw = {**services.settings.raw, "listening": {"delete_after_transcription": request.param}}
    return SimpleNamespace(**{**vars(services), "settings": replace(services.settings, raw=raw),
                              "interpreter": Interpreter()})  # fmt: skip


def recorded(services: SimpleNamespace) -> tuple[int, Path]:
    """Write one person whose free answer is a voice note kept under the recordings directory."""
    (person,) = add_people(services.db, services.crypto, [{"priorite": "audio", "genre": "femme"}])
    path = Path(services.settings.data_dir) / "recordings" / "telegram" / "voice-1.ogg"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(SOUND)
    with services.db.transaction() as session:
        answer = session.scalars(select(Answer).where(Answer.participant_id == person,
                                                      Answer.result == "priorite")).one()  # fmt: skip
        answer.raw_text, answer.audio_ref = None, "telegram/voice-1.ogg"
        return answer.id, path


def plain(page: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


def test_a_recording_is_only_played_to_a_signed_in_facilitator(
    live: LiveServer, services: SimpleNamespace
) -> None:
    answer_id, _ = recorded(services)
    url = live.url + f"/facilitator/listening/{answer_id}/audio"
    stranger = httpx.get(url, follow_redirects=False)
    assert stranger.status_code == 303 and SOUND not in stranger.content
    assert SOUND not in httpx.get(url, follow_redirects=True).content
    add_account(services.db, "anne@example.org")
    client = httpx.Client(follow_redirects=True, timeout=30)
    login(client, live.url, "anne@example.org")
    played = client.get(url)
    assert played.status_code == 200 and played.content == SOUND
    assert played.headers["content-type"] == "audio/ogg" and played.headers["cache-control"] == "no-store"


def test_a_recording_is_written_down_themed_audited_and_deleted_when_configured(
    live: LiveServer, services: SimpleNamespace
) -> None:
    answer_id, path = recorded(services)
    deletes = services.settings.raw["listening"]["delete_after_transcription"]
    add_account(services.db, "anne@example.org")
    client = httpx.Client(follow_redirects=True, timeout=30)
    login(client, live.url, "anne@example.org")
    queue = client.get(live.url + "/facilitator/listening")
    assert f"/facilitator/listening/{answer_id}/audio" in queue.text
    client.get(live.url + f"/facilitator/listening/{answer_id}/audio")
    token = csrf_of(queue.text)
    proposed = client.post(live.url + f"/facilitator/listening/{answer_id}/propose",
                           data={"csrf_token": token, "text": SAID})  # fmt: skip
    assert proposed.status_code == 200
    assert '<option value="acces_aux_droits" selected>' in proposed.text
    assert "06 12 34 56 78" not in proposed.text and "06 12 34 56 78" not in services.interpreter.heard[0]
    text = re.search(r'<textarea id="c-text" name="text"[^>]*>([^<]*)</textarea>', proposed.text)
    assert text
    saved = client.post(live.url + f"/facilitator/listening/{answer_id}",
                        data={"csrf_token": token, "text": html.unescape(text.group(1)),
                              "theme": "acces_aux_droits"})  # fmt: skip
    assert saved.status_code == 200 and "Aucune réponse enregistrée à écouter" in plain(saved.text)
    themed = plain(client.get(live.url + "/facilitator/themes/texts?theme=acces_aux_droits").text)
    assert "pour la CAF" in themed and "06 12 34 56 78" not in themed
    assert path.exists() is not deletes
    with services.db.transaction() as session:
        answer = session.get(Answer, answer_id)
        assert answer is not None and answer.theme == "acces_aux_droits"
        assert (answer.audio_ref is None) is deletes
        entries = [(e.action, e.detail) for e in reversed(audit.recent(session))][-3:]
    assert [a for a, _ in entries] == ["recording_played", "transcript_written", "recording_transcribed"]
    assert entries[2][1] == {"answer": answer_id, "theme": "acces_aux_droits", "recording_deleted": deletes}
    assert all("CAF" not in str(detail) for _a, detail in entries)
    again = client.post(live.url + f"/facilitator/listening/{answer_id}",
                        data={"csrf_token": token, "text": "autre chose", "theme": ""})  # fmt: skip
    assert again.status_code == 404


@pytest.fixture
def twilio_api(services: SimpleNamespace, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeTwilioApi]:
    """Twilio's API faked on 127.0.0.1, configured for the dashboard (before `live` starts it)."""
    api = FakeTwilioApi(callbacks=False)
    api.start()
    monkeypatch.setenv("TWILIO_ACCOUNT_SID", ACCOUNT_SID)
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", AUTH_TOKEN)
    twilio = {**services.settings.raw.get("twilio", {}), "api_base": api.url}
    raw = {**services.settings.raw, "twilio": twilio}
    services.settings = replace(services.settings, raw=raw)
    yield api
    api.stop()


def test_a_call_kept_at_twilio_is_played_through_the_dashboard_then_deleted_there(
    twilio_api: FakeTwilioApi, live: LiveServer, services: SimpleNamespace
) -> None:
    recording = "RE" + "c" * 32
    twilio_api.recordings.add(recording)
    answer_id, _ = recorded(services)
    with services.db.transaction() as session:
        answer = session.get(Answer, answer_id)
        assert answer is not None
        answer.audio_ref = f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT_SID}/Recordings/{recording}"
    add_account(services.db, "anne@example.org")
    client = httpx.Client(follow_redirects=True, timeout=30)
    login(client, live.url, "anne@example.org")
    played = client.get(live.url + f"/facilitator/listening/{answer_id}/audio")
    assert played.status_code == 200 and played.content == f"ID3 {recording}".encode()
    token = csrf_of(client.get(live.url + "/facilitator/listening").text)
    form = {"csrf_token": token, "text": "Plus de bus le soir", "theme": "espace_public"}
    client.post(live.url + f"/facilitator/listening/{answer_id}", data=form)
    deletes = services.settings.raw["listening"]["delete_after_transcription"]
    assert twilio_api.deleted == ([recording] if deletes else [])
