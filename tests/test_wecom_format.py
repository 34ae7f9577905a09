"""WeChat message formatting: the 2048-byte limit, splits that never break a citation, the numbered list."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.domain import Answer, Citation, Intent, SourceType, Verdict
from assistant.pipeline import Assistant
from assistant.wecom.format import MESSAGE_BYTES, citation_list, format_answer, render, size, split_message

_PART = re.compile(r"^（\d+/\d+）\n")


def _answer(text: str, verified: bool = True) -> Answer:
    cite = Citation(
        "ccp-accountability-2019:17",
        "ccp-accountability-2019",
        "《中国共产党问责条例》第十七条",
        "可以不予问责",
        SourceType.REGULATION,
        verified,
    )
    return Answer("问", Intent.SCENARIO, Verdict.TOLERABLE, text, [cite], {}, [])


def test_short_answer_is_one_message_with_badge_and_list() -> None:
    (text,) = format_answer(_answer("【初步研判】可以容错。"), markdown=False)
    assert text.startswith("【可以容错】") and "引用：\n[1] 《中国共产党问责条例》第十七条" in text
    (md,) = format_answer(_answer("可以容错。"), markdown=True)
    assert '<font color="info">可以容错</font>' in md and "> [1]" in md


def test_unverified_citation_is_marked() -> None:
    assert citation_list(_answer("x", verified=False)) == ["[1] 《中国共产党问责条例》第十七条（条文待核）"]


def test_long_lines_split_between_sentences_never_inside_a_citation() -> None:
    cited = "〔问责条例第十七条〕“" + "在推进改革中因缺乏经验、先行先试出现的失误。" * 8 + "”"
    line = "理由如下。" * 50 + cited + "其余说明。" * 200
    parts = split_message(line)
    assert len(parts) > 1
    assert all(size(p) <= MESSAGE_BYTES for p in parts)
    assert sum(cited in _PART.sub("", p) for p in parts) == 1  # the quotation arrives whole
    assert "".join(_PART.sub("", p) for p in parts) == line


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.text(alphabet="研判。；“”〔〕ab\n容错", min_size=0, max_size=300), min_size=1, max_size=20)
)
def test_every_part_fits_and_nothing_is_lost(lines: list[str]) -> None:
    text = "\n".join(lines).strip("\n") or "x"
    parts = split_message(text)
    assert all(size(p) <= MESSAGE_BYTES for p in parts)
    rejoined = "".join(_PART.sub("", p) for p in parts)
    assert rejoined.replace("\n", "") == text.replace("\n", "")


@pytest.mark.parametrize(
    "question", ["我们镇去年为了赶工期没招标直接找了一家公司修路，能不能从轻", "三个区分开来具体是哪三个？"]
)
def test_real_answers(assistant: Assistant, question: str) -> None:
    answer = assistant.ask(question)
    for markdown in (True, False):
        parts = format_answer(answer, markdown)
        assert all(size(p) <= MESSAGE_BYTES for p in parts)
        whole = "\n".join(_PART.sub("", p) for p in parts)
        for c in answer.citations:  # every quote, and every title in the list, in one piece
            assert c.quote in whole and c.title in whole
        assert render(answer, markdown).count("\n") >= whole.count("\n") - len(parts)
