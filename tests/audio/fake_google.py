"""A fake of Google Translate's TTS endpoint, at the HTTP boundary gTTS talks to.

It parses gTTS's real `f.req` RPC body, answers in Google's batchexecute framing with a
real MP3 of the requested text (spoken by espeak-ng with another voice, faster than our
target, as Google's voice is), and can be scripted to answer errors first (429, 403, ...).
"""

from __future__ import annotations

import base64
import json
import re
import subprocess
import urllib.parse
from dataclasses import dataclass, field

import requests
import responses

ENDPOINT = re.compile(r"https://translate\.google\.[a-z.]+/_/TranslateWebserverUi/data/batchexecute")


def mp3_of(text: str, rate: int = 185) -> bytes:
    """Return an MP3 (24 kHz mono, as Google sends) of a text spoken fast by espeak-ng."""
    wav = subprocess.run(
        ["espeak-ng", "-v", "fr+f3", "-s", str(rate), "--stdin", "--stdout"],
        input=text.encode("utf-8"), capture_output=True, check=True,
    ).stdout  # fmt: skip
    return subprocess.run(
        ["ffmpeg", "-loglevel", "error", "-f", "wav", "-i", "pipe:0", "-ac", "1", "-ar", "24000",
         "-c:a", "libmp3lame", "-b:a", "32k", "-f", "mp3", "pipe:1"],
        input=wav, capture_output=True, check=True,
    ).stdout  # fmt: skip


def batchexecute(audio: bytes) -> str:
    """Frame audio the way Google's batchexecute answers jQ1olc."""
    payload = json.dumps([base64.b64encode(audio).decode("ascii")])
    envelope = json.dumps(
        [["wrb.fr", "jQ1olc", payload, None, None, None, "generic"], ["di", 48],
         ["af.httprm", 47, "-5423431247432478427", 12]],
        separators=(",", ":"),
    )  # fmt: skip
    tail = json.dumps([["e", 4, None, None, len(envelope) + 40]], separators=(",", ":"))
    return f")]}}'\n\n{len(envelope)}\n{envelope}\n{len(tail)}\n{tail}\n"


@dataclass
class FakeGoogle:
    """Answer gTTS requests; `script` holds statuses to answer first, in order."""

    script: list[int | str] = field(default_factory=list)
    retry_after: str | None = None
    texts: list[str] = field(default_factory=list)
    langs: list[str] = field(default_factory=list)

    def install(self, mock: responses.RequestsMock) -> None:
        """Register the endpoint on a responses mock."""
        mock.add_callback(responses.POST, ENDPOINT, callback=self.answer)

    def answer(self, request: requests.PreparedRequest) -> tuple[int, dict[str, str], str]:
        """Answer one POST like Google would."""
        body = request.body.decode() if isinstance(request.body, bytes) else str(request.body)
        form = urllib.parse.parse_qs(body)
        rpc = json.loads(form["f.req"][0])
        assert rpc[0][0][0] == "jQ1olc"
        text, lang, _speed, _ = json.loads(rpc[0][0][1])
        self.texts.append(text)
        self.langs.append(lang)
        if self.script:
            status = self.script.pop(0)
            if status == "drop":
                raise requests.ConnectionError("connection reset by peer")
            headers = {"Retry-After": self.retry_after} if self.retry_after else {}
            return int(status), headers, "<html>Too many requests</html>"
        return 200, {"Content-Type": "application/json; charset=utf-8"}, batchexecute(mp3_of(text))
