"""Choosing the exact words of a unit to quote: the sentence that best matches what is being said."""

from __future__ import annotations

import re
import sys

from assistant.bytecache import ByteLRU
from assistant.domain import Unit
from assistant.normalize import fold

_SENTENCE = re.compile(r"[^。；;!?！？\n]+[。；;!?！？]?")
MAX_QUOTE = 160


# Memoised: the same unit sentences are folded (OpenCC) for every answer, which was two thirds of
# the offline answer time. Hints are the user's questions, so the cache is bounded in bytes: the
# base's sentences take about 3 MB, a 2,000-character question about 300 kB.
CACHE_BYTES = 8 * 1024 * 1024


def _footprint(text: str, grams: frozenset[str]) -> int:
    return sys.getsizeof(text) + sys.getsizeof(grams) + sum(sys.getsizeof(g) for g in grams)


_CACHE: ByteLRU[str, frozenset[str]] = ByteLRU(CACHE_BYTES, _footprint)


def bigrams(text: str) -> frozenset[str]:
    """The character bigrams of the folded text, punctuation and spaces left out (memoised)."""
    return _CACHE.get(text, _bigrams)


def _bigrams(text: str) -> frozenset[str]:
    text = fold(text)
    return frozenset(
        text[i : i + 2]
        for i in range(len(text) - 1)
        if not re.search(r"[\s,.;:，。；：、“”()（）]", text[i : i + 2])
    )


def best_quote(unit: Unit, hint: str) -> str:
    """An exact substring of the unit's text: its sentence sharing most with ``hint``, at most
    MAX_QUOTE characters (cut at a clause break inside the sentence when longer)."""
    text = unit.text
    want = bigrams(hint)
    best = ""
    best_score = -1.0
    for m in _SENTENCE.finditer(text):
        sentence = m.group(0).strip()
        if len(sentence) < 4:
            continue
        score = len(bigrams(sentence) & want) + 0.001 * min(len(sentence), 80)
        if score > best_score:
            best, best_score = sentence, score
    if not best:
        best = text.strip()
    if len(best) > MAX_QUOTE:
        best = _trim(best, want)
    assert best in text, "a quote must be an exact substring of its unit"
    return best


def _trim(sentence: str, want: frozenset[str]) -> str:
    """The window of clauses (split at ，,) of the sentence that matches best, within MAX_QUOTE."""
    parts = re.findall(r"[^，,]+[，,]?", sentence)
    best, best_score = sentence[:MAX_QUOTE], -1.0
    for i in range(len(parts)):
        window = ""
        for part in parts[i:]:
            if len(window) + len(part) > MAX_QUOTE:
                break
            window += part
            # Overlap first; among equals the fuller window, so a quote never shrinks to a stub.
            score = len(bigrams(window) & want) + 0.001 * len(window)
            if score > best_score:
                best, best_score = window, score
    return best.rstrip("，,")
