"""Drafts as an officer prints them: the .docx rendered to PDF by LibreOffice and read page by page."""

from __future__ import annotations

import re
from typing import Any

import pytest

from assistant.drafting.docx import ANNEX_HEADING, to_docx
from assistant.drafting.draft import draft
from tests.printing import joined, pages, require_office, squash, to_pdf

TOLERABLE = "为了赶汛期抢修闸门，经局党委集体研究，没走政府采购先施工，事后补办了手续，没人拿好处"
OBJECTED = "我在班子会上对这个项目明确提出了反对意见并记录在案，后来项目亏了两百万，没人拿好处"
VANITY = "县委书记为了迎检搞形象工程，花了两千万修景观大道"
CURATION = ("seed", "转载页", "镜像", "存档", "文档分享站", "逐字一致", "仓库")


@pytest.fixture(scope="module")
def printed(assistant: Any, tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Any, list[str]]]:
    require_office()
    folder = tmp_path_factory.mktemp("print-draft")
    out = {}
    for name, facts, province in (
        ("tolerable", TOLERABLE, None),
        ("objected", OBJECTED, None),
        ("vanity", VANITY, None),
        ("vanity-zhejiang", VANITY, "浙江"),
    ):
        result = draft(assistant, facts, province)
        path = folder / f"{name}.docx"
        to_docx(result, assistant.kb, path)
        out[name] = (result, pages(to_pdf(path, folder)))
    return out


def _annex_page(texts: list[str]) -> int:
    return next(i for i, page in enumerate(texts) if squash(page).startswith(squash(ANNEX_HEADING)))


def test_every_page_is_numbered_and_the_annex_starts_a_page(printed: dict[str, Any]) -> None:
    for name, (_, texts) in printed.items():
        assert len(texts) >= 2, name
        for number, page in enumerate(texts, 1):
            assert re.search(rf"—\s*{number}\s*—", page), (name, number, page[-200:])
        annex = _annex_page(texts)
        body = joined(texts[:annex])
        assert "以上意见供参考" in body and "以上意见供参考" not in joined(texts[annex:])


def test_the_first_page_opens_with_the_title_and_the_body_ends_with_placeholders(
    printed: dict[str, Any],
) -> None:
    for name, (result, texts) in printed.items():
        assert squash(texts[0]).startswith(squash(result.title)), name
        before_annex = joined(texts[: _annex_page(texts)])
        closing = before_annex.index("以上意见供参考")
        assert before_annex.index("（落款单位）") > closing, name
        assert before_annex.index("××××年××月××日") > before_annex.index("（落款单位）"), name


def test_the_exemption_names_the_item_the_facts_fit(printed: dict[str, Any]) -> None:
    tolerable = joined(printed["tolerable"][1])
    assert "依照《中国共产党问责条例》第十七条第一款第（一）项〔1〕的规定，不予问责或者免予问责" in tolerable
    objected = joined(printed["objected"][1])
    assert "依照《中国共产党问责条例》第十七条第一款第（二）项〔1〕的规定" in objected
    assert "不可抗力" not in objected.split(squash(ANNEX_HEADING))[0]


def test_register_and_sources_as_an_official_document(printed: dict[str, Any]) -> None:
    text = joined(printed["tolerable"][1])
    assert "第三个“区分开来”指出：" in text and "第三个“区分开来”规定：" not in text
    annex = joined(printed["tolerable"][1][_annex_page(printed["tolerable"][1]) :])
    sources = re.findall(r"来源：[^〔]*", annex)
    assert sources and all(not any(note in s for note in CURATION) for s in sources), sources
    assert "载于中央纪委国家监委网站" in annex


def test_a_red_line_without_a_province_cites_national_rules_only(printed: dict[str, Any]) -> None:
    national = joined(printed["vanity"][1])
    assert "不予容错" in national and "浙江" not in national
    assert "关于进一步激励广大干部新时代新担当新作为的意见" in national
    own = joined(printed["vanity-zhejiang"][1])
    assert "浙江省深化落实" in own  # the user's own province's measure is cited
