"""Pre-signed Twilio SMS webhooks for the inbound bench: the conversation and the signature."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

# One participant's SMS, in order, on the egalite flow (v3): start, reading, consent, two
# multiple choices, three scales (the last one brings the helplines), an open answer, its
# read-back, the age, and a typed commune (matched, then confirmed).
BODIES = ("bonjour", "1", "1", "1 3", "2", "1", "2", "3",
          "Plus de crèches le soir et des bus plus tard", "1", "3", "creteil")  # fmt: skip
PATH = "/webhooks/twilio/sms"


def signature(token: str, url: str, params: dict[str, str]) -> str:
    """Return Twilio's X-Twilio-Signature: HMAC-SHA1 of the URL and the sorted parameters."""
    data = url + "".join(name + params[name] for name in sorted(params))
    digest = hmac.new(token.encode(), data.encode("utf-8"), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def forms(first: int, count: int, people: int, prefix: str) -> Iterator[dict[str, str]]:
    """Yield messages first..first+count-1: message i is person i % people's next body."""
    for i in range(first, first + count):
        person = i % people
        yield {"MessageSid": f"SM{prefix}{i:010d}", "AccountSid": "ACbench",
               "From": f"+3361{person:07d}", "To": "+33700000000",
               "Body": BODIES[(i // people) % len(BODIES)], "NumMedia": "0"}  # fmt: skip


def write(path: Path, token: str, public_url: str, messages: Iterator[dict[str, str]]) -> int:
    """Write one request a line ("<signature> <form>") signed for public_url + PATH; return the count."""
    url = public_url.rstrip("/") + PATH
    count = 0
    with path.open("w", encoding="ascii") as out:
        for params in messages:
            out.write(f"{signature(token, url, params)} {urlencode(params)}\n")
            count += 1
    return count
