"""Kiosk floods: new participants per client address are limited; an enrolled kiosk is exempt.

A day centre's shared kiosk starts many people from one address: a facilitator enrols it from
the dashboard, which leaves a signed, long-lived cookie on that device.
"""

from __future__ import annotations

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.requests import Request
from starlette.responses import Response

from bot.settings import Settings
from bot.throttle import Throttle

DEVICE_COOKIE = "pv_kiosk_device"


class Enrolment:
    """The signed cookie that marks a device as a day centre's kiosk."""

    def __init__(self, secret_key: str, days: int, secure: bool) -> None:
        self.max_age = days * 86400
        self.signer = URLSafeTimedSerializer(secret_key, salt="porte-voix kiosk enrolment")
        self.secure = secure

    @classmethod
    def from_settings(cls, settings: Settings) -> Enrolment:
        """Read `kiosk.enrolment_days` and the server's secret and URL."""
        return cls(settings.secret_key, int(settings.section("kiosk")["enrolment_days"]),
                   settings.public_base_url.startswith("https://"))  # fmt: skip

    def enrolled(self, request: Request) -> bool:
        """Say whether this device carries a valid enrolment."""
        try:
            self.signer.loads(request.cookies.get(DEVICE_COOKIE, ""), max_age=self.max_age)
        except BadSignature:
            return False
        return True

    def enrol(self, response: Response, account_id: int) -> Response:
        """Leave the enrolment cookie on the device the response goes to."""
        response.set_cookie(DEVICE_COOKIE, self.signer.dumps({"by": account_id}), max_age=self.max_age,
                            path="/kiosk", httponly=True, samesite="lax", secure=self.secure)  # fmt: skip
        return response


class NewcomerLimit:
    """A token bucket of new participants per client address (enrolled devices go through)."""

    def __init__(self, enrolment: Enrolment, per_hour: float, burst: int) -> None:
        self.enrolment = enrolment
        self.buckets = Throttle(rate=per_hour / 3600, burst=burst, max_wait=0)

    def admit(self, request: Request) -> bool:
        """Take one new participant from this request's address; False when it has none left."""
        if self.enrolment.enrolled(request):
            return True
        address = request.client.host if request.client else "unknown"
        return self.buckets.reserve(address) is not None
