"""A quiz as .docx for print, in the layout of drafts and handouts: a student version (the questions
and an answer line) and a teacher version (each question followed by its answer and the clause it tests)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from assistant.drafting.layout import add_body, add_heading, add_title, new_document
from assistant.drafting.quiz import LETTERS, Question, Quiz
from assistant.errors import InputError

STUDENT, TEACHER = "学生版", "教师版"
KIND_NAMES = {"choice": "单选题", "truefalse": "判断题"}
STUDENT_NOTE = "请在每题后的括号内作答，单选题填选项字母，判断题填“正确”或“错误”。"
TEACHER_NOTE = "每题之后附答案与解析，并注明所考查的条文；条文待核的，使用前请核对官方文本。"


def teacher_path(student: Path) -> Path:
    """Where the teacher version of ``student`` goes: 自测题.docx → 自测题（教师版）.docx."""
    return student.with_name(f"{student.stem}（{TEACHER}）{student.suffix}")


def _title(quiz: Quiz, version: str) -> str:
    return f"“三个区分开来”容错纠错自测题（{version}）"


def _question(doc: Any, q: Question, with_key: bool) -> None:
    blank = "" if with_key else "（　　）"
    add_body(doc, f"{q.number}．〔{KIND_NAMES[q.kind]}〕{q.stem}{blank}", indent=False, bold=True)
    if q.kind == "choice":
        for letter, option in zip(LETTERS, q.options, strict=False):
            add_body(doc, f"{letter}．{option}")
    if with_key:
        pending = "" if q.verified else "（条文待核）"
        add_body(doc, f"答案：{q.answer}。{q.explanation}")
        add_body(doc, f"考查条文：{q.unit_title}{pending}")


def _write(quiz: Quiz, out: Path, with_key: bool) -> None:
    doc: Any = new_document()
    add_title(doc, _title(quiz, TEACHER if with_key else STUDENT))
    add_body(doc, TEACHER_NOTE if with_key else STUDENT_NOTE)
    for kind in ("choice", "truefalse"):
        questions = [q for q in quiz.questions if q.kind == kind]
        if questions:
            add_heading(doc, f"{'一二'[0 if kind == 'choice' else 1]}、{KIND_NAMES[kind]}")
            for q in questions:
                _question(doc, q, with_key)
    try:
        doc.save(str(out))
    except OSError as exc:
        raise InputError(f"无法写入文件 {out}：{exc.strerror or type(exc).__name__}") from exc


def write_quiz_docx(quiz: Quiz, out: Path) -> tuple[Path, Path]:
    """Write the student version to ``out`` and the teacher version beside it; return both paths."""
    _write(quiz, out, with_key=False)
    teacher = teacher_path(out)
    _write(quiz, teacher, with_key=True)
    return out, teacher
