"""kill -9 of a worker under load while a knowledge file on disk is broken: the service must stay up,
the worker be replaced on the last good index, and a reload name the broken file and line."""

from __future__ import annotations

import os
import shutil
import signal
import threading
import time
from pathlib import Path
from typing import Any

import httpx

from assistant.audit import AuditLog
from assistant.settings import PROJECT_ROOT, Settings
from bench.soak.servers import Server

TOKEN = "soak-admin-token-71e0"
BROKEN = "docs/three-distinctions-2016.yaml"


class Load:
    """Clients asking until stopped; each outcome kept (status code, or 0 for a dropped connection)."""

    def __init__(self, url: str, questions: list[str], clients: int = 4) -> None:
        self.url, self.questions = url, questions
        self.outcomes: list[int] = []
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._run, args=(i,)) for i in range(clients)]

    def _run(self, i: int) -> None:
        with httpx.Client(timeout=30, trust_env=False, headers={"authorization": f"Bearer {TOKEN}"}) as c:
            k = 0
            while not self._stop.is_set():
                try:
                    q = self.questions[(i * 7 + k) % len(self.questions)]
                    self.outcomes.append(c.post(self.url + "/v1/ask", json={"question": q}).status_code)
                except httpx.HTTPError:
                    self.outcomes.append(0)
                k += 1

    def __enter__(self) -> Load:
        for t in self._threads:
            t.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        for t in self._threads:
            t.join(timeout=60)


def _break(knowledge: Path) -> None:
    doc = knowledge / BROKEN
    lines = doc.read_text(encoding="utf-8").splitlines()
    lines.insert(4, "title: [unclosed")
    doc.write_text("\n".join(lines) + "\n", encoding="utf-8")


def run(root: Path, questions: list[str]) -> dict[str, Any]:
    knowledge, data = root / "knowledge", root / "data"
    shutil.copytree(PROJECT_ROOT / "knowledge", knowledge)
    env = {"ASSISTANT_KNOWLEDGE_DIR": str(knowledge), "ASSISTANT_API_TOKEN": TOKEN}
    auth = {"authorization": f"Bearer {TOKEN}"}
    with Server(data, 2, env) as server:
        first = server.worker_pids()
        version = httpx.get(server.url + "/healthz", trust_env=False).json()["knowledge_version"]
        with Load(server.url, questions) as load:
            time.sleep(2.0)
            _break(knowledge)
            victim = min(first)
            killed_at = time.monotonic()
            os.kill(victim, signal.SIGKILL)
            replaced_after = None
            while time.monotonic() - killed_at < 60:
                pids = server.worker_pids(1.0)
                if len(pids - {victim}) == 2:
                    replaced_after = time.monotonic() - killed_at
                    break
            reload = httpx.post(
                server.url + "/v1/admin/reload", json={}, headers=auth, timeout=60, trust_env=False
            )
            time.sleep(2.0)
        health = httpx.get(server.url + "/healthz", trust_env=False).json()
        up = server.alive()
    answered = load.outcomes.count(200)
    return {
        "service_up": up,
        "replaced_after_s": replaced_after,
        "requests": len(load.outcomes),
        "answered": answered,
        "failed": len(load.outcomes) - answered,
        "version_before": version,
        "version_after": health["knowledge_version"],
        "reload_status": reload.status_code,
        "reload_message": reload.json().get("error", {}).get("message", ""),
        "healthz_failed": (health.get("knowledge_failed") or {}).get("problems", []),
        "audit_rows": AuditLog(Settings(data_dir=data).data_dir / "audit.sqlite3").count(),
    }
