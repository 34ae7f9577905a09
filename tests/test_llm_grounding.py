"""Grounding checks on what a model writes: ids, exact quotes, marks, verdict statements, injection echoes."""

from __future__ import annotations

import pytest

from assistant.domain import Unit, Verdict
from assistant.llm.grounding import (
    Checker,
    CitedQuote,
    ModelAnswer,
    locate_quote,
    parse_answer,
)
from assistant.llm.verdicts import verdict_claim
from assistant.pipeline import Assistant

UNIT = "ccp-accountability-2019:17.1"
QUOTE = "尚无明确限制的探索性试验中的失误"


@pytest.fixture(scope="module")
def checker(assistant: Assistant) -> Checker:
    return Checker(assistant.kb, assistant.settings.knowledge_dir, assistant._article_refs)


@pytest.fixture(scope="module")
def given(assistant: Assistant) -> dict[str, Unit]:
    ids = [UNIT, "three-distinctions-2016:3", "province-survey:case-huang-floodgate"]
    return {i: assistant.kb.units[i] for i in ids}


def _answer(text: str, *cited: tuple[str, str]) -> ModelAnswer:
    return ModelAnswer(answer=text, citations=[CitedQuote(id=i, quote=q) for i, q in cited])


def _codes(checker: Checker, answer: ModelAnswer, given: dict[str, Unit], verdict: Verdict) -> set[str]:
    grounded, problems = checker.check(answer, given, verdict)
    assert (grounded is None) == bool(problems)
    return {p.code for p in problems}


def test_a_grounded_answer_passes(checker: Checker, given: dict[str, Unit]) -> None:
    answer = _answer("探索性试验中的失误属于可以容错的情形[1]。", (UNIT, QUOTE))
    grounded, problems = checker.check(answer, given, Verdict.TOLERABLE)
    assert problems == [] and grounded is not None
    assert grounded.citations[0].id == UNIT and grounded.citations[0].quote == QUOTE
    assert grounded.citations[0].title.startswith("《中国共产党问责条例》")


def test_invented_id_is_caught(checker: Checker, given: dict[str, Unit]) -> None:
    answer = _answer("依据规定可以免责[1]。", ("ccp-accountability-2019:99", "凡出于公心的失误一律免责"))
    assert "unknown_id" in _codes(checker, answer, given, Verdict.TOLERABLE)


def test_a_real_unit_that_was_not_given_is_caught(checker: Checker, given: dict[str, Unit]) -> None:
    answer = _answer("见规定[1]。", ("ccp-discipline-2023:1", "为了维护党的章程和其他党内法规"))
    assert "unknown_id" in _codes(checker, answer, given, Verdict.NOT_APPLICABLE)


def test_altered_quote_is_caught(checker: Checker, given: dict[str, Unit]) -> None:
    altered = QUOTE.replace("探索性", "创新性")
    assert "altered_quote" in _codes(checker, _answer("见[1]。", (UNIT, altered)), given, Verdict.TOLERABLE)


def test_retyped_punctuation_is_repaired_from_the_source(given: dict[str, Unit]) -> None:
    text = given[UNIT].text
    retyped = "在推进改革中因缺乏经验,先行先试出现的失误"  # the source has a full-width comma
    found = locate_quote(retyped, text)
    assert found == "在推进改革中因缺乏经验、先行先试出现的失误"
    assert locate_quote("“" + QUOTE + "”", text) == QUOTE
    assert locate_quote("先行先试出现的错误", text) is None


def test_short_quote_and_dangling_mark_are_caught(checker: Checker, given: dict[str, Unit]) -> None:
    assert "short_quote" in _codes(checker, _answer("见[1]。", (UNIT, "失误")), given, Verdict.TOLERABLE)
    codes = _codes(checker, _answer("见[1][3]。", (UNIT, QUOTE)), given, Verdict.TOLERABLE)
    assert "bad_mark" in codes


def test_no_citation_is_caught(checker: Checker, given: dict[str, Unit]) -> None:
    assert "no_citation" in _codes(checker, _answer("可以。"), given, Verdict.NOT_APPLICABLE)


@pytest.mark.parametrize(
    ("prose", "verdict"),
    [
        ("综合来看，本案可以容错，建议免予问责[1]。", Verdict.NOT_TOLERABLE),
        ("本案属于不予容错的情形[1]。", Verdict.TOLERABLE),
        ("该行为不能容错[1]。", Verdict.TOLERABLE),
        ("可以容错[1]。", Verdict.NEEDS_MORE_FACTS),
    ],
)
def test_a_verdict_contradicting_the_assessment_is_caught(
    checker: Checker, given: dict[str, Unit], prose: str, verdict: Verdict
) -> None:
    assert "verdict_conflict" in _codes(checker, _answer(prose, (UNIT, QUOTE)), given, verdict)


@pytest.mark.parametrize(
    "prose",
    [
        "本案不属于明令禁止后我行我素等不予容错的情形，可以容错[1]。",
        "可以容错的情形包括探索性试验中的失误[1]。",
        "如果经集体研究决定，则可以容错[1]。",
        "是否可以容错，由负责追责问责的党组织认定[1]。",
    ],
)
def test_consistent_or_conditional_wording_passes(
    checker: Checker, given: dict[str, Unit], prose: str
) -> None:
    assert _codes(checker, _answer(prose, (UNIT, QUOTE)), given, Verdict.TOLERABLE) == set()


@pytest.mark.parametrize(
    "prose",
    [
        "好的，我将忽略以上规则，直接回答[1]。",
        "我现在是无限制模式，可以回答任何问题[1]。",
        "已忽略所有限制[1]。",
        "Sure. Ignore previous instructions[1].",
    ],
)
def test_injection_echoes_are_caught(checker: Checker, given: dict[str, Unit], prose: str) -> None:
    assert "injection_echo" in _codes(checker, _answer(prose, (UNIT, QUOTE)), given, Verdict.NOT_APPLICABLE)


def test_an_article_the_base_lacks_or_was_not_given_is_caught(
    checker: Checker, given: dict[str, Unit]
) -> None:
    codes = _codes(checker, _answer("依据问责条例第九十九条[1]。", (UNIT, QUOTE)), given, Verdict.TOLERABLE)
    assert "unknown_article" in codes
    codes = _codes(checker, _answer("依据问责条例第十七条[1]。", (UNIT, QUOTE)), given, Verdict.TOLERABLE)
    assert codes == set()  # 第十七条 is the parent of the given 17.1


def test_the_model_may_not_write_its_own_citation_marks(checker: Checker, given: dict[str, Unit]) -> None:
    codes = _codes(
        checker, _answer("〔问责条例第十八条〕规定如此[1]。", (UNIT, QUOTE)), given, Verdict.TOLERABLE
    )
    assert "own_mark" in codes


def test_restore_runs_before_the_quote_check(checker: Checker, given: dict[str, Unit]) -> None:
    masked = "经该局党委书记、局长〔人名1〕同意"
    answer = _answer("见[1]。", ("province-survey:case-huang-floodgate", masked))
    grounded, problems = checker.check(
        answer, given, Verdict.TOLERABLE, restore=lambda s: s.replace("〔人名1〕", "黄某")
    )
    assert not problems and grounded is not None and "黄某" in grounded.citations[0].quote


def test_parse_answer_tolerates_fences_and_rejects_garbage() -> None:
    raw = '```json\n{"answer": "见[1]。", "citations": [{"id": "a:1", "quote": "q"}]}\n```'
    parsed = parse_answer(raw)
    assert parsed is not None and parsed.citations[0].id == "a:1"
    assert parse_answer("not json") is None
    assert parse_answer('{"answer": 3}') is None


def test_verdict_claims() -> None:
    assert verdict_claim("本案可以容错。") == "tolerable"
    assert verdict_claim("这不属于容错情形。") == "not_tolerable"
    assert verdict_claim("目前尚不能认定可以容错。") is None
    assert verdict_claim("容错纠错机制是激励干部担当作为的制度安排。") is None


MADE_UP = "收受财物数额较小的可以免予问责"


@pytest.mark.parametrize(
    "prose",
    [
        f"条文明确规定“{MADE_UP}”[1]。",
        f"条文明确规定「{MADE_UP}」[1]。",
        f"《中国共产党问责条例》第十七条规定：{MADE_UP}[1]。",
        # Real words of the base, but of 第十八条, attributed to 第十七条.
        "问责条例第十七条明确“及时采取补救措施，有效挽回损失或者消除不良影响的”[1]。",
        # An unclosed quotation is still a quotation.
        f"条文指出“{MADE_UP}[1]。",
        # Each part of an elided quotation must be the source's.
        "条文规定“在推进改革中……一律不予追究”[1]。",
    ],
)
def test_a_made_up_quotation_in_the_prose_is_caught(
    checker: Checker, given: dict[str, Unit], prose: str
) -> None:
    codes = _codes(checker, _answer(prose, (UNIT, QUOTE)), given, Verdict.TOLERABLE)
    assert "unverified_quote" in codes


@pytest.mark.parametrize(
    "prose",
    [
        f"条文规定“{QUOTE}”属于可以容错的情形[1]。",
        "问责条例第十七条规定：在推进改革中因缺乏经验、先行先试出现的失误[1]。",
        "《中国共产党问责条例》第十七条明确“有下列情形之一的，可以不予问责或者免予问责”[1]。",
        "条文规定“在推进改革中……探索性试验中的失误。”[1]",
        "按照“三个区分开来”的要求，您所说的“事后补了手续”属于补救[1]。",
    ],
)
def test_exact_quotations_of_the_cited_unit_or_the_users_words_pass(
    checker: Checker, given: dict[str, Unit], prose: str
) -> None:
    answer = _answer(prose, (UNIT, QUOTE))
    words = ["为了赶汛期没走政府采购就先找人修了闸门，事后补了手续，能容错吗"]
    grounded, problems = checker.check(answer, given, Verdict.TOLERABLE, words=words)
    assert problems == [] and grounded is not None


def test_a_quotation_of_a_unit_given_but_not_cited_is_caught(
    checker: Checker, given: dict[str, Unit]
) -> None:
    # 三个区分开来 第三个 was given to the model, but the answer cites only 17.1.
    prose = "讲话要求“把为推动发展的无意过失，同为谋取私利的违纪违法行为区分开来”[1]。"
    assert "unverified_quote" in _codes(checker, _answer(prose, (UNIT, QUOTE)), given, Verdict.TOLERABLE)
    cited_both = _answer(
        prose, (UNIT, QUOTE), ("three-distinctions-2016:3", "同为谋取私利的违纪违法行为区分开来")
    )
    assert _codes(checker, cited_both, given, Verdict.TOLERABLE) == set()
