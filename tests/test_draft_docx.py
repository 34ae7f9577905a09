"""The .docx export of drafts, reopened with python-docx: layout, citations, the annex, fonts; and the CLI."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import docx
import pytest
from docx.oxml.ns import qn

from assistant.drafting import Draft, draft
from assistant.drafting.docx import ANNEX_HEADING, to_docx
from assistant.errors import InputError
from assistant.settings import Settings
from tests.console import cli

CASES = {
    "exempt": "为了赶汛期抢修闸门，经局党委集体研究，没走政府采购先施工，事后补办了手续，没人拿好处",
    "mitigate": "采购科长没等质疑期结束就签了合同，被投诉后他主动报告、中止合同、重新组织评审，没有造成损失",
    "not_tolerable": "村主任修村道时收了施工方两万块辛苦费",
}
HEADINGS = ("一、基本事实", "二、综合分析", "三、政策依据", "四、处理意见")


def _east_asia(paragraph: Any) -> set[str]:
    return {_east_asia_run(run) for run in paragraph.runs}


def _east_asia_run(run: Any) -> str:
    return str(run._element.rPr.rFonts.get(qn("w:eastAsia")))


@pytest.fixture(scope="module")
def written(assistant: Any, tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Draft, Path]]:
    folder = tmp_path_factory.mktemp("docx")
    out = {}
    for proposal, facts in CASES.items():
        result = draft(assistant, facts)
        path = folder / f"{proposal}.docx"
        to_docx(result, assistant.kb, path)
        out[proposal] = (result, path)
    return out


@pytest.mark.parametrize("proposal", list(CASES))
def test_docx_reopens_with_title_sections_citations_and_annex(
    written: dict[str, tuple[Draft, Path]], assistant: Any, proposal: str
) -> None:
    result, path = written[proposal]
    assert result.proposal == proposal
    document = docx.Document(str(path))
    texts = [p.text for p in document.paragraphs]
    assert texts[0] == result.title
    for heading in HEADINGS:
        assert heading in texts
    annex_at = texts.index(ANNEX_HEADING)
    body, annex = "\n".join(texts[:annex_at]), "\n".join(texts[annex_at:])
    assert result.closing in body
    for n, citation in enumerate(result.citations, 1):
        assert f"〔{n}〕" in body and citation.quote in body
        unit = assistant.kb.units[citation.id]
        assert f"〔{n}〕{citation.title}" in annex
        assert unit.text in annex  # the full text of every cited clause
        if not unit.verified:
            assert "条文待核" in annex
    # The annex starts on a new page.
    breaks = document.element.body.xpath(".//w:br[@w:type='page']")
    assert breaks


def test_docx_layout_is_a4_with_official_fonts_and_indent(written: dict[str, tuple[Draft, Path]]) -> None:
    _, path = written["exempt"]
    document = docx.Document(str(path))
    section = document.sections[0]
    assert round(section.page_width.mm) == 210 and round(section.page_height.mm) == 297
    paragraphs = document.paragraphs
    assert _east_asia(paragraphs[0]) == {"方正小标宋简体"}
    body = [p for p in paragraphs[1:] if p.text and p.text not in HEADINGS and p.text != ANNEX_HEADING]
    # Body in 仿宋; a second-level heading opening a paragraph (（一）动机。, （一）据以研判的规定) in 楷体.
    assert body and all(_east_asia(p) <= {"仿宋_GB2312", "楷体_GB2312"} for p in body)
    subheadings = [p for p in body if p.text.startswith("（一）")]
    assert subheadings and all(p.runs[0].text.startswith("（一）") for p in subheadings)
    assert all(_east_asia_run(p.runs[0]) == "楷体_GB2312" for p in subheadings)
    factor = next(p for p in subheadings if p.text.startswith("（一）动机。"))
    assert factor.runs[0].text == "（一）动机。" and _east_asia_run(factor.runs[1]) == "仿宋_GB2312"
    assert all(run.font.size.pt == 16 for p in body for run in p.runs)
    facts = paragraphs[[p.text for p in paragraphs].index("一、基本事实") + 1]
    assert facts.paragraph_format.first_line_indent.pt == 32
    # The fallbacks for machines without the official fonts are declared in the font table.
    fonts = next(r.target_part for r in document.part.rels.values() if r.reltype.endswith("/fontTable"))
    assert b'w:name="\xe4\xbb\xbf\xe5\xae\x8b_GB2312"' in fonts.blob and b"FangSong" in fonts.blob
    assert b"SimSun" in fonts.blob


def test_red_line_docx_has_no_tolerance_wording(written: dict[str, tuple[Draft, Path]]) -> None:
    _, path = written["not_tolerable"]
    text = "\n".join(p.text for p in docx.Document(str(path)).paragraphs)
    body = text.split(ANNEX_HEADING)[0]
    assert "不予容错" in body and "予以容错" not in body


def test_docx_can_be_written_to_a_stream(written: dict[str, tuple[Draft, Path]], assistant: Any) -> None:
    result, _ = written["exempt"]
    buffer = io.BytesIO()
    to_docx(result, assistant.kb, buffer)
    buffer.seek(0)
    assert docx.Document(buffer).paragraphs[0].text == result.title


def test_docx_path_must_end_in_docx(
    written: dict[str, tuple[Draft, Path]], assistant: Any, tmp_path: Path
) -> None:
    result, _ = written["exempt"]
    with pytest.raises(InputError):
        to_docx(result, assistant.kb, tmp_path / "draft.txt")


# -- the command line -------------------------------------------------------------------


def test_cli_draft_prints_the_text_and_writes_the_docx(
    settings: Settings, assistant: Any, tmp_path: Path
) -> None:
    out = tmp_path / "理由说明.docx"
    result = cli(["draft", CASES["not_tolerable"], "--docx", str(out)], settings.data_dir)
    assert result.returncode == 0, result.stderr
    assert "四、处理意见" in result.stdout and "予以容错" not in result.stdout
    assert str(out) in result.stderr
    assert docx.Document(str(out)).paragraphs[0].text == "关于不予容错的理由说明（草稿）"
    as_json = cli(["draft", CASES["exempt"], "--json"], settings.data_dir)
    assert json.loads(as_json.stdout)["proposal"] == "exempt"


@pytest.mark.parametrize(
    "args",
    [
        ["draft", "今天吃什么"],
        ["draft", ""],
        ["draft", CASES["exempt"], "--province", "火星"],
        ["draft", CASES["exempt"], "--docx", "out.txt"],
        ["draft", CASES["exempt"], "--docx", "/nonexistent/dir/out.docx"],
    ],
)
def test_cli_draft_bad_input_exits_2_with_one_line(
    settings: Settings, assistant: Any, args: list[str]
) -> None:
    result = cli(args, settings.data_dir)
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1
