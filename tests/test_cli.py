"""The console script, as users run it: JSON output, batches, exit codes, no tracebacks."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.settings import PROJECT_ROOT, Settings
from tests.console import cli

QUESTION = "为了赶汛期没走政府采购就先找人修了闸门，事后补了手续，能容错吗"


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


def test_help_and_usage_errors_are_chinese(cli_data: Path) -> None:
    for args in (["--help"], ["ask", "--help"], ["quiz", "--help"], ["serve", "--help"]):
        result = cli(args, cli_data)
        assert result.returncode == 0, result.stderr
        assert result.stdout.startswith("用法：") and "选项" in result.stdout, result.stdout
        for english in ("usage:", "show this help", "options:", "positional arguments"):
            assert english not in result.stdout
    for args, words in (
        (["draft"], "缺少必需的参数"),
        (["quiz", "--n", "十"], "无效"),
        (["frobnicate"], "无效的选择"),
        (["ask", "问题", "--nope"], "无法识别的参数"),
        (["ask", "--province"], "须跟一个值"),
    ):
        result = cli(args, cli_data)
        assert result.returncode == 2 and words in result.stderr, result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
        assert "required" not in result.stderr and "invalid" not in result.stderr


def test_batch_takes_plain_lines_with_a_header_per_answer(cli_data: Path, tmp_path: Path) -> None:
    batch = tmp_path / "questions.txt"
    batch.write_text(
        "# 第一讲\n三个区分开来是什么？\n\n"
        '{"id": "z1", "question": "村干部收了红包能容错吗", "province": "浙江"}\n',
        encoding="utf-8",
    )
    text = cli(["ask", "--batch", str(batch)], cli_data)
    assert text.returncode == 0, text.stderr
    headers = [line for line in text.stdout.splitlines() if line.startswith("━━")]
    assert headers == [
        "━━ 第 1/2 问：三个区分开来是什么？ ━━",
        "━━ 第 2/2 问（z1）：村干部收了红包能容错吗 ━━",
    ]
    first, second = text.stdout.split(headers[1])
    assert "引用：" in first and "不予容错" in second  # each answer under its own header
    as_json = cli(["ask", "--batch", str(batch), "--json"], cli_data)
    out = [json.loads(line) for line in as_json.stdout.splitlines()]
    assert [(o["id"], o["question"]) for o in out] == [
        (1, "三个区分开来是什么？"),
        ("z1", "村干部收了红包能容错吗"),
    ]


def test_serve_on_a_busy_port_says_so_in_one_line(cli_data: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = cli(["serve", "--port", str(port)], cli_data, timeout=60)
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert result.stderr.strip() == (
        f"端口 {port} 已被占用（127.0.0.1），请先停止占用它的程序，或换一个端口：assistant serve --port 端口"
    )


def test_a_closed_pipe_ends_quietly(cli_data: Path, tmp_path: Path) -> None:
    batch = tmp_path / "many.txt"
    batch.write_text("\n".join(f"三个区分开来是什么（第{i}问）" for i in range(60)), encoding="utf-8")
    env = {**os.environ, "ASSISTANT_DATA_DIR": str(cli_data)}
    process = subprocess.Popen(
        [sys.executable, "-m", "assistant", "ask", "--batch", str(batch), "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        cwd=PROJECT_ROOT,
    )
    assert process.stdout is not None and process.stderr is not None
    assert json.loads(process.stdout.readline())["id"] == 1  # like `| head -1`
    process.stdout.close()
    assert process.wait(timeout=120) == 0
    assert process.stderr.read().decode() == ""
