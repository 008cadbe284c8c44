"""The audit trail of administrative actions (purge, erase, exports).

One function, so that the dashboard's `audit_log` table (its migration 0002) can take the
records at merge: insert a row in `session`, in the same transaction as the action itself.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from storage.models import utcnow

log = logging.getLogger("porte_voix.audit")


def audit(session: Any, actor: str, action: str, detail: dict[str, Any]) -> None:
    """Record who did what, with counts only (never an address, a key or a text)."""
    record = {"at": utcnow().isoformat(timespec="seconds"), "actor": actor, "action": action,
              "detail": detail}  # fmt: skip
    log.warning("audit %s", json.dumps(record, sort_keys=True, ensure_ascii=False))
