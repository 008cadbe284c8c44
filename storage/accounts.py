"""Facilitator accounts: argon2 passwords and server-side sessions (delays: dashboard/login_delay.py)."""

from __future__ import annotations

import base64
import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from storage.dashboard_models import Facilitator, FacilitatorSession
from storage.models import utcnow

ROLES = ("facilitator", "admin")
MIN_PASSWORD_LENGTH = 12
SESSION_HOURS = 12

_hasher = PasswordHasher()


def _unmatchable_hash() -> str:
    """Return a hash in the hasher's parameters that no password matches (random salt and digest).

    Verified against when the account is unknown, so a wrong e-mail costs as long as a wrong
    password. Written, not computed: hashing at import would take argon2's 64 MiB at every start.
    """

    def b64(raw: bytes) -> str:
        return base64.b64encode(raw).decode("ascii").rstrip("=")

    salt, digest = secrets.token_bytes(_hasher.salt_len), secrets.token_bytes(_hasher.hash_len)
    return (f"$argon2id$v=19$m={_hasher.memory_cost},t={_hasher.time_cost},p={_hasher.parallelism}"
            f"${b64(salt)}${b64(digest)}")  # fmt: skip


_DUMMY_HASH = _unmatchable_hash()


class AccountError(ValueError):
    """An account cannot be created or changed as asked."""


def _aware(moment: datetime) -> datetime:
    """Treat a naive timestamp read back from SQLite as UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def normalise_email(email: str) -> str:
    """Return the canonical form of an e-mail address."""
    return email.strip().lower()


def add_facilitator(session: Session, email: str, password: str, role: str) -> Facilitator:
    """Create an account (AccountError when the input is unusable)."""
    email = normalise_email(email)
    if "@" not in email or len(email) > 255:
        raise AccountError("an account needs a valid e-mail address")
    if role not in ROLES:
        raise AccountError(f"role must be one of {', '.join(ROLES)}")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"the password needs at least {MIN_PASSWORD_LENGTH} characters")
    if session.scalar(select(Facilitator).where(Facilitator.email == email)):
        raise AccountError(f"an account already exists for {email}")
    account = Facilitator(email=email, password_hash=_hasher.hash(password), role=role)
    session.add(account)
    session.flush()
    return account


def list_facilitators(session: Session) -> list[Facilitator]:
    """Return every account, oldest first."""
    return list(session.scalars(select(Facilitator).order_by(Facilitator.id)))


def set_disabled(session: Session, facilitator_id: int, disabled: bool) -> Facilitator:
    """Disable or re-enable an account; disabling ends its sessions."""
    account = session.get(Facilitator, facilitator_id)
    if account is None:
        raise AccountError("no such account")
    account.disabled_at = utcnow() if disabled else None
    if disabled:
        session.execute(delete(FacilitatorSession).where(FacilitatorSession.facilitator_id == account.id))
    return account


def authenticate(session: Session, email: str, password: str) -> Facilitator | None:
    """Return the enabled account this password opens (None otherwise, in the same time)."""
    account = session.scalar(select(Facilitator).where(Facilitator.email == normalise_email(email)))
    try:
        ok: bool = _hasher.verify(account.password_hash if account else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        ok = False
    if not ok or account is None or account.disabled_at is not None:
        return None
    if _hasher.check_needs_rehash(account.password_hash):
        account.password_hash = _hasher.hash(password)
    return account


def _token_hash(token: str) -> str:
    """Return the stored digest of a session token."""
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def open_session(session: Session, account: Facilitator) -> str:
    """Start a login session and return its secret token (for the signed cookie)."""
    token = secrets.token_urlsafe(32)
    session.add(
        FacilitatorSession(
            token_hash=_token_hash(token),
            facilitator_id=account.id,
            csrf_token=secrets.token_urlsafe(32),
            expires_at=utcnow() + timedelta(hours=SESSION_HOURS),
        )
    )
    session.execute(delete(FacilitatorSession).where(FacilitatorSession.expires_at < utcnow()))
    return token


def find_session(session: Session, token: str) -> tuple[Facilitator, str] | None:
    """Return the account and CSRF token of a live session, or None."""
    row = session.scalar(
        select(FacilitatorSession).where(FacilitatorSession.token_hash == _token_hash(token))
    )
    if row is None or _aware(row.expires_at) < utcnow():
        return None
    account = session.get(Facilitator, row.facilitator_id)
    if account is None or account.disabled_at is not None:
        return None
    return account, row.csrf_token


def close_session(session: Session, token: str) -> None:
    """End a login session (logout)."""
    session.execute(delete(FacilitatorSession).where(FacilitatorSession.token_hash == _token_hash(token)))
