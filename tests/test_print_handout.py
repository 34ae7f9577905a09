"""A five-question handout as a trainer prints it: rendered to PDF by LibreOffice and read page by page."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from assistant.drafting.handout import Item, answer_all, to_docx
from tests.printing import joined, pages, require_office, to_pdf

QUESTIONS = [
    "“三个区分开来”是什么？",
    "形象工程能容错吗",
    "容错和免责的区别",
    "为了赶汛期没走政府采购就先找人修了闸门，事后补了手续，能容错吗",
    "村主任修村道时收了施工方两万块辛苦费，能容错吗",
]


@pytest.fixture(scope="module")
def printed(assistant: Any, tmp_path_factory: pytest.TempPathFactory) -> tuple[list[Any], list[str]]:
    require_office()
    folder: Path = tmp_path_factory.mktemp("print-handout")
    items = [Item(q) for q in QUESTIONS]
    answers = answer_all(assistant, items)
    to_docx(items, answers, folder / "讲义.docx")
    return answers, pages(to_pdf(folder / "讲义.docx", folder))


def test_each_citation_is_printed_once_under_one_numbering_scheme(
    printed: tuple[list[Any], list[str]],
) -> None:
    answers, texts = printed
    text = joined(texts)
    sections = re.split(r"[一二三四五]、(?=" + "|".join(re.escape(q[:6]) for q in QUESTIONS) + ")", text)[1:]
    assert len(sections) == 5
    for answer, section in zip(answers, sections, strict=True):
        for n, citation in enumerate(answer.citations, 1):
            title = "".join(citation.title.split())
            assert section.count(f"〔{n}〕") == 1 and section.count(f"〔{n}〕{title}") == 1
        assert not re.search(r"(?<![（〔\d])[一二三四]、(六个方面|理由|依据|请补充)", section)
    assert len(texts) <= 2 * len(QUESTIONS)  # each citation once: about two pages a question at most


def test_every_page_is_numbered(printed: tuple[list[Any], list[str]]) -> None:
    for number, page in enumerate(printed[1], 1):
        assert re.search(rf"—\s*{number}\s*—", page), number
