"""Serving: knowledge reload under load without a dropped request, in one worker and across two
uvicorn workers reading one built index; the audit log holds every answer afterwards."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from assistant.audit import AuditLog
from assistant.server import audit_path, create_app
from assistant.settings import PROJECT_ROOT, Settings
from tests.conftest import free_port
from tests.serving import running

pytestmark = pytest.mark.integration
QUESTIONS = [
    "三个区分开来具体是哪三个？",
    "为了赶汛期没走政府采购就先找人修了闸门，事后补了手续，能容错吗",
    "形象工程能容错吗",
    "我们镇去年为了赶工期没招标直接找了一家公司修路，能不能从轻",
]


@pytest.fixture()
def own_knowledge(tmp_path: Path) -> Settings:
    shutil.copytree(PROJECT_ROOT / "knowledge", tmp_path / "knowledge")
    return Settings(
        data_dir=tmp_path / "data", knowledge_dir=tmp_path / "knowledge", admin_without_token=True
    )


def _edit_knowledge(settings: Settings) -> None:
    doc = settings.knowledge_dir / "docs" / "three-distinctions-2016.yaml"
    doc.write_text(doc.read_text(encoding="utf-8") + "\n# reloaded\n", encoding="utf-8")


class Load:
    """Clients asking questions in a loop until stopped; every status code is kept."""

    def __init__(self, url: str, clients: int, per_client: int | None = None) -> None:
        self.url, self.per_client = url, per_client
        self.statuses: list[int] = []
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._run, args=(i,)) for i in range(clients)]

    def _run(self, i: int) -> None:
        with httpx.Client(timeout=30) as client:
            n = 0
            while not self._stop.is_set() and (self.per_client is None or n < self.per_client):
                body = {"question": QUESTIONS[(i + n) % len(QUESTIONS)]}
                try:
                    self.statuses.append(client.post(self.url + "/v1/ask", json=body).status_code)
                except httpx.HTTPError:
                    self.statuses.append(0)  # a dropped connection
                n += 1

    def __enter__(self) -> Load:
        for t in self._threads:
            t.start()
        return self

    def __exit__(self, *_: object) -> None:
        if self.per_client is None:
            self._stop.set()
        for t in self._threads:
            t.join(timeout=120)


def test_reload_under_load_drops_nothing(own_knowledge: Settings) -> None:
    with running(create_app(own_knowledge)) as url:
        before = httpx.get(url + "/healthz").json()
        with Load(url, clients=4) as load:
            time.sleep(0.5)
            _edit_knowledge(own_knowledge)
            reloaded = httpx.post(url + "/v1/admin/reload", json={}, timeout=60).json()
            time.sleep(0.5)
        after = httpx.get(url + "/healthz").json()
        forced = httpx.post(url + "/v1/admin/reload", json={"force": True}, timeout=60).json()
        bad = httpx.post(url + "/v1/admin/reload", json={"force": "yes"})
    assert reloaded["status"] == "reloaded" and reloaded["knowledge_version"] != before["knowledge_version"]
    assert after["knowledge_version"] == reloaded["knowledge_version"]
    assert forced["index_built_at"] and bad.status_code == 400
    assert len(load.statuses) > 20 and set(load.statuses) == {200}


@pytest.fixture()
def two_workers(own_knowledge: Settings) -> Iterator[str]:
    port = free_port()
    env = {
        **os.environ,
        "ASSISTANT_DATA_DIR": str(own_knowledge.data_dir),
        "ASSISTANT_KNOWLEDGE_DIR": str(own_knowledge.knowledge_dir),
        "ASSISTANT_ADMIN_WITHOUT_TOKEN": "true",
    }
    cmd = [sys.executable, "-m", "assistant", "serve", "--port", str(port), "--workers", "2"]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 90
        while time.time() < deadline:
            try:
                if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        else:
            raise AssertionError("two workers did not start")
        time.sleep(1.0)  # let the second worker finish starting too
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_two_workers_share_the_index_reload_and_audit(two_workers: str, own_knowledge: Settings) -> None:
    url = two_workers
    before = httpx.get(url + "/healthz").json()["knowledge_version"]
    with Load(url, clients=8, per_client=40) as load:
        time.sleep(0.3)
        _edit_knowledge(own_knowledge)
        reloaded = httpx.post(url + "/v1/admin/reload", json={}, timeout=60).json()
    assert set(load.statuses) == {200} and len(load.statuses) == 320
    assert reloaded["knowledge_version"] != before
    deadline = time.time() + 10  # the other worker notices the new index within a second or so
    while time.time() < deadline:
        health = [httpx.get(url + "/healthz").json() for _ in range(40)]
        versions = {h["knowledge_version"] for h in health}
        if versions == {reloaded["knowledge_version"]} and len({h["worker_pid"] for h in health}) == 2:
            break
        time.sleep(0.3)
    assert versions == {reloaded["knowledge_version"]}
    assert len({h["worker_pid"] for h in health}) == 2  # both workers answered, both on the new index
    log = AuditLog(audit_path(own_knowledge))
    assert log.count() == 320  # every answer from both workers, none lost
    assert {r.knowledge_version for r in log.recent(400)} <= {before, reloaded["knowledge_version"]}


def _break_knowledge(settings: Settings) -> str:
    """Put a YAML syntax error into a document on disk; return the 'file:line' it must be reported at."""
    doc = settings.knowledge_dir / "docs" / "three-distinctions-2016.yaml"
    lines = doc.read_text(encoding="utf-8").splitlines()
    lines.insert(4, "title: [unclosed")
    doc.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return "docs/three-distinctions-2016.yaml:6"


def test_a_broken_knowledge_file_is_reported_and_the_last_good_index_serves(
    own_knowledge: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    with running(create_app(own_knowledge)) as url:
        before = httpx.get(url + "/healthz").json()
        assert before["knowledge_failed"] is None
        where = _break_knowledge(own_knowledge)
        failed = httpx.post(url + "/v1/admin/reload", json={}, timeout=60)
        health = httpx.get(url + "/healthz").json()
        asked = httpx.post(url + "/v1/ask", json={"question": QUESTIONS[0]}, timeout=30)
    # The reload's error names the file and line, and so do the log and /healthz.
    assert failed.status_code == 422, failed.text
    error = failed.json()["error"]
    assert error["code"] == "knowledge_invalid" and where in error["message"]
    assert before["knowledge_version"] in error["message"]  # what is still served
    assert any(where in r.getMessage() for r in caplog.records if r.levelname == "ERROR")
    assert health["knowledge_version"] == before["knowledge_version"]
    assert any(where in p for p in health["knowledge_failed"]["problems"])
    assert asked.status_code == 200 and asked.json()["citations"]
    # A worker starting now (a replacement) opens the last good build, never the broken files.
    with running(create_app(own_knowledge)) as url:
        health = httpx.get(url + "/healthz").json()
        asked = httpx.post(url + "/v1/ask", json={"question": QUESTIONS[1]}, timeout=30)
        doc = own_knowledge.knowledge_dir / "docs" / "three-distinctions-2016.yaml"
        doc.write_text(doc.read_text(encoding="utf-8").replace("title: [unclosed\n", ""), encoding="utf-8")
        fixed = httpx.post(url + "/v1/admin/reload", json={}, timeout=60)
        after = httpx.get(url + "/healthz").json()
    assert health["knowledge_version"] == before["knowledge_version"] and asked.status_code == 200
    assert fixed.status_code == 200 and after["knowledge_failed"] is None


def _serve(settings: Settings, port: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "ASSISTANT_DATA_DIR": str(settings.data_dir),
        "ASSISTANT_KNOWLEDGE_DIR": str(settings.knowledge_dir),
    }
    cmd = [sys.executable, "-m", "assistant", "serve", "--port", str(port), "--workers", "2"]
    return subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _worker_pids(url: str, timeout: float) -> set[int]:
    """The worker pids seen answering /healthz, once two distinct ones are seen (or the time is up)."""
    deadline, pids = time.time() + timeout, set()
    while time.time() < deadline:
        try:
            pids.add(httpx.get(url + "/healthz", timeout=2).json()["worker_pid"])
        except httpx.HTTPError:
            time.sleep(0.2)
        if len(pids) >= 2:
            break
    return pids


def test_a_killed_worker_is_replaced_while_a_knowledge_file_is_broken(own_knowledge: Settings) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    proc = _serve(own_knowledge, port)
    try:
        first = _worker_pids(url, 90)
        assert len(first) == 2, "two workers did not start"
        version = httpx.get(url + "/healthz").json()["knowledge_version"]
        _break_knowledge(own_knowledge)
        victim = next(iter(first))
        os.kill(victim, signal.SIGKILL)
        answered: list[bool] = []
        pids: set[int] = set()
        deadline = time.time() + 60
        while time.time() < deadline and len(pids - {victim}) < 2:
            try:
                health = httpx.get(url + "/healthz", timeout=2).json()
                pids.add(health["worker_pid"])
                answered.append(health["knowledge_version"] == version)
            except httpx.HTTPError:
                answered.append(False)
                time.sleep(0.05)
        assert proc.poll() is None, "the service stopped"
        assert len(pids - {victim}) == 2, "the killed worker was not replaced"
        assert httpx.post(url + "/v1/ask", json={"question": QUESTIONS[0]}, timeout=30).status_code == 200
        assert sum(answered) >= 0.9 * len(answered)  # the service stayed up, on the last good index
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    # Started again with the file still broken: it serves the last good index rather than refuse.
    proc = _serve(own_knowledge, port)
    try:
        assert len(_worker_pids(url, 90)) == 2
        health = httpx.get(url + "/healthz").json()
        assert health["knowledge_version"] == version and health["knowledge_failed"]["problems"]
    finally:
        proc.terminate()
        proc.wait(timeout=30)
