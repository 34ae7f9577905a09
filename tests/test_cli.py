"""The console script, as users run it: JSON output, batches, exit codes, no tracebacks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.settings import PROJECT_ROOT, Settings

QUESTION = "为了赶汛期没走政府采购就先找人修了闸门，事后补了手续，能容错吗"


def cli(args: list[str], data_dir: Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ASSISTANT_DATA_DIR": str(data_dir)}
    return subprocess.run(
        [sys.executable, "-m", "assistant", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=PROJECT_ROOT,
        timeout=timeout,
    )


@pytest.fixture(scope="module")
def cli_data(settings: Settings, assistant: object) -> Path:
    return settings.data_dir  # the session fixture has built the index already


def test_ask_json_has_the_contract_shape(cli_data: Path) -> None:
    result = cli(["ask", QUESTION, "--json"], cli_data)
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    for key in (
        "question",
        "intent",
        "verdict",
        "answer",
        "citations",
        "factors",
        "follow_up",
        "mode",
        "latency_ms",
    ):
        assert key in answer
    assert answer["mode"] == "offline" and answer["citations"]
    assert "id" not in answer
    for c in answer["citations"]:
        assert set(c) >= {"id", "doc_id", "title", "quote", "source_type"}


def test_batch_answers_every_line_in_order(cli_data: Path, tmp_path: Path) -> None:
    batch = tmp_path / "batch.jsonl"
    stories = ["为了赶工期没招标直接找了一家公司施工", "三个区分开来是什么", "村干部收了红包", "今天吃什么"]
    lines = [{"id": f"q{i}", "question": stories[i % 4] + f"（第{i}问）"} for i in range(100)]
    lines[3]["province"] = "浙江"
    batch.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines), encoding="utf-8")
    result = cli(["ask", "--batch", str(batch), "--json"], cli_data, timeout=300)
    assert result.returncode == 0, result.stderr
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o["id"] for o in out] == [x["id"] for x in lines]


@pytest.mark.parametrize(
    ("args", "content"),
    [
        (["ask", ""], None),
        (["ask", "能容错吗", "--province", "火星"], None),
        (["ask", "--batch", "{file}"], '{"id": 1, "question": "能容错吗"}\n{not json}\n'),
        (["ask", "--batch", "{file}"], '{"id": 1}\n'),
        (["ask", "--batch", "/nonexistent/batch.jsonl"], None),
        (["ask", "--batch", "{file}"], "\udcff"),
        (["frobnicate"], None),
    ],
)
def test_bad_input_exits_2_with_one_line(
    cli_data: Path, tmp_path: Path, args: list[str], content: str | None
) -> None:
    if content is not None:
        path = tmp_path / "in.jsonl"
        path.write_bytes(content.encode("utf-8", "surrogateescape"))
        args = [a.replace("{file}", str(path)) for a in args]
    result = cli(args, cli_data)
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stdout == ""


def test_index_command_reports_fresh_index(cli_data: Path) -> None:
    result = cli(["index"], cli_data)
    assert result.returncode == 0 and "索引就绪" in result.stdout
