"""Load: 32 clients asking at once (errors, latency); memory: resident size of a worker before and
after 1,000 distinct long questions (caches keyed by user text must not grow with them)."""

from __future__ import annotations

import random
import statistics
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx

from bench.soak.servers import Server, rss_mb


def clients(
    url: str,
    questions: list[str],
    n_clients: int = 32,
    per_client: int = 30,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    """``n_clients`` clients, ``per_client`` questions each, all at once; errors and latency."""

    def one(i: int) -> list[tuple[float, bool]]:
        out = []
        with httpx.Client(timeout=60, trust_env=False, headers=headers) as client:
            for k in range(per_client):
                started = time.perf_counter()
                try:
                    ok = (
                        client.post(
                            url + "/v1/ask", json={"question": questions[(i + k) % len(questions)]}
                        ).status_code
                        == 200
                    )
                except httpx.HTTPError:
                    ok = False
                out.append((time.perf_counter() - started, ok))
        return out

    started = time.perf_counter()
    with ThreadPoolExecutor(n_clients) as pool:
        results = [r for part in pool.map(one, range(n_clients)) for r in part]
    elapsed = time.perf_counter() - started
    times = sorted(t for t, _ in results)
    return {
        "clients": n_clients,
        "requests": len(results),
        "errors": sum(not ok for _, ok in results),
        "per_s": len(results) / elapsed,
        "p50_ms": statistics.median(times) * 1000,
        "p95_ms": times[int(len(times) * 0.95) - 1] * 1000,
    }


def long_questions(questions: list[str], n: int, seed: int, chars: int = 1990) -> list[str]:
    """``n`` distinct questions of about ``chars`` characters: stories of the evaluation set joined,
    numbered so no two are the same."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        parts: list[str] = []
        while sum(len(p) + 1 for p in parts) < chars:
            parts.append(rng.choice(questions))
        tag = f"（第{i}问）"
        out.append("，".join(parts)[: chars - len(tag)] + tag)
    return out


def memory(server: Server, questions: list[str], n: int = 1000, warm: int = 100) -> dict[str, Any]:
    """RSS of the (single) worker after ``warm`` long questions and after ``n`` more, all distinct."""
    pid = next(iter(server.worker_pids()))
    asked = long_questions(questions, warm + n, seed=7)

    def ask(batch: list[str]) -> int:
        errors = 0
        with httpx.Client(timeout=60, trust_env=False) as client:
            for q in batch:
                try:
                    errors += client.post(server.url + "/v1/ask", json={"question": q}).status_code != 200
                except httpx.HTTPError:
                    errors += 1
        return errors

    def run(batch: list[str]) -> int:
        with ThreadPoolExecutor(4) as pool:
            return sum(pool.map(ask, [batch[i::4] for i in range(4)]))

    errors = run(asked[:warm])
    before = rss_mb(pid)
    started = time.perf_counter()
    errors += run(asked[warm:])
    after = rss_mb(pid)
    return {
        "questions": n,
        "chars_each": len(asked[-1]),
        "rss_before_mb": before,
        "rss_after_mb": after,
        "growth_mb": after - before,
        "errors": errors,
        "seconds": time.perf_counter() - started,
    }
