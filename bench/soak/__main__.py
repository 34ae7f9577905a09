"""`python -m bench.soak [--fuzz N] [--clients N] [--long N] [--faults N]`: every phase, then the figures."""

from __future__ import annotations

import argparse
import base64
import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any

from assistant.index import build_index
from assistant.settings import PROJECT_ROOT, Settings
from bench.http_bench import questions as sample_questions
from bench.soak import faults, fuzz, kill, load
from bench.soak.servers import Server
from tests.fakes.wecom_crypto import WeComPeer
from tests.fakes.wecom_server import fake_wecom

OUT = PROJECT_ROOT / "bench" / "out"
EVAL = PROJECT_ROOT / "eval" / "questions.jsonl"


def _questions() -> list[str]:
    rows = [json.loads(x) for x in EVAL.read_text(encoding="utf-8").splitlines() if x.strip()]
    return [str(r["question"]) for r in rows]


def _fuzz_and_load(
    data: Path, every: list[str], sample: list[str], args: argparse.Namespace
) -> dict[str, Any]:
    """Fuzz and then load one 2-worker server with a token and the WeChat app configured (pushes go to
    a fake WeChat Work API on loopback)."""
    corp, secret, token = "ww-soak", "soak-secret", "soak-cb-token"
    aes = base64.b64encode(os.urandom(32)).decode().rstrip("=")
    with fake_wecom(corp, secret) as (_, api_base):
        env = {
            "ASSISTANT_API_TOKEN": fuzz.TOKEN,
            "ASSISTANT_WECOM_CORP_ID": corp,
            "ASSISTANT_WECOM_AGENT_ID": "1000002",
            "ASSISTANT_WECOM_SECRET": secret,
            "ASSISTANT_WECOM_TOKEN": token,
            "ASSISTANT_WECOM_AES_KEY": aes,
            "ASSISTANT_WECOM_API_BASE": api_base,
        }
        with Server(data, 2, env) as server:
            started = time.monotonic()
            tally = fuzz.run(server.url, every, WeComPeer(token, aes, corp), args.fuzz)
            fuzzed = {
                "requests": tally.requests,
                "seconds": time.monotonic() - started,
                "5xx": sum(c for s, c in tally.statuses.items() if s >= 500),
                "dropped": tally.dropped,
                "streams": tally.streams,
                "streams_without_done": tally.streams_cut,
                "errors_not_json": tally.non_json_errors,
                "statuses": {str(k): v for k, v in sorted(tally.statuses.items())},
                "examples": tally.examples,
                "service_up": server.alive(),
            }
            loaded = load.clients(
                server.url, sample, args.clients, headers={"authorization": f"Bearer {fuzz.TOKEN}"}
            )
    return {"fuzz": fuzzed, "load": loaded}


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.soak")
    parser.add_argument("--fuzz", type=int, default=10_000, help="fuzzed requests")
    parser.add_argument("--clients", type=int, default=32, help="clients at once in the load phase")
    parser.add_argument("--long", type=int, default=1000, help="distinct long questions for the memory phase")
    parser.add_argument("--faults", type=int, default=100, help="concurrent requests per LLM fault")
    args = parser.parse_args()
    os.environ["NO_PROXY"] = os.environ["no_proxy"] = "127.0.0.1,localhost"  # loopback only
    every, sample = _questions(), sample_questions()
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="soak-") as tmp:
        root = Path(tmp)
        data = root / "data"
        build_index(Settings(data_dir=data))
        result = _fuzz_and_load(data, every, sample, args)
        _print_fuzz(result["fuzz"], result["load"])
        with Server(data, 1) as server:
            result["memory"] = load.memory(server, every, args.long)
        _print_memory(result["memory"])
        result["faults"] = faults.run(data, sample, args.faults)
        _print_faults(result["faults"], args.faults)
        result["kill"] = kill.run(root / "kill", sample)
        _print_kill(result["kill"])
    result["seconds"] = time.monotonic() - started
    print(f"soak took {result['seconds']:.0f} s; figures in bench/out/soak.json")
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "soak.json").write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")


def _print_fuzz(f: dict[str, Any], load_: dict[str, Any]) -> None:
    print(
        f"fuzz: {f['requests']} requests in {f['seconds']:.0f} s: {f['5xx']} responses of 5xx, "
        f"{f['dropped']} dropped, {f['streams_without_done']} of {f['streams']} streams without [DONE], "
        f"{f['errors_not_json']} errors not JSON; statuses {f['statuses']}"
    )
    for example in f["examples"]:
        print("  " + example)
    print(
        f"load: {load_['clients']} clients, {load_['requests']} requests: {load_['errors']} errors, "
        f"{load_['per_s']:.0f}/s, p50 {load_['p50_ms']:.0f} ms, p95 {load_['p95_ms']:.0f} ms"
    )


def _print_memory(m: dict[str, Any]) -> None:
    print(
        f"memory: {m['questions']} distinct questions of {m['chars_each']} characters: worker RSS "
        f"{m['rss_before_mb']:.1f} MB → {m['rss_after_mb']:.1f} MB ({m['growth_mb']:+.1f} MB), "
        f"{m['errors']} errors, {m['seconds']:.0f} s"
    )


def _print_faults(rows: list[dict[str, Any]], n: int) -> None:
    print(f"LLM faults, {n} concurrent requests each (half streamed), timeout {faults.TIMEOUT:g} s:")
    print(
        f"  {'fault':<28} {'errors':>6} {'p50 s':>6} {'max s':>6} {'llm':>4} {'busy':>4}"
        f" {'threads+':>8} {'open':>4}   (3 s after: threads gained, connections to the model)"
    )
    for r in rows:
        print(
            f"  {r['fault']:<28} {r['errors']:>6} {r['p50_s']:>6.2f} {r['max_s']:>6.2f} {r['llm']:>4} "
            f"{r['busy']:>4} {r['threads_gained']:>8} {r['upstream_open']:>4}"
        )


def _print_kill(k: dict[str, Any]) -> None:
    print(
        f"kill -9 of a worker under load, a knowledge file broken on disk: service up {k['service_up']}, "
        f"replaced after {k['replaced_after_s'] or float('nan'):.1f} s, {k['answered']} of {k['requests']} "
        f"requests answered ({k['failed']} failed), version {k['version_before']} → {k['version_after']}, "
        f"{k['audit_rows']} audit rows"
    )
    print(f"  reload: {k['reload_status']} {k['reload_message'][:160]}")
    print(f"  /healthz knowledge_failed: {k['healthz_failed'][:2]}")


if __name__ == "__main__":
    main()
