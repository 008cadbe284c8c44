"""Step kinds: one module each, found here, consulted through one registry."""

from flows.kinds.base import Kind, Run, View
from flows.kinds.registry import get, known, names, register, register_package, unregister

register_package(__name__, __path__)

__all__ = ["Kind", "Run", "View", "get", "known", "names", "register", "unregister"]
