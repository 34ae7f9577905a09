"""The Assistant a worker serves, swapped for a new one when the knowledge is reloaded.

Requests take the current Assistant once and keep it to the end, so a swap never disturbs a request in
flight: old requests finish on the old index (its build folder is kept by the index swap), new ones
start on the new. Every worker notices a reload made by another (the index's ``current`` symlink
changed) within ``watch_seconds`` and loads the new index in a background thread before swapping.

A worker never builds at startup (``assistant serve`` built before starting workers); it opens the
current build as it is, reading its knowledge snapshot, so a broken file in knowledge/ cannot stop it.
Only when there is no index at all (a first start outside ``assistant serve``) is one built. A reload
builds aside and opens a whole Assistant on the new build before it is swapped in.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from assistant.index import build_index, has_index, open_build
from assistant.pipeline import Assistant, Conversation
from assistant.settings import Settings

log = logging.getLogger("assistant.reload")
WARM_UP_QUESTION = "三个区分开来是哪三个？"


def open_assistant(settings: Settings, folder: Path | None = None) -> Assistant:
    """An Assistant on a build (the current one by default), warmed up: first-use costs (tokenizer,
    retrieval, reader) are paid before it serves, and rules that fail to load fail here."""
    index = open_build(settings, folder)
    if index.knowledge_dir is not None:  # rules and lexicon from the build's snapshot, like the clauses
        settings = settings.model_copy(update={"knowledge_dir": index.knowledge_dir})
    assistant = Assistant(settings, index=index)
    assistant.analyse(Conversation([WARM_UP_QUESTION]))  # analyse never calls an LLM
    return assistant


def knowledge_version(assistant: Assistant) -> str:
    """The knowledge version an assistant answers from (the index manifest records it)."""
    return str(assistant.index.manifest.get("knowledge_version") or assistant.kb.version)


class AssistantHolder:
    """Holds the serving Assistant and replaces it atomically on reload."""

    def __init__(
        self,
        settings: Settings,
        initial: Assistant | None = None,
        factory: Callable[[Settings, Path | None], Assistant] = open_assistant,
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
            if not has_index(self.settings):  # no index at all: the first start outside `serve`
                build_index(self.settings, validate=lambda folder: self.factory(self.settings, folder))
                link = self._read_link()
            fresh = self.factory(self.settings, None)
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

        The new build is opened as a whole Assistant before it is swapped in, so a build that cannot
        serve never becomes current (KnowledgeError, naming file and line). Other workers pick the new
        index up from the symlink on their next request."""
        opened: list[Assistant] = []

        def validate(folder: Path) -> None:
            opened.append(self.factory(self.settings, folder))

        manifest = build_index(self.settings, force=force, validate=validate)
        if not opened:  # nothing was built (knowledge/ unchanged): make sure this worker is current
            self._load()
            return manifest
        with self._lock:
            self._assistant, self._link = opened[0], self._read_link()
            self.reloads += 1
        log.info("reloaded: serving index %s", self._link)
        return manifest
