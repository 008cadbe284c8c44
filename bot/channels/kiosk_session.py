"""The kiosk's anonymous participant, carried in a signed cookie."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.requests import Request
from starlette.responses import Response

COOKIE = "pv_kiosk"


@dataclass
class KioskSession:
    """One person at the kiosk: an address no one else has, and the token of their forms."""

    address: str
    csrf: str
    assisted: bool = False
    fresh: bool = False  # no cookie came with the request: its forms cannot be trusted yet
    notice: str = ""  # a one-time message for the next page (e.g. "your answers are erased")


def newcomer(fresh: bool = True) -> KioskSession:
    """Return a session for a person the kiosk has not seen (a new address, no answers)."""
    return KioskSession(uuid.uuid4().hex, secrets.token_urlsafe(24), fresh=fresh)


class Sessions:
    """Read and write the signed session cookie."""

    def __init__(self, secret: str, max_age: int, secure: bool) -> None:
        self.signer = URLSafeTimedSerializer(secret, salt="porte-voix kiosk")
        self.max_age = max_age
        self.secure = secure

    def read(self, request: Request) -> KioskSession:
        """Read the signed cookie; a missing, expired or tampered one starts afresh."""
        raw = request.cookies.get(COOKIE)
        if raw:
            try:
                data = self.signer.loads(raw, max_age=self.max_age)
                return KioskSession(str(data["a"]), str(data["c"]), bool(data.get("h")),
                                    notice=str(data.get("n") or ""))  # fmt: skip
            except (BadSignature, KeyError, TypeError, ValueError):
                pass
        return newcomer()

    def keep(self, response: Response, session: KioskSession) -> Response:
        """Write the session cookie on a response."""
        value = self.signer.dumps({"a": session.address, "c": session.csrf, "h": session.assisted,
                                   "n": session.notice})  # fmt: skip
        response.set_cookie(COOKIE, value, max_age=self.max_age, httponly=True, samesite="lax",
                            secure=self.secure, path="/")  # fmt: skip
        return response
