"""A 40-question quiz as a trainer prints it: both .docx versions rendered to PDF by LibreOffice and read
page by page."""

from __future__ import annotations

import re
from typing import Any

import pytest

from assistant.drafting.quiz import make_quiz
from assistant.drafting.quizdoc import write_quiz_docx
from tests.printing import joined, pages, require_office, squash, to_pdf


@pytest.fixture(scope="module")
def printed(settings: Any, assistant: Any, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    require_office()
    folder = tmp_path_factory.mktemp("print-quiz")
    quiz = make_quiz(assistant.kb, settings.prompts_dir, n=40, seed=2016)
    student, teacher = write_quiz_docx(quiz, folder / "自测题.docx")
    return {
        "quiz": quiz,
        "student": pages(to_pdf(student, folder)),
        "teacher": pages(to_pdf(teacher, folder)),
    }


def test_every_page_is_numbered(printed: dict[str, Any]) -> None:
    for version in ("student", "teacher"):
        for number, page in enumerate(printed[version], 1):
            assert re.search(rf"—\s*{number}\s*—", page), (version, number)


def test_each_stem_is_printed_once_and_only_the_teacher_has_the_key(printed: dict[str, Any]) -> None:
    student = joined(printed["student"])
    teacher = joined(printed["teacher"])
    for q in printed["quiz"].questions:
        assert student.count(squash(q.stem)) == 1 and teacher.count(squash(q.stem)) == 1, q.stem
        assert f"{q.number}．〔" in student
    assert "答案：" not in student and teacher.count("答案：") == 40
    assert "学生版" in squash(printed["student"][0]) and "教师版" in squash(printed["teacher"][0])
