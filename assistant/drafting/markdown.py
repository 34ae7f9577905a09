"""Text from the knowledge base set safely in Markdown: its own asterisks (“*种…*种” in a source that
hides numbers) and brackets print as they are instead of turning into italics or links."""

from __future__ import annotations

import re

_INLINE = re.compile(r"([\\`*_\[\]<>|~])")
_LINE_START = re.compile(r"^(\s*)(?:([#>+\-])|(\d+)([.)]))")


def escape(text: str) -> str:
    """``text`` with every Markdown control character backslash-escaped, so it renders as written."""
    text = _INLINE.sub(r"\\\1", text)
    # A line that would open a heading, quote or list: "\#", "\-", and "1\." (a digit takes no escape).
    return _LINE_START.sub(
        lambda m: m.group(1) + ("\\" + m.group(2) if m.group(2) else m.group(3) + "\\" + m.group(4)), text
    )
