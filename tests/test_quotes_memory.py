"""Memory held for text users choose stays bounded: the quote-hint cache is bounded in bytes."""

from __future__ import annotations

import gc
import tracemalloc

from assistant import quotes
from assistant.bytecache import ByteLRU


def _long_question(n: int) -> str:
    """A distinct 2,000-character question (CJK characters from a walk through the block)."""
    return "".join(chr(0x4E00 + (n * 7919 + i * 104729) % 20000) for i in range(2000))


def test_distinct_long_questions_do_not_grow_the_quote_cache_past_its_budget() -> None:
    gc.collect()
    tracemalloc.start()
    try:
        before, _ = tracemalloc.get_traced_memory()
        for n in range(100):  # about 30 MB if every question's bigram set were kept
            quotes.bigrams(_long_question(n))
        gc.collect()
        after, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert after - before < quotes.CACHE_BYTES * 1.5, f"{(after - before) / 1e6:.1f} MB kept"


def test_the_cache_evicts_the_least_recently_used_by_bytes() -> None:
    cache: ByteLRU[str, str] = ByteLRU(10, lambda k, v: len(k) + len(v))
    assert cache.get("ab", str.upper) == "AB" and cache.bytes == 4
    cache.get("cd", str.upper)
    cache.get("ab", str.upper)  # used again: "cd" is now the oldest
    cache.get("ef", str.upper)
    assert cache.bytes <= 10 and len(cache) == 2
    calls: list[str] = []
    cache.get("ab", lambda k: calls.append(k) or k.upper())
    assert calls == []  # still cached
    assert cache.get("x" * 20, str.upper) == "X" * 20 and cache.bytes <= 10  # too big to keep
