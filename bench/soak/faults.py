"""LLM faults at 100 concurrent requests: a model that hangs, trickles a token a second, answers 503 or
429, sends a malformed body or cuts its stream, or refuses connections. Every answer must come within
the timeout + 1 s; afterwards no call may be left running (worker threads back to their count before,
no reply still being sent upstream)."""

from __future__ import annotations

import json
import statistics
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

from bench.soak.servers import Server, free_port, sockets_to, threads
from tests.fakes.openai_server import FakeOpenAI, Reply

TIMEOUT = 5.0
FAULTS: dict[str, Reply] = {
    "none (a model that answers)": Reply(),
    "hangs": Reply(delay=120),
    "1 token/s": Reply(trickle=1.0, chunk_chars=4),
    "503": Reply(status=503),
    "429, Retry-After 1": Reply(status=429, retry_after=1),
    "malformed body": Reply(malformed=True),
    "stream cut": Reply(cut_after=2),
}


def _one(url: str, question: str, stream: bool) -> dict[str, Any]:
    started = time.perf_counter()
    out: dict[str, Any] = {"ok": False, "stream": stream}
    try:
        with httpx.Client(timeout=60, trust_env=False) as client:
            if stream:
                body = {"stream": True, "messages": [{"role": "user", "content": question}]}
                response = client.post(url + "/v1/chat/completions", json=body)
                text = response.text
                last = [json.loads(x[6:]) for x in text.splitlines() if x.startswith("data: {")][-1]
                out["ok"] = response.status_code == 200 and text.rstrip().endswith("data: [DONE]")
                out["mode"], out["notes"] = last.get("mode"), last.get("notes", [])
            else:
                response = client.post(url + "/v1/ask", json={"question": question})
                body = response.json()
                out["ok"] = response.status_code == 200
                out["mode"], out["notes"] = body.get("mode"), body.get("notes", [])
                out["lat"] = body.get("latency_ms")
    except (httpx.HTTPError, ValueError, IndexError) as exc:
        out["error"] = type(exc).__name__
    out["seconds"] = time.perf_counter() - started
    return out


def burst(url: str, questions: list[str], n: int = 100) -> dict[str, Any]:
    """``n`` requests at once, half /v1/ask, half streamed chat completions."""
    with ThreadPoolExecutor(n) as pool:
        results = list(pool.map(lambda i: _one(url, questions[i % len(questions)], i % 2 == 1), range(n)))
    times = sorted(r["seconds"] for r in results)
    return {
        "requests": n,
        "errors": sum(not r["ok"] for r in results),
        "p50_s": statistics.median(times),
        "max_s": times[-1],
        "llm": sum(r.get("mode") == "llm" for r in results),
        "busy": sum(any("繁忙" in x for x in r.get("notes", [])) for r in results),
        "notes": sorted({x for r in results for x in r.get("notes", [])}),
    }


def _llm_env(base_url: str) -> dict[str, str]:
    return {
        "ASSISTANT_LLM_BASE_URL": base_url,
        "ASSISTANT_LLM_MODEL": "fake-model",
        "ASSISTANT_LLM_TIMEOUT": str(TIMEOUT),
    }


def _settled(pids: set[int], before: int, port: int) -> dict[str, int]:
    """3 s after the burst: threads the workers gained over the burst (a call left running keeps
    one), and the connections they still hold to the model (idle keep-alive ones included)."""
    time.sleep(3.0)
    return {
        "threads_gained": sum(threads(pid) for pid in pids) - before,
        "upstream_open": sockets_to(pids, port),
    }


def run(data_dir: Path, questions: list[str], n: int = 100, workers: int = 2) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    with FakeOpenAI() as fake, Server(data_dir, workers, _llm_env(fake.base_url)) as server:
        pids = server.worker_pids()
        burst(server.url, questions, n)  # warm-up: the workers' thread pools grown to the load
        for name, reply in FAULTS.items():
            fake.clear()
            fake.always(reply)
            before = sum(threads(pid) for pid in pids)
            row = {"fault": name, **burst(server.url, questions, n)}
            fake.always(Reply())
            row.update(_settled(pids, before, fake.port))
            rows.append(row)
    port = free_port()  # nothing listens there
    with Server(data_dir, workers, _llm_env(f"http://127.0.0.1:{port}/v1")) as server:
        pids = server.worker_pids()
        burst(server.url, questions, n)
        before = sum(threads(pid) for pid in pids)
        row = {"fault": "connection refused", **burst(server.url, questions, n)}
        row.update(_settled(pids, before, port))
        rows.append(row)
    return rows
