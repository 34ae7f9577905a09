"""LLM mode through the console script (a subprocess) against the fake endpoint: a forged citation is
never printed, tokens stream before the verified citations, and a dead or hanging endpoint still
gets an answer within the timeout."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from assistant.pipeline import Assistant
from assistant.settings import PROJECT_ROOT, Settings
from tests.conftest import free_port
from tests.fakes.openai_server import FakeOpenAI
from tests.llm_support import FORGED_ID, FORGED_QUOTE, Q_KNOW, Q_OK, TIMEOUT, Reply, forged, valid

pytestmark = pytest.mark.integration


@pytest.fixture(autouse=True)
def _fresh(fake: FakeOpenAI) -> None:
    """Every test starts with an empty script (the fixture clears it)."""


# A deadline no loaded machine reaches, for the tests of what the command prints rather than of the deadline:
# a cold command's first answer on two busy cores can take longer than TIMEOUT and fall back, as it should.
# The deadline itself is tested with TIMEOUT (test_an_answer_arrives_within_the_timeout).
ROOMY = 20.0


def run(
    args: list[str], settings: Settings, base_url: str, llm_timeout: float = ROOMY
) -> tuple[subprocess.CompletedProcess[str], float]:
    env = {
        **os.environ,
        "ASSISTANT_DATA_DIR": str(settings.data_dir),
        "ASSISTANT_LLM_BASE_URL": base_url,
        "ASSISTANT_LLM_MODEL": "fake-model",
        "ASSISTANT_LLM_TIMEOUT": str(llm_timeout),
    }
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "assistant", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=PROJECT_ROOT,
        timeout=120,
    )
    return result, time.perf_counter() - started


@pytest.mark.parametrize("as_json", [True, False])
def test_a_forged_citation_is_never_printed(
    settings: Settings, assistant: Assistant, fake: FakeOpenAI, as_json: bool
) -> None:
    fake.script(forged(), forged())
    result, _ = run(["ask", Q_OK, *(["--json"] if as_json else [])], settings, fake.base_url)
    assert result.returncode == 0, result.stderr
    assert FORGED_ID not in result.stdout and FORGED_QUOTE not in result.stdout
    assert len(fake.chat_requests()) >= 2  # the endpoint was asked (and its answer refused)
    if as_json:
        answer = json.loads(result.stdout)
        assert answer["mode"] == "offline" and answer["notes"] and answer["citations"]
    else:
        assert "引用：" in result.stdout and "未通过引用核验" in result.stderr


def test_tokens_stream_then_the_verified_citations(
    settings: Settings, assistant: Assistant, fake: FakeOpenAI
) -> None:
    fake.script(valid(assistant, Q_KNOW, "三个区分开来是对干部失误错误性质的区分。具体表述见条文[1]。"))
    result, _ = run(["ask", Q_KNOW], settings, fake.base_url)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.index("三个区分开来是对干部失误错误性质的区分。") < out.index("依据：") < out.index("引用：")
    assert "替换上文" not in out  # the streamed text was the verified answer


def test_json_prints_one_final_object(settings: Settings, assistant: Assistant, fake: FakeOpenAI) -> None:
    fake.script(valid(assistant, Q_KNOW))
    result, _ = run(["ask", Q_KNOW, "--json"], settings, fake.base_url)
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1 and json.loads(lines[0])["mode"] == "llm"


@pytest.mark.parametrize("endpoint", ["hanging", "down"])
def test_an_answer_arrives_within_the_timeout(
    settings: Settings, assistant: Assistant, fake: FakeOpenAI, endpoint: str
) -> None:
    base_url = fake.base_url if endpoint == "hanging" else f"http://127.0.0.1:{free_port()}/v1"
    fake.script(*[Reply(delay=30)] * 4)
    result, wall = run(["ask", Q_KNOW, "--json"], settings, base_url, llm_timeout=TIMEOUT)
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert answer["mode"] == "offline" and "大模型服务不可用" in answer["notes"][0]
    assert answer["latency_ms"] < (TIMEOUT + 1) * 1000
    assert wall < 30  # the process exits too: no thread waits for the hanging endpoint


def test_eval_runs_in_llm_mode(
    settings: Settings, assistant: Assistant, fake: FakeOpenAI, tmp_path: Path
) -> None:
    questions = (PROJECT_ROOT / "eval" / "questions.jsonl").read_text(encoding="utf-8").splitlines()[:6]
    subset = tmp_path / "subset.jsonl"
    subset.write_text("\n".join(questions) + "\n", encoding="utf-8")
    result, _ = run(
        ["eval", "--set", str(subset), "--out", str(tmp_path / "run"), "--no-baseline"],
        settings,
        fake.base_url,
    )
    assert result.returncode == 0, result.stderr
    metrics = json.loads((tmp_path / "run" / "metrics.json").read_text(encoding="utf-8"))
    assert "llm" in metrics["mode"] and metrics["metrics"]["invalid_citations"] == 0
