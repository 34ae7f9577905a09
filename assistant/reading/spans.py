"""The user's own words for a span read from the normalised text (width-folded, simplified, typos fixed).

The readers work on the normalised turn; what a user is shown, and what an officer quotes, are the words
they typed ("，" not ","; 繁體 as written). A span is mapped back by position and kept only when the raw
words normalise to it; otherwise the normalised span (itself an exact substring of the normalised turn)
is kept.
"""

from __future__ import annotations

from difflib import SequenceMatcher

from assistant.normalize import fold


def users_words(span: str, normalised: str, raw: str) -> str:
    start = normalised.find(span)
    source = raw.strip()
    if start < 0 or not span:
        return span
    end = start + len(span)
    if len(source) == len(normalised):
        candidate = source[start:end]
    else:
        # Whitespace runs collapsed or a typo fixed: align the two texts and map both ends.
        matcher = SequenceMatcher(None, normalised, source, autojunk=False)
        mapped: dict[int, int] = {}
        for tag, i1, i2, j1, _j2 in matcher.get_opcodes():
            if tag == "equal":
                for k in range(i2 - i1):
                    mapped[i1 + k] = j1 + k
        if start not in mapped or end - 1 not in mapped:
            return span
        candidate = source[mapped[start] : mapped[end - 1] + 1]
    return candidate if fold(candidate) == fold(span) or len(candidate) == len(span) else span
