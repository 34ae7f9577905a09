"""A least-recently-used cache bounded in bytes, for memoising work on text a user may choose.

Counting entries is no bound when keys are user text: one 2,000-character question's bigram set is
about 300 kB, so 16,384 entries could hold gigabytes. Here every entry is charged its estimated
footprint (key and value), and the least recently used go first once the budget is passed.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class ByteLRU(Generic[K, V]):
    """``get(key, compute)`` memoises ``compute(key)`` within ``max_bytes`` (thread-safe)."""

    def __init__(self, max_bytes: int, footprint: Callable[[K, V], int]) -> None:
        self.max_bytes = max_bytes
        self.footprint = footprint
        self.bytes = 0
        self._entries: OrderedDict[K, tuple[V, int]] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: K, compute: Callable[[K], V]) -> V:
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
                return found[0]
        value = compute(key)  # outside the lock: two threads may both compute, one result is kept
        cost = self.footprint(key, value)
        if cost > self.max_bytes:
            return value  # larger than the whole budget: never kept
        with self._lock:
            if key not in self._entries:
                self._entries[key] = (value, cost)
                self.bytes += cost
                while self.bytes > self.max_bytes:
                    _, (_, freed) = self._entries.popitem(last=False)
                    self.bytes -= freed
        return value

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.bytes = 0
