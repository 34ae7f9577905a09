"""The ``assistant`` command line (see the contract): ask, index, serve, eval."""

from __future__ import annotations

import argparse
import errno
import json
import os
import socket
import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant import argparse_zh
from assistant.domain import Answer
from assistant.drafting.commands import COMMANDS as DRAFTING_COMMANDS
from assistant.drafting.commands import add_parsers as add_drafting_parsers
from assistant.errors import AssistantError, InputError, KnowledgeError
from assistant.ingest.commands import COMMANDS as INGEST_COMMANDS
from assistant.ingest.commands import add_parsers as add_ingest_parsers
from assistant.questionfile import read_question_lines
from assistant.settings import Settings, get_settings

if TYPE_CHECKING:
    from assistant.pipeline import Assistant


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:  # one line on stderr, exit 2, as the contract says
        self.exit(2, f"用法错误：{message}（assistant --help 查看用法）\n")


def build_parser() -> argparse.ArgumentParser:
    argparse_zh.install()
    parser = _Parser(prog="assistant", description="三个区分开来容错纠错政策助手")
    parser.add_argument("--debug", action="store_true", help="内部错误时显示调用栈（供排查问题）")
    sub = parser.add_subparsers(
        dest="command", required=True, parser_class=_Parser, title="命令", metavar="命令"
    )

    ask = sub.add_parser("ask", help="回答一个问题，或批量回答一个文件中的问题")
    ask.add_argument("question", nargs="?", metavar="问题", help="要问的问题（中文）")
    ask.add_argument("--province", metavar="省份", help="优先引用该省份的办法，如 浙江")
    ask.add_argument(
        "--batch",
        type=Path,
        metavar="文件",
        help='问题文件：每行一个问题，或 JSON Lines {"id", "question", "province"}；# 开头的行跳过',
    )
    ask.add_argument("--json", action="store_true", help="以 JSON 输出回答对象（每行一个）")

    index = sub.add_parser("index", help="根据 knowledge/ 建立或更新检索索引")
    index.add_argument("--rebuild", action="store_true", help="即使索引是最新的也重建")

    serve = sub.add_parser("serve", help="运行 HTTP 服务")
    serve.add_argument("--host", default="127.0.0.1", metavar="地址", help="监听地址（默认 127.0.0.1）")
    serve.add_argument("--port", type=int, default=8000, metavar="端口", help="监听端口（默认 8000）")
    serve.add_argument(
        "--workers", type=int, default=1, metavar="进程数", help="共用同一份索引的工作进程数（默认 1）"
    )
    serve.add_argument("--access-log", action="store_true", help="记录每个请求的访问日志（回答另有审计日志）")

    ev = sub.add_parser("eval", help="运行评测集并写出报告")
    ev.add_argument(
        "--set",
        dest="set_file",
        type=Path,
        default=None,
        metavar="文件",
        help="评测集 JSON Lines 文件（默认 eval/questions.jsonl）",
    )
    ev.add_argument(
        "--out", type=Path, default=None, metavar="目录", help="报告目录（默认 eval/runs/latest）"
    )
    ev.add_argument("--no-baseline", action="store_true", help="不运行朴素向量检索基线")
    ev.add_argument(
        "--reader",
        nargs="+",
        metavar="rules|gold|replay 文件|llm 文件",
        default=["rules"],
        help="rules：由助手读取案情；gold：使用每题标注的六个方面；"
        "replay 文件：回放记录的读取结果（JSON Lines {id, reading}）；"
        "llm 文件：同样的读取结果与助手自己的读取合并，按 LLM 模式判断",
    )

    sub.add_parser("check", help="校验知识库并列出全部问题")
    add_drafting_parsers(sub)  # draft, handout, quiz
    add_ingest_parsers(sub)  # ingest, remove
    return parser


def _print_answer(answer: Answer, as_json: bool) -> None:
    if as_json:
        print(json.dumps(answer.to_json(), ensure_ascii=False))
        return
    print(answer.answer)
    if answer.citations:
        print("\n引用：")
        for c in answer.citations:
            print(f"  [{c.id}] {c.title}")


def _read_batch(path: Path) -> list[dict[str, Any]]:
    # The same files as ``handout``: plain lines are questions, JSON lines objects, # lines comments.
    return read_question_lines(path, plain_lines=True)


def _batch_header(number: int, total: int, item: dict[str, Any]) -> str:
    """The line above each answer of a batch in text mode, so answers can be told apart."""
    label = f"（{item['id']}）" if item.get("id") not in (None, "") else ""
    return f"━━ 第 {number}/{total} 问{label}：{item['question'].strip()} ━━"


def cmd_ask(args: argparse.Namespace) -> int:
    from assistant.pipeline import Assistant

    settings = get_settings()
    if args.batch is None and not args.question:
        raise InputError("请给出问题，或用 --batch 指定批量文件。")
    if args.batch is not None and args.question:
        raise InputError("问题和 --batch 只能二选一。")
    items = (
        _read_batch(args.batch)
        if args.batch is not None
        else [{"question": args.question, "province": args.province}]
    )
    assistant = Assistant(settings)
    # Validate every item before answering any, so a bad line costs nothing and loses nothing.
    from assistant.normalize import normalize_question

    for number, item in enumerate(items, 1):
        try:
            normalize_question(item["question"], settings.knowledge_dir, settings.max_question_chars)
            assistant.provinces.resolve(item.get("province") or args.province)
        except InputError as exc:
            where = f"第 {number} 条：" if args.batch is not None else ""
            raise InputError(where + exc.message) from exc
    for number, item in enumerate(items, 1):
        if args.batch is not None and not args.json:
            print(("\n" if number > 1 else "") + _batch_header(number, len(items), item))
        if assistant.llm is not None and args.batch is None and not args.json:
            _stream_answer(assistant, item["question"], item.get("province") or args.province)
            continue
        answer = assistant.ask(item["question"], item.get("province") or args.province)
        # A plain line has no id of its own: its place in the batch is one, so every answer has its id.
        answer.id = item.get("id", number) if args.batch is not None else None
        _print_answer(answer, args.json)
    return 0


def _stream_answer(assistant: Assistant, question: str, province: str | None) -> None:
    """LLM mode: print the model's text as it comes, then the verified citations. If the final answer
    is not what was shown (a fallback, a corrected retry), it is printed in full after a rule."""
    from assistant.llm.stream import same_text
    from assistant.pipeline import Conversation

    shown: list[str] = []
    for event in assistant.stream(Conversation([question], province)):
        if event.kind == "token":
            shown.append(event.text)
            print(event.text, end="", flush=True)
            continue
        if event.answer is None:
            raise AssistantError(event.text)
        if event.kind == "error":
            print(f"\n（{event.text}）", file=sys.stderr)
        answer: Answer = event.answer
        if same_text("".join(shown), answer.answer):
            print()
        else:
            print("\n\n——以下为核验后的回答（替换上文）——\n" if shown else "", end="")
            print(answer.answer)
        for note in answer.notes:
            print(f"注：{note}", file=sys.stderr)
        if answer.citations:
            print("\n引用：")
            for c in answer.citations:
                print(f"  [{c.id}] {c.title}")


def _validator(settings: Settings) -> Callable[[Path], object]:
    """Open a whole Assistant on a new build before it is swapped in: rules that fail to load fail it."""
    from assistant.http.holder import open_assistant

    return lambda folder: open_assistant(settings, folder)


def cmd_index(args: argparse.Namespace) -> int:
    from assistant.index import build_index

    settings = get_settings()
    manifest = build_index(settings, force=args.rebuild, validate=_validator(settings))
    print(
        f"索引就绪：{manifest['units']} 个条文单元，知识库版本 {manifest['knowledge_version']}，向量 {manifest['embedder']}"
    )
    return 0


def cmd_check(_: argparse.Namespace) -> int:
    from assistant.coverage import coverage_lines
    from assistant.knowledge import load_knowledge

    settings = get_settings()
    # The project's documents and the deployment's own (assistant ingest), as the index will have them.
    kb = load_knowledge(settings.knowledge_dir, settings.local_knowledge_dir)
    print(f"知识库有效：{len(kb.documents)} 份文件，{len(kb)} 个条文单元，版本 {kb.version}")
    from assistant.cues import load_yaml

    provinces = list(load_yaml(settings.knowledge_dir / "rules" / "provinces.yaml")["provinces"])
    for line in coverage_lines(kb, provinces):
        print(line)
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from assistant.http.protocol import HTTP_PROTOCOL
    from assistant.index import build_index, read_manifest

    settings = get_settings()
    _check_port(args.host, args.port)  # before the index is built: a busy port fails at once
    try:  # built once here, then served read-only by every worker (workers never build)
        build_index(settings, validate=_validator(settings))
    except KnowledgeError as exc:
        manifest = read_manifest(settings)
        if manifest is None:
            raise  # nothing to fall back on
        # A broken file must not keep the service down: serve the last good index, and say so
        # (here, in the log, and in /healthz until a build succeeds).
        print(
            f"知识库有错误，未能重建索引；继续使用上一个有效索引（版本 {manifest.get('knowledge_version')}）：",
            file=sys.stderr,
        )
        for problem in exc.problems:
            print("  " + problem, file=sys.stderr)
    uvicorn.run(
        "assistant.server:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        access_log=args.access_log,  # off by default: a line per request costs throughput
        http=HTTP_PROTOCOL,  # an unparsable request (an unknown method) gets a JSON 400 too
    )
    return 0


def _check_port(host: str, port: int) -> None:
    """InputError (exit 2, one Chinese line) when the address cannot be listened on, rather than
    uvicorn's English log line and exit 3. Bound the way uvicorn binds (SO_REUSEADDR), then released."""
    if not 0 <= port <= 65535:
        raise InputError(f"端口须在 0 到 65535 之间：{port}")
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except (socket.gaierror, UnicodeError) as exc:
        raise InputError(f"无法解析监听地址 {host}，请检查 --host。") from exc
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise InputError(
                    f"端口 {port} 已被占用（{host}），请先停止占用它的程序，或换一个端口：assistant serve --port 端口"
                ) from exc
            if exc.errno == errno.EACCES:
                raise InputError(f"无权监听端口 {port}（{host}），请换一个 1024 以上的端口。") from exc
            raise InputError(f"无法监听 {host}:{port}：{exc.strerror or type(exc).__name__}") from exc


def cmd_eval(args: argparse.Namespace) -> int:
    from assistant.evaluation.runner import run_cli

    reader, *rest = args.reader
    recorded = reader in ("replay", "llm")
    if reader not in ("rules", "gold", "replay", "llm") or recorded != bool(rest) or len(rest) > 1:
        raise InputError("--reader 取值应为 rules、gold、replay FILE 或 llm FILE")
    replay = Path(rest[0]) if rest else None
    if replay is not None and not replay.is_file():
        raise InputError(f"找不到回放文件：{replay}")
    return run_cli(args.set_file, args.out, baseline=not args.no_baseline, reader=reader, replay=replay)


def _closed_pipe() -> int:
    """The reader of our output went away (``assistant ask --json | head``): stop quietly. Python would
    report the failed flush of the remaining output at exit, so stdout is pointed at /dev/null first."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # stdout is not a file descriptor (embedded use): nothing to flush
        pass
    return 0


COMMANDS = {"ask": cmd_ask, "index": cmd_index, "serve": cmd_serve, "eval": cmd_eval, "check": cmd_check}
COMMANDS.update(DRAFTING_COMMANDS)
COMMANDS.update(INGEST_COMMANDS)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except KnowledgeError as exc:
        print(exc.message, file=sys.stderr)
        for problem in exc.problems:
            print("  " + problem, file=sys.stderr)
        return exc.exit_code
    except AssistantError as exc:
        print(exc.message.replace("\n", " "), file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return _closed_pipe()
    except Exception as exc:  # the last guard: users see one line, --debug shows the traceback
        if args.debug:
            traceback.print_exc()
        print(f"内部错误：{type(exc).__name__}（加 --debug 查看详情）", file=sys.stderr)
        return 1
