"""Training handouts: reading the questions file, and .md and .docx produced from the command line."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import docx
import pytest
from docx.oxml.ns import qn

from assistant.drafting.handout import Item, citation_line, read_questions
from assistant.drafting.markdown import escape
from assistant.errors import InputError
from assistant.settings import Settings
from tests.console import cli

QUESTIONS = [
    "“三个区分开来”是什么？",
    "为了赶汛期没走政府采购就先找人修了闸门，事后补了手续，能容错吗",
    "村主任修村道时收了施工方两万块辛苦费，能容错吗",
]


@pytest.fixture(scope="module")
def questions_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("handout") / "questions.txt"
    lines = ["# 第一讲：容错的界限", QUESTIONS[0], "", QUESTIONS[1],
             '{"question": "' + QUESTIONS[2] + '", "province": "浙江"}']  # fmt: skip
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_questions_file_reads_lines_and_json_lines(questions_file: Path) -> None:
    assert read_questions(questions_file) == [
        Item(QUESTIONS[0]),
        Item(QUESTIONS[1]),
        Item(QUESTIONS[2], "浙江"),
    ]


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (None, "找不到"),
        ("", "没有问题"),
        ('{"question": 1}\n', "question"),
        ("{oops\n", "JSON"),
        ("\udcff", "无法读取"),
    ],
)
def test_bad_questions_files_are_input_errors(tmp_path: Path, content: str | None, words: str) -> None:
    path = tmp_path / "q.txt"
    if content is not None:
        path.write_bytes(content.encode("utf-8", "surrogateescape"))
    with pytest.raises(InputError) as info:
        read_questions(path)
    assert words in info.value.message


def test_cli_handout_markdown_has_every_answer_and_citation(
    settings: Settings, assistant: Any, questions_file: Path, tmp_path: Path
) -> None:
    out = tmp_path / "handout.md"
    result = cli(["handout", str(questions_file), "--out", str(out)], settings.data_dir, timeout=180)
    assert result.returncode == 0, result.stderr
    assert "3 个问题" in result.stdout
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# ")
    for number, (question, province) in enumerate(
        [(QUESTIONS[0], None), (QUESTIONS[1], None), (QUESTIONS[2], "浙江")], 1
    ):
        assert f"## {'一二三'[number - 1]}、{escape(question)}" in text
        answer = assistant.ask(question, province)  # offline answers are deterministic
        assert answer.citations
        section = text.split(f"## {'一二三'[number - 1]}、")[1].split("\n## ")[0]
        for n, citation in enumerate(answer.citations, 1):
            # Each citation once, numbered 〔n〕, by its full title with its exact words (escaped).
            line = escape(f"〔{n}〕{citation_line(citation)}")
            assert section.count(line) == 1 and section.count(escape(citation.title)) == 1
    # One numbering scheme: the questions are 一、二、三、, the answers' own sections （一）（二）….
    assert not re.search(r"^[一二三四五六七八九十]、", text, re.M)
    assert "（一）六个方面逐项看：" in text


def test_cli_handout_docx_opens_in_official_layout(
    settings: Settings, assistant: Any, questions_file: Path, tmp_path: Path
) -> None:
    out = tmp_path / "handout.docx"
    result = cli(["handout", str(questions_file), "--out", str(out)], settings.data_dir, timeout=180)
    assert result.returncode == 0, result.stderr
    document = docx.Document(str(out))
    texts = [p.text for p in document.paragraphs]
    assert texts[0] == "“三个区分开来”容错纠错培训问答"
    for numeral, question in zip("一二三", QUESTIONS, strict=True):
        assert f"{numeral}、{question}" in texts
    assert "引用条文：" not in texts  # each citation is printed once, where the answer quotes it
    assert "（一）六个方面逐项看：" in texts and "一、六个方面逐项看：" not in texts
    body = [p for p in document.paragraphs[1:] if p.runs]
    fonts = {p.runs[0]._element.rPr.rFonts.get(qn("w:eastAsia")) for p in body}
    assert fonts <= {"仿宋_GB2312", "黑体", "楷体_GB2312"} and "仿宋_GB2312" in fonts


def test_markdown_prints_the_sources_own_asterisks() -> None:
    assert escape("明确了*种可容错的情形、*种可免责的情形") == "明确了\\*种可容错的情形、\\*种可免责的情形"
    assert escape("# 不是标题") == "\\# 不是标题" and escape("1. 不是列表") == "1\\. 不是列表"


@pytest.mark.parametrize(
    "args",
    [
        ["handout", "/nonexistent/questions.txt", "--out", "x.md"],
        ["handout", "{questions}", "--out", "handout.pdf"],
        ["handout", "{questions}"],
    ],
)
def test_cli_handout_bad_input_exits_2(settings: Settings, questions_file: Path, args: list[str]) -> None:
    result = cli(
        [a.replace("{questions}", str(questions_file)) for a in args], settings.data_dir, timeout=180
    )
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1
