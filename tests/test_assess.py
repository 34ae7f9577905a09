"""Factors, negation, hedges, red lines, verdicts and conversations of the rule-based assessor."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.assess import assess
from assistant.domain import Verdict
from assistant.normalize import fold
from assistant.reading import Reader
from assistant.rules import Rules
from assistant.settings import PROJECT_ROOT

RULES = Rules.load(PROJECT_ROOT / "knowledge")
READER = Reader(RULES)


def run(*turns: str, province: str | None = None):  # type: ignore[no-untyped-def]
    folded = [fold(t) for t in turns]
    return assess(folded, READER.read(folded), RULES, province)


@pytest.mark.parametrize(
    ("text", "factor", "value"),
    [
        ("他收了施工方两万块钱的好处", "motive", "private"),
        ("整个过程没有任何人从中拿到好处", "motive", "public"),
        ("为了赶工期先开了工", "motive", "public"),
        ("他明知道这样违规还是照样干了", "intent", "deliberate"),
        ("不是故意的，当时没经验", "intent", "negligent"),
        ("上级明令禁止后他依然我行我素", "basis", "prohibited"),
        ("这是省里的改革试点，之前没有先例", "basis", "exploratory"),
        ("是班子会上集体研究定的", "process", "collective"),
        ("不是我一个人拍板的", "process", "collective"),
        ("书记一个人拍板定的，没上会", "process", "unilateral"),
        ("造成了重大损失", "consequence", "serious"),
        ("没有造成什么损失", "consequence", "minor"),
        ("事后及时挽回了损失", "remedy", "remedied"),
        ("出了问题他拒不整改", "remedy", "not_remedied"),
    ],
)
def test_factor_values(text: str, factor: str, value: str) -> None:
    assert run(text).factors[factor].value == value


def test_negation_does_not_reach_past_a_new_predicate() -> None:
    result = run("他没走程序就收了老板的好处")
    assert result.factors["motive"].value == "private"
    assert result.verdict is Verdict.NOT_TOLERABLE


def test_hedged_red_line_asks_for_confirmation() -> None:
    result = run("为了赶工期先开工了，听说有人拿了施工方的好处")
    assert result.verdict is Verdict.NEEDS_MORE_FACTS
    assert result.factors["motive"].hedged
    assert any("查实" in q for q in result.follow_up)


def test_decisive_fact_buried_mid_sentence() -> None:
    result = run(
        "为了赶在汛期前完工，局里开会研究后决定先施工，其间分管的副局长收了承包商的红包，后来补了手续"
    )
    assert result.verdict is Verdict.NOT_TOLERABLE


def test_public_motive_collective_decision_is_tolerable_with_exemption() -> None:
    result = run("为了赶汛期抢修闸门，经局党委集体研究，没走政府采购先施工，事后补办了手续，没人拿好处")
    assert result.verdict is Verdict.TOLERABLE
    assert result.outcome == "exempt"
    assert "ccp-accountability-2019:17.1" in result.support_unit_ids  # 第一款第（一）项, not 不可抗力


def test_missing_personal_gain_fact_is_asked() -> None:
    result = run("我们单位去年有个项目没有按期完成，被通报了，会不会被追责")
    assert result.verdict is Verdict.NEEDS_MORE_FACTS
    assert any("谋取私利" in q or "好处" in q for q in result.follow_up)


def test_conversation_completes_the_facts_and_recomputes() -> None:
    first = run("为了赶工期没招标直接找了一家公司施工")
    assert first.verdict is Verdict.NEEDS_MORE_FACTS
    second = run("为了赶工期没招标直接找了一家公司施工", "是班子会上集体研究定的，没人拿好处")
    assert second.verdict is Verdict.TOLERABLE


def test_later_statement_overrides_earlier() -> None:
    result = run("为了推进项目，班子集体研究决定先干，听说有人拿了好处", "查清楚了，没有任何人拿好处")
    assert result.factors["motive"].value == "public"
    assert result.verdict is Verdict.TOLERABLE


TOLERABLE_STORIES = [
    "为了赶汛期抢修闸门，经局党委集体研究，没走政府采购先施工，事后补办了手续，没人拿好处",
    "村里为了让村民代表按时参会，村委集体研究用集体资金包了大巴，没有人从中谋利",
    "我们在全省率先试点审批改革，没有先例，经过常委会研究，出现了一些偏差，已经整改到位，没人谋私",
]
RED_LINE_FACTS = [
    "，其实分管领导收了施工方的回扣",
    "，另外还用会议补助的名义给大家发了补贴",
    "，而且上级明令禁止后依然我行我素",
    "，说到底是为了出政绩搞的形象工程",
    "，出了问题后拒不整改",
    "，最后造成了重大损失和恶劣影响",
]


@pytest.mark.parametrize("story", TOLERABLE_STORIES)
def test_tolerable_stories(story: str) -> None:
    assert run(story).verdict is Verdict.TOLERABLE


@settings(max_examples=60, deadline=None)
@given(story=st.sampled_from(TOLERABLE_STORIES), fact=st.sampled_from(RED_LINE_FACTS), at_start=st.booleans())
def test_adding_a_red_line_fact_makes_any_tolerable_story_not_tolerable(
    story: str, fact: str, at_start: bool
) -> None:
    text = (fact.lstrip("，") + "，" + story) if at_start else story + fact
    result = run(text)
    assert result.verdict is Verdict.NOT_TOLERABLE, text
    assert result.red_lines


def test_a_rule_not_known_of_is_broken_not_defied() -> None:
    """景宁's bus: a prohibition the cadres did not know of is no ban defied (a red line only when known)."""
    from assistant.domain import FactorValue
    from assistant.reading.facts import Facts

    def facts(intent: str) -> Facts:
        f = Facts()
        f.factors["basis"] = FactorValue("prohibited", "县里规定这种车费不能报销")
        f.factors["intent"] = FactorValue(
            intent, "后来对账时才发现" if intent == "negligent" else "明知道不能报"
        )
        return f

    unknowing = assess(["…"], facts("negligent"), RULES)
    knowing = assess(["…"], facts("deliberate"), RULES)
    assert all(r.id != "explicit-ban" for r in unknowing.red_lines)
    assert any(r.id == "explicit-ban" for r in knowing.red_lines)


@pytest.mark.parametrize(
    "story",
    [
        # someone else's objection settles nothing for the one who then decided alone
        "乡长在会上明确反对，书记随后不经集体研究，个人决定把镇办厂房低价租给外地老板，集体损失两百多万。",
        # feeling short of time is no emergency
        "那个招商项目是我拍板定的，没上会，当时觉得时间来不及，结果企业跑了，垫付的八百万没收回来。",
    ],
)
def test_a_one_man_decision_with_a_loss_is_never_tolerable(story: str) -> None:
    assert run(story).verdict is not Verdict.TOLERABLE


LOSS_STORY = (
    "我们国企投资部三年前经党委会前置研究、董事会决策，请会计师事务所做了尽职调查，投了两千万参股一家储能企业，"
    "没有任何人跟对方有利益往来。去年行业产能过剩，企业破产，{loss}。"
)


def test_a_loss_of_money_alone_in_a_diligent_decision_is_the_failure_weighed() -> None:
    """问责条例第十七条第一款第（三）项: 已经履职尽责，但因不可抗力、难以预见等因素造成损失的, is exempted: the loss
    of money is the failure the tolerance decision weighs, not a red line of its own."""
    result = run(LOSS_STORY.format(loss="两千万基本收不回来"))
    assert result.factors["consequence"].value == "serious"
    assert result.verdict is Verdict.TOLERABLE


@pytest.mark.parametrize(
    "loss",
    [
        "造成国有资产重大损失",
        "两千万基本收不回来，职工上访闹出恶劣影响",
        # a loss forced on others is no risk they chose
        "不愿跟投的几户职工被强制认购了份额，两千万基本收不回来",
    ],
)
def test_a_loss_named_grave_or_with_harm_stays_a_red_line(loss: str) -> None:
    result = run(LOSS_STORY.format(loss=loss))
    assert result.verdict is Verdict.NOT_TOLERABLE
    assert any(r.id == "serious-consequence" for r in result.red_lines)


def test_a_loss_of_money_with_nothing_that_makes_it_tolerable_stays_a_red_line() -> None:
    from assistant.domain import FactorValue
    from assistant.reading.facts import Facts

    def facts(circumstance: str | None) -> Facts:
        f = Facts()
        f.factors["consequence"] = FactorValue("serious", "三千万基本收不回来")
        f.factors["process"] = FactorValue("collective", "开班子会的时候")
        if circumstance:
            f.circumstances[circumstance] = "对方公司去年突然破产"
        return f

    # a collective decision alone does not excuse the loss: the reading of it is the likeliest to be wrong
    # ("开班子会的时候…当场就说这事他定了"), and 第十七条 asks for diligence or an unforeseeable cause
    assert any(r.id == "serious-consequence" for r in assess(["…"], facts(None), RULES).red_lines)
    assert all(r.id != "serious-consequence" for r in assess(["…"], facts("force_majeure"), RULES).red_lines)


def test_the_tellers_own_objection_excuses_the_loss_others_objections_do_not() -> None:
    from assistant.domain import FactorValue
    from assistant.reading.facts import Facts

    def facts(objection: str, process: str) -> Facts:
        f = Facts()
        f.factors["consequence"] = FactorValue("serious", "项目亏了一千二百万")
        f.factors["process"] = FactorValue(
            process, "局党组会研究" if process == "collective" else "他一个人拍板"
        )
        f.factors["motive"] = FactorValue("public", "我跟项目没任何利益关系")
        f.circumstances["objected"] = objection
        return f

    own = assess(["…"], facts("我在会上明确反对，意见写进了会议纪要", "collective"), RULES)
    assert all(r.id != "serious-consequence" for r in own.red_lines)
    assert own.verdict is Verdict.TOLERABLE
    others = assess(["…"], facts("两个副总明确反对", "collective"), RULES)
    assert any(r.id == "serious-consequence" for r in others.red_lines)
    alone = assess(["…"], facts("我在会上明确反对", "unilateral"), RULES)
    assert alone.verdict is Verdict.NOT_TOLERABLE
