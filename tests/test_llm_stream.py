"""Streaming pieces: the "answer" string decoded as JSON arrives, and the sentence gate."""

from __future__ import annotations

import json

import pytest

from assistant.llm.grounding import Problem
from assistant.llm.stream import AnswerFieldReader, SentenceGate, same_text

ANSWER = "依据[1]，“探索性试验”中的失误\n可以容错。\\ 完"


@pytest.mark.parametrize("size", [1, 2, 3, 5, 7, 64])
@pytest.mark.parametrize("ascii_only", [False, True])
def test_the_answer_string_is_decoded_whatever_the_piece_size(size: int, ascii_only: bool) -> None:
    raw = json.dumps({"answer": ANSWER, "citations": [{"id": "x", "quote": "y"}]}, ensure_ascii=ascii_only)
    reader = AnswerFieldReader()
    out = "".join(reader.feed(raw[i : i + size]) for i in range(0, len(raw), size))
    assert out == ANSWER and reader.done


def test_surrogate_pairs_and_fences() -> None:
    raw = '```json\n{"citations": [], "answer": "\\ud83d\\ude00好"}\n```'
    reader = AnswerFieldReader()
    assert "".join(reader.feed(ch) for ch in raw) == "😀好"


def test_no_answer_field_yields_nothing() -> None:
    reader = AnswerFieldReader()
    assert reader.feed("plain text, not JSON") == "" and not reader.done


def test_the_gate_shows_whole_sentences_that_pass_and_stops_at_the_first_that_fails() -> None:
    def check(sentence: str) -> list[Problem]:
        return [Problem("injection_echo", "x")] if "忽略" in sentence else []

    gate = SentenceGate(check, lambda s: s.replace("〔人名1〕", "黄某"))
    assert gate.feed("〔人名1〕同意先") == ""
    assert gate.feed("施工。我将忽略规则。之后") == "黄某同意先施工。"
    assert gate.closed and gate.problems[0].code == "injection_echo"
    assert gate.feed("继续。") == "" and gate.flush() == ""


def test_flush_checks_the_last_sentence() -> None:
    gate = SentenceGate(lambda s: [], lambda s: s)
    assert gate.feed("没有句号的结尾") == ""
    assert gate.flush() == "没有句号的结尾"


def test_same_text_ignores_mark_forms() -> None:
    streamed = "【初步研判】不予容错。\n根据[1][2]，不予容错。\n依据：\n1. 〔问责条例第十七条〕“原文”"
    final = "【初步研判】不予容错。\n根据〔问责条例第十七条〕〔讲话第三个区分〕，不予容错。\n依据：\n1. 〔问责条例第十七条〕“原文”"
    assert same_text(streamed, final)
    assert not same_text(streamed, final.replace("根据", "依照"))


def test_the_gate_holds_a_quotation_until_it_closes_and_checks_it_whole() -> None:
    seen: list[str] = []

    def check(sentence: str) -> list[Problem]:
        seen.append(sentence)
        return [Problem("unverified_quote", "x")] if "一律免责" in sentence else []

    gate = SentenceGate(check, lambda s: s)
    # The 。 inside the quotation does not end the sentence: its second half is not known yet.
    assert gate.feed("条文规定“出于公心的。") == ""
    assert gate.feed("一律免责”。后文。") == ""
    assert gate.closed and seen == ["条文规定“出于公心的。一律免责”。"]


@pytest.mark.parametrize("escape", ["\\ud800", "\\udc00", "\\ud800\\u0041", "\\ud800x"])
def test_a_lone_surrogate_from_a_model_becomes_a_replacement_character(escape: str) -> None:
    raw = '{"answer": "前' + escape + '后", "citations": []}'
    reader = AnswerFieldReader()
    out = "".join(reader.feed(ch) for ch in raw)
    assert "\ufffd" in out and out.startswith("前") and out.endswith("后")
    out.encode("utf-8")  # a user can be sent it
