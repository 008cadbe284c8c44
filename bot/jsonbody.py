"""Parse a webhook's JSON body safely: malformed or too deeply nested is a ValueError."""

from __future__ import annotations

import json
import re
from typing import Any

# Platforms nest a few levels; a hostile body nests thousands (Python's parser then recurses).
MAX_DEPTH = 64
_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)


def depth(body: bytes) -> int:
    """Return how deeply arrays and objects nest in a JSON text (brackets in strings ignored)."""
    deepest = level = 0
    for byte in _STRING.sub(b'""', body):
        if byte in b"[{":
            level += 1
            deepest = max(deepest, level)
        elif byte in b"]}":
            level -= 1
    return deepest


def loads(body: bytes, max_depth: int = MAX_DEPTH) -> Any:
    """Parse JSON; ValueError when it is not JSON or nests deeper than max_depth."""
    if depth(body) > max_depth:
        raise ValueError(f"JSON nested deeper than {max_depth}")
    try:
        return json.loads(body)
    except (UnicodeDecodeError, RecursionError) as exc:
        raise ValueError("body is not JSON") from exc


def well_typed(data: Any, types: dict[str, tuple[type, ...]]) -> bool:
    """Say whether every key named in `types`, at any depth, holds a value of one of its types."""
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            for key, value in item.items():
                if key in types and value is not None and not isinstance(value, types[key]):
                    return False
                stack.append(value)
        elif isinstance(item, list):
            stack.extend(item)
    return True
