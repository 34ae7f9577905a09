"""Text that cannot be encoded: found in requests (refused with a 400), kept out of responses.

JSON may spell a lone UTF-16 surrogate (``"\\ud800"``); Python decodes it into a str that no UTF-8
encoder accepts, so it fails far from the request (the audit row, the response body, the middle of a
stream) as a 500 or a dropped connection. Requests are therefore checked once, field by field, as they
are parsed; and every JSON body or stream frame sent is encoded so that it cannot fail.
"""

from __future__ import annotations

import json
import re
from typing import Any

from fastapi.responses import JSONResponse

_SURROGATE = re.compile("[\ud800-\udfff]")


def bad_unicode_field(value: Any) -> str | None:
    """The path (``messages[0].content``) of the first string, key or value, holding a lone
    surrogate; ``"(body)"`` for the body itself; None when there is none. Iterative: any depth."""
    stack: list[tuple[Any, str]] = [(value, "")]
    while stack:
        item, path = stack.pop()
        if isinstance(item, str):
            if _SURROGATE.search(item):
                return path or "(body)"
        elif isinstance(item, dict):
            for key, child in item.items():
                where = f"{path}.{key}" if path else str(key)
                if _SURROGATE.search(key):
                    return _SURROGATE.sub("\ufffd", where)
                stack.append((child, where))
        elif isinstance(item, list):
            stack.extend((child, f"{path}[{i}]") for i, child in enumerate(item))
    return None


def scrub(text: str) -> str:
    """``text`` with any lone surrogate replaced by U+FFFD, so it encodes as UTF-8."""
    return _SURROGATE.sub("\ufffd", text)


def dumps(data: Any) -> bytes:
    """Compact UTF-8 JSON that always encodes (a lone surrogate anywhere becomes U+FFFD)."""
    text = json.dumps(data, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        return scrub(text).encode("utf-8")


class SafeJSONResponse(JSONResponse):
    """A JSONResponse whose rendering cannot fail on text a model or a file produced."""

    def render(self, content: Any) -> bytes:
        return dumps(content)
