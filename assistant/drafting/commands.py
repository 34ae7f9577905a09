"""The drafting and training subcommands of the ``assistant`` command line: draft, handout, quiz.

Kept here so that assistant/cli.py only registers them; heavy imports happen when a command runs.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from assistant.errors import InputError
from assistant.settings import get_settings


def add_parsers(sub: Any) -> None:
    """Register draft, handout and quiz on the CLI's subparsers."""
    dr = sub.add_parser("draft", help="根据事实经过起草理由说明（草稿）")
    dr.add_argument("facts", metavar="事实", help="事情经过（中文）")
    dr.add_argument("--province", metavar="省份", help="优先引用该省份的办法，如 浙江")
    dr.add_argument("--docx", type=Path, metavar="文件", help="同时写出 .docx 文档")
    dr.add_argument("--json", action="store_true", help="以 JSON 对象输出草稿")

    ho = sub.add_parser("handout", help="回答一个问题文件，生成培训讲义")
    ho.add_argument(
        "questions",
        type=Path,
        metavar="问题文件",
        help='每行一个问题，或 JSON Lines {"question", "province"}；# 开头的行跳过',
    )
    ho.add_argument("--out", type=Path, required=True, metavar="文件", help="讲义文件（.md 或 .docx）")

    qz = sub.add_parser("quiz", help="根据知识库生成自测题")
    qz.add_argument("--n", type=int, default=10, metavar="题数", help="题目数量（默认 10，至多 40）")
    qz.add_argument("--seed", type=int, default=None, metavar="种子", help="随机种子；同一种子生成同一套题")
    qz.add_argument(
        "--out",
        type=Path,
        default=None,
        metavar="文件",
        help="写入文件（.md、.json，或 .docx：另写一份含答案的教师版），不给则输出到屏幕",
    )


def cmd_draft(args: argparse.Namespace) -> int:
    """Print a rationale draft; with --docx also write it as a document."""
    from assistant.drafting.docx import to_docx
    from assistant.drafting.draft import draft
    from assistant.pipeline import Assistant

    if args.docx is not None and args.docx.suffix.lower() != ".docx":
        raise InputError(f"--docx 的文件名须以 .docx 结尾：{args.docx}")
    assistant = Assistant(get_settings())
    writer = assistant.llm.rewrite_draft if assistant.llm is not None else None
    result = draft(assistant, args.facts, args.province, writer=writer)
    if args.docx is not None:
        to_docx(result, assistant.kb, args.docx)
    print(json.dumps(result.to_json(), ensure_ascii=False) if args.json else result.text)
    if args.docx is not None:
        print(f"已写入 {args.docx}", file=sys.stderr)
    return 0


def cmd_handout(args: argparse.Namespace) -> int:
    """Answer every question of the file and write the handout."""
    from assistant.drafting.handout import read_questions, write_handout
    from assistant.pipeline import Assistant

    read_questions(args.questions)  # a bad file fails before the index is opened
    count = write_handout(Assistant(get_settings()), args.questions, args.out)
    print(f"已生成培训讲义：{count} 个问题，写入 {args.out}")
    return 0


def cmd_quiz(args: argparse.Namespace) -> int:
    """Print (or write) a quiz with its answer key."""
    from assistant.drafting.quiz import make_quiz
    from assistant.knowledge import load_knowledge

    settings = get_settings()
    out: Path | None = args.out
    if out is not None and out.suffix.lower() not in (".md", ".json", ".docx"):
        raise InputError(f"输出文件须以 .md、.json 或 .docx 结尾：{out}")
    quiz = make_quiz(load_knowledge(settings.knowledge_dir), settings.prompts_dir, args.n, args.seed)
    if out is None:
        print(quiz.to_markdown(), end="")
        return 0
    if out.suffix.lower() == ".docx":
        from assistant.drafting.quizdoc import write_quiz_docx

        student, teacher = write_quiz_docx(quiz, out)
        print(
            f"已生成自测题：{len(quiz.questions)} 题（种子 {quiz.seed}），学生版 {student}，教师版（含答案）{teacher}"
        )
        return 0
    text = quiz.to_json() if out.suffix.lower() == ".json" else quiz.to_markdown()
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise InputError(f"无法写入文件 {out}：{exc.strerror or type(exc).__name__}") from exc
    print(f"已生成自测题：{len(quiz.questions)} 题（种子 {quiz.seed}），写入 {out}")
    return 0


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "draft": cmd_draft,
    "handout": cmd_handout,
    "quiz": cmd_quiz,
}
