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
    dr = sub.add_parser("draft", help="draft a rationale (理由说明) from a description of facts")
    dr.add_argument("facts", help="what happened (Chinese)")
    dr.add_argument("--province", help="province whose measures are cited first, e.g. 浙江")
    dr.add_argument("--docx", type=Path, help="also write the draft as a .docx file")
    dr.add_argument("--json", action="store_true", help="print the draft as a JSON object")

    ho = sub.add_parser("handout", help="answer a file of questions as a training handout")
    ho.add_argument(
        "questions", type=Path, help="one question per line, or JSON Lines with question/province"
    )
    ho.add_argument("--out", type=Path, required=True, help="the handout file (.md or .docx)")

    qz = sub.add_parser("quiz", help="generate a self-test quiz from the knowledge base")
    qz.add_argument("--n", type=int, default=10, help="number of questions (default 10)")
    qz.add_argument("--seed", type=int, default=None, help="random seed; the same seed gives the same quiz")
    qz.add_argument("--out", type=Path, default=None, help="write to a file (.md or .json) instead of stdout")


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
    if out is not None and out.suffix.lower() not in (".md", ".json"):
        raise InputError(f"输出文件须以 .md 或 .json 结尾：{out}")
    quiz = make_quiz(load_knowledge(settings.knowledge_dir), settings.prompts_dir, args.n, args.seed)
    if out is None:
        print(quiz.to_markdown(), end="")
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
