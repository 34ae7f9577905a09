"""The Assistant a worker serves, swapped for a new one when the knowledge is reloaded.

Requests take the current Assistant once and keep it to the end, so a swap never disturbs a request in
flight: old requests finish on the old index (its build folder is kept by the index swap), new ones
start on the new. Every worker notices a reload made by another (the index's ``current`` symlink
changed) within ``watch_seconds`` and loads the new index in a background thread before swapping.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from typing import Any

from assistant.index import build_index
from assistant.pipeline import Assistant, Conversation
from assistant.settings import Settings

log = logging.getLogger("assistant.reload")
WARM_UP_QUESTION = "三个区分开来是哪三个？"


def knowledge_version(assistant: Assistant) -> str:
    """The knowledge version an assistant answers from (the index manifest records it)."""
    return str(assistant.index.manifest.get("knowledge_version") or assistant.kb.version)


class AssistantHolder:
    """Holds the serving Assistant and replaces it atomically on reload."""

    def __init__(
        self,
        settings: Settings,
        initial: Assistant | None = None,
        factory: Callable[[Settings], Assistant] = Assistant,
        watch_seconds: float = 1.0,
    ) -> None:
        self.settings = settings
        self.factory = factory
        self.watch_seconds = watch_seconds
        self._lock = threading.Lock()  # one load at a time
        self._link = self._read_link()
        self._assistant = initial
        self._next_check = time.monotonic() + watch_seconds
        self._loading = False
        self.reloads = 0

    def _read_link(self) -> str | None:
        try:
            return os.readlink(self.settings.index_dir / "current")
        except OSError:
            return None

    @property
    def current(self) -> Assistant:
        """The Assistant to answer with; loads it on first use and notices reloads by other workers."""
        assistant = self._assistant
        if assistant is None:
            return self._load()
        now = time.monotonic()
        if now >= self._next_check:
            self._next_check = now + self.watch_seconds
            if not self._loading and self._read_link() != self._link:
                self._loading = True
                threading.Thread(target=self._load_quietly, name="index-reload", daemon=True).start()
        return assistant

    def _load(self) -> Assistant:
        with self._lock:
            link = self._read_link()  # read before opening: a swap during the open is seen next time
            if self._assistant is not None and link == self._link:
                return self._assistant
            fresh = self.factory(self.settings)
            if link is None:  # there was no index yet: the factory has just built it
                link = self._read_link()
            # First-use costs (tokenizer, retrieval) paid before serving; analyse never calls an LLM.
            fresh.analyse(Conversation([WARM_UP_QUESTION]))
            self._assistant, self._link = fresh, link
            self.reloads += 1
            log.info("serving index %s", link)
            return fresh

    def _load_quietly(self) -> None:
        try:
            self._load()
        except Exception:  # keep serving the old index; the next check tries again
            log.exception("index reload failed; still serving the previous index")
        finally:
            self._loading = False

    def reload(self, force: bool = False) -> dict[str, Any]:
        """Rebuild the index if knowledge/ changed (or ``force``) and swap it in here; return its manifest.

        Other workers pick the new index up from the symlink on their next request."""
        manifest = build_index(self.settings, force=force)
        self._load()
        return manifest
