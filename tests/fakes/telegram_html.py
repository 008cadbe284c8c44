"""Parse Telegram's HTML parse mode the way the Bot API does: plain text out, or an error."""

from __future__ import annotations

import html
import re

SUPPORTED = {
    "b",
    "strong",
    "i",
    "em",
    "u",
    "ins",
    "s",
    "strike",
    "del",
    "span",
    "tg-spoiler",
    "a",
    "tg-emoji",
    "code",
    "pre",
    "blockquote",
}
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[^<>]*)?)>")
_ENTITY = re.compile(r"&(#[0-9]+|#x[0-9a-fA-F]+|lt|gt|amp|quot);")


class EntityError(ValueError):
    """The text is not valid Telegram HTML (the API answers 400 can't parse entities)."""


def parse_html(text: str) -> str:
    """Return the plain text a user sees, or raise EntityError like the Bot API does."""
    out: list[str] = []
    stack: list[str] = []
    pos = 0
    while pos < len(text):
        ch = text[pos]
        if ch == "<":
            match = _TAG.match(text, pos)
            offset = len(text[:pos].encode("utf-8"))
            if match is None:
                raise EntityError(f"Unsupported start tag at byte offset {offset}")
            closing, name = match.group(1), match.group(2).lower()
            if name not in SUPPORTED:
                raise EntityError(f'Unsupported start tag "{name}" at byte offset {offset}')
            if closing:
                if not stack or stack[-1] != name:
                    raise EntityError(f"Unexpected end tag at byte offset {offset}")
                stack.pop()
            else:
                stack.append(name)
            pos = match.end()
        elif ch == "&":
            match = _ENTITY.match(text, pos)
            if match is None:
                out.append("&")
                pos += 1
            else:
                out.append(html.unescape(match.group(0)))
                pos = match.end()
        elif ch == ">":
            raise EntityError("Unsupported character '>'; use &gt;")
        else:
            out.append(ch)
            pos += 1
    if stack:
        raise EntityError(f'Can\'t find end tag corresponding to start tag "{stack[-1]}"')
    return "".join(out)


def utf16_length(text: str) -> int:
    """Return the length Telegram counts: UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2
