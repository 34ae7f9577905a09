"""Training handouts: a list of questions answered with citations, as Markdown or .docx.

A questions file holds one question per line, or JSON Lines objects with "question" and optionally
"province". Blank lines and lines starting with # are skipped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.domain import Answer, Citation
from assistant.drafting.layout import add_body, add_heading, add_title, new_document
from assistant.drafting.markdown import escape
from assistant.errors import InputError
from assistant.questionfile import read_question_lines

if TYPE_CHECKING:
    from assistant.pipeline import Assistant

TITLE = "“三个区分开来”容错纠错培训问答"
NOTE = (
    "以下回答由政策助手离线生成，每一处引用均经程序核对为知识库所收条文的原文；"
    "仅供培训学习参考，不是认定结论。是否容错，由负责追责问责的党组织依规依纪依法认定。"
)
SPEAK = {
    "regulation": "规定",
    "disclosure": "（据官方公开披露）",
    "case": "（参考案例）",
    "commentary": "（有关研究）",
}
UNVERIFIED = "（条文待核）"
NUMERALS = "一二三四五六七八九十"


@dataclass(frozen=True)
class Item:
    """One question of the session, with the province it is asked for."""

    question: str
    province: str | None = None


def read_questions(path: Path) -> list[Item]:
    """The questions of a file (plain lines or JSON Lines); InputError for a missing or bad file."""
    items = []
    for raw in read_question_lines(path, plain_lines=True, what="问题文件"):
        province = raw.get("province")
        items.append(Item(raw["question"], province if isinstance(province, str) else None))
    if not items:
        raise InputError(f"问题文件中没有问题：{path}")
    return items


def answer_all(assistant: Assistant, items: list[Item]) -> list[Answer]:
    """Answer every question in order; a bad question is reported with its position."""
    answers = []
    for number, item in enumerate(items, 1):
        try:
            answers.append(assistant.ask(item.question, item.province))
        except InputError as exc:
            raise InputError(f"第 {number} 个问题：{exc.message}") from exc
    return answers


# A regulation 规定; a speech 指出; a central meeting, report or decision 强调 (as drafts speak of them).
VERBS = (
    ("讲话", "指出"),
    ("论述", "指出"),
    ("报告", "强调"),
    ("全会", "强调"),
    ("会议", "强调"),
    ("决定", "强调"),
)


def citation_line(citation: Citation) -> str:
    """One citation by full title and article, spoken of as its source type requires, quoted exactly."""
    speak = SPEAK.get(str(citation.source_type), "")
    if speak == "规定":
        speak = next((verb for word, verb in VERBS if word in citation.title), speak)
    line = f"{citation.title}{speak}：“{citation.quote}”"
    return line + ("" if citation.verified else UNVERIFIED)


def _numeral(n: int) -> str:
    if n <= 10:
        return NUMERALS[n - 1]
    tens, ones = divmod(n, 10)
    return (NUMERALS[tens - 1] if tens > 1 else "") + "十" + (NUMERALS[ones - 1] if ones else "")


_SECTION = re.compile(r"^([一二三四五六七八九十]+)、")
_CITE_LINE = re.compile(r"^(\d+)\. 〔[^〕]*〕")


def answer_lines(answer: Answer) -> tuple[list[str], list[tuple[int, Citation]]]:
    """The answer's lines as a handout prints them, and the citations it has not printed yet.

    One numbering scheme: the questions are 一、二、…, so the answer's own sections become （一）（二）…,
    and its citations 〔1〕〔2〕…. Each citation is printed once: where the answer quotes it, by its
    full title (the answer's short mark is dropped), and not again in a list below.
    """
    lines: list[str] = []
    printed: set[int] = set()
    for line in answer.answer.splitlines():
        if not line.strip():
            continue
        cite = _CITE_LINE.match(line)
        if cite:
            number = int(cite.group(1))
            if 1 <= number <= len(answer.citations) and answer.citations[number - 1].quote in line:
                lines.append(f"〔{number}〕{citation_line(answer.citations[number - 1])}")
                printed.add(number)
                continue
        lines.append(_SECTION.sub(lambda m: f"（{m.group(1)}）", line))
    rest = [(n, c) for n, c in enumerate(answer.citations, 1) if n not in printed]
    return lines, rest


def to_markdown(items: list[Item], answers: list[Answer], title: str = TITLE) -> str:
    """The handout as Markdown: each question, its answer and its citations with full titles, every
    text from the base escaped so that it prints as written."""
    out = [f"# {title}", "", f"> {NOTE}", ""]
    for number, (item, answer) in enumerate(zip(items, answers, strict=True), 1):
        out += [f"## {_numeral(number)}、{escape(item.question)}", ""]
        if item.province:
            out += [f"适用省份：{escape(item.province)}", ""]
        lines, rest = answer_lines(answer)
        out += [escape(line) + "  " for line in lines]
        if rest:
            out += ["", "引用条文：", ""]
            out += [escape(f"〔{n}〕{citation_line(c)}") + "  " for n, c in rest]
        out.append("")
    return "\n".join(out)


def to_docx(items: list[Item], answers: list[Answer], out: Path, title: str = TITLE) -> None:
    """The handout as .docx, in the same official layout as drafts."""
    doc: Any = new_document()
    add_title(doc, title)
    add_body(doc, NOTE)
    for number, (item, answer) in enumerate(zip(items, answers, strict=True), 1):
        add_heading(doc, f"{_numeral(number)}、{item.question}")
        if item.province:
            add_body(doc, f"适用省份：{item.province}")
        lines, rest = answer_lines(answer)
        for line in lines:
            add_body(doc, line)
        if rest:
            add_body(doc, "引用条文：", bold=True)
            for n, c in rest:
                add_body(doc, f"〔{n}〕{citation_line(c)}")
    doc.save(str(out))


def write_handout(assistant: Assistant, questions: Path, out: Path) -> int:
    """Answer the questions file and write the handout to ``out`` (.md or .docx); returns the count."""
    suffix = out.suffix.lower()
    if suffix not in (".md", ".docx"):
        raise InputError(f"输出文件须以 .md 或 .docx 结尾：{out}")
    items = read_questions(questions)
    answers = answer_all(assistant, items)
    try:
        if suffix == ".md":
            out.write_text(to_markdown(items, answers), encoding="utf-8")
        else:
            to_docx(items, answers, out)
    except OSError as exc:
        raise InputError(f"无法写入文件 {out}：{exc.strerror or type(exc).__name__}") from exc
    return len(items)
