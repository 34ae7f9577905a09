"""HTTP bench: requests/s and p50/p95 of POST /v1/ask under 1, 8 and 32 concurrent clients, with 1 and
2 uvicorn workers, beside the in-process answer time of the same questions measured in the same run,
so the cost of the HTTP layer shows. Load goes to 127.0.0.1 only, in bounded wrk runs.

Run: `python -m bench.http_bench [--duration 5] [--workers 1 2] [--clients 1 8 32] [--repeat 2]` (needs wrk:
`apt-get install wrk`). Writes bench/out/http.json beside the printed table.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from assistant.index import build_index
from assistant.pipeline import Assistant
from assistant.settings import PROJECT_ROOT, Settings

QUESTIONS_FILE = PROJECT_ROOT / "eval" / "questions.jsonl"
OUT = PROJECT_ROOT / "bench" / "out"
SAMPLE = 16

_LUA = """
local bodies = {%s}
local i = 0
request = function()
  i = i %% #bodies + 1
  return wrk.format("POST", "/v1/ask", {["Content-Type"] = "application/json"}, bodies[i])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRKJSON {"requests": %%d, "duration_us": %%d, "p50_us": %%d, "p95_us": %%d,' ..
    ' "p99_us": %%d, "errors": %%d}\\n', summary.requests, summary.duration, latency:percentile(50),
    latency:percentile(95), latency:percentile(99), e.connect + e.read + e.write + e.status + e.timeout))
end
"""


def questions(n: int = SAMPLE) -> list[str]:
    """Every k-th question of the evaluation set: all categories, the same ones every run."""
    rows = [
        json.loads(line) for line in QUESTIONS_FILE.read_text(encoding="utf-8").splitlines() if line.strip()
    ]
    step = max(1, len(rows) // n)
    return [str(r["question"]) for r in rows[::step][:n]]


def in_process(settings: Settings, qs: list[str], rounds: int = 20) -> dict[str, float]:
    """p50/p95 (ms) of Assistant.ask on the questions, one thread, after a warm-up round."""
    assistant = Assistant(settings)
    for q in qs:
        assistant.ask(q)
    times = []
    for _ in range(rounds):
        for q in qs:
            started = time.perf_counter()
            assistant.ask(q)
            times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return {
        "p50_ms": statistics.median(times),
        "p95_ms": times[int(len(times) * 0.95) - 1],
        "per_s_one_thread": 1000 / statistics.fmean(times),
    }


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(data_dir: Path, workers: int) -> tuple[subprocess.Popen[bytes], str]:
    """`assistant serve` on a free loopback port; returns once /healthz answers."""
    port = _free_port()
    env = {**os.environ, "ASSISTANT_DATA_DIR": str(data_dir), "NO_PROXY": "127.0.0.1,localhost"}
    cmd = [sys.executable, "-m", "assistant", "serve", "--host", "127.0.0.1", "--port", str(port)]
    proc = subprocess.Popen([*cmd, "--workers", str(workers)], env=env, stdout=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            if httpx.get(url + "/healthz", timeout=1, trust_env=False).status_code == 200:
                return proc, url
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    proc.terminate()
    raise RuntimeError("the server did not start within 60 s")


def wrk(url: str, script: Path, clients: int, duration: float) -> dict[str, Any]:
    """One bounded wrk run; its Lua done() prints the figures as JSON."""
    threads = min(clients, 2)
    cmd = [
        "wrk",
        f"-t{threads}",
        f"-c{clients}",
        f"-d{duration:g}s",
        "--timeout",
        "10s",
        "-s",
        str(script),
        url,
    ]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 60, check=True).stdout
    line = next(x for x in out.splitlines() if x.startswith("WRKJSON "))
    figures: dict[str, Any] = json.loads(line.removeprefix("WRKJSON "))
    figures["rps"] = figures["requests"] / (figures["duration_us"] / 1e6)
    return figures


def run(duration: float, workers: list[int], clients: list[int], repeat: int = 1) -> dict[str, Any]:
    """Every combination, plus the in-process figures; returns what it printed."""
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install -y wrk (or `make bench-http` as root)")
    qs = questions()
    with tempfile.TemporaryDirectory(prefix="http-bench-") as tmp:
        settings = Settings(data_dir=Path(tmp))
        build_index(settings)
        local = in_process(settings, qs)
        script = Path(tmp) / "ask.lua"
        bodies = ", ".join("[==[" + json.dumps({"question": q}, ensure_ascii=False) + "]==]" for q in qs)
        script.write_text(_LUA % bodies, encoding="utf-8")
        rows = []
        load_before = os.getloadavg()[0]
        for w in workers:
            proc, url = start_server(Path(tmp), w)
            try:
                wrk(url, script, 8, 2)  # warm-up: every worker past its first requests
                for c in clients:
                    # Best of `repeat` runs: on a shared 2-core machine another process's burst
                    # lowers one run; the best run is the one closest to what the server can do.
                    runs = [wrk(url, script, c, duration) for _ in range(repeat)]
                    rows.append({"workers": w, "clients": c, **max(runs, key=lambda r: r["rps"])})
            finally:
                proc.terminate()
                proc.wait(timeout=30)
    result = {
        "questions": len(qs),
        "duration_s": duration,
        "repeat": repeat,
        "load_average_before": load_before,
        "in_process": local,
        "http": rows,
    }
    _print(result)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "http.json").write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    return result


def _print(result: dict[str, Any]) -> None:
    local = result["in_process"]
    print(
        f"in-process Assistant.ask ({result['questions']} questions): p50 {local['p50_ms']:.2f} ms, "
        f"p95 {local['p95_ms']:.2f} ms, {local['per_s_one_thread']:.0f}/s on one thread"
    )
    print(
        f"{'workers':>7} {'clients':>7} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>6}"
        f" {'+p50 vs in-process':>19}"
    )
    for r in result["http"]:
        extra = r["p50_us"] / 1000 - local["p50_ms"]
        print(
            f"{r['workers']:>7} {r['clients']:>7} {r['rps']:>8.0f} {r['p50_us'] / 1000:>8.2f} "
            f"{r['p95_us'] / 1000:>8.2f} {r['p99_us'] / 1000:>8.2f} {r['errors']:>6} {extra:>+18.2f}"
        )
    by = {(r["workers"], r["clients"]): r["rps"] for r in result["http"]}
    for c in sorted({r["clients"] for r in result["http"]}):
        if (1, c) in by and (2, c) in by:
            print(f"2 workers / 1 worker at {c} clients: {by[(2, c)] / by[(1, c)]:.2f}x")


def main() -> None:
    """Command line entry."""
    parser = argparse.ArgumentParser(prog="python -m bench.http_bench")
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per wrk run (bounded)")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 8, 32])
    parser.add_argument("--repeat", type=int, default=2, help="runs per combination; the best is kept")
    args = parser.parse_args()
    run(args.duration, args.workers, args.clients, args.repeat)


if __name__ == "__main__":
    main()
