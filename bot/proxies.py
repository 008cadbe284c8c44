"""Which reverse proxies may say who the client is (X-Forwarded-For); none unless configured."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from bot.settings import Settings


@dataclass(frozen=True)
class Proxies:
    """config.yml `proxies:`: the addresses (or networks) of trusted reverse proxies."""

    SECTION: ClassVar[str] = "proxies"
    trusted: tuple[str, ...]


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """Return uvicorn's proxy options: forwarded headers believed only from trusted proxies.

    Without any, uvicorn reads no forwarded header at all (its default would believe 127.0.0.1,
    letting any local client pick its apparent address).
    """
    trusted = settings.typed(Proxies).trusted
    return {"proxy_headers": bool(trusted), "forwarded_allow_ips": list(trusted)}
