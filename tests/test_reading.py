"""The reading stage: named violations cite the article that defines them, every span is the user's
own words, the clause model reads what the phrases miss, and no single favourable fact, third
party's act or rumour makes a verdict it should not."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.domain import Verdict
from assistant.normalize import fold
from assistant.pipeline import Assistant, Conversation
from assistant.reading import Fact, Reader
from assistant.reading.facts import Facts, verified
from assistant.reading.model import ClauseModel, corpus_rows, segments
from assistant.rules import Rules
from assistant.settings import PROJECT_ROOT

KNOWLEDGE = PROJECT_ROOT / "knowledge"


def _reads(facts: Facts, factor: str, value: str) -> bool:
    """Did the reading set ``factor`` to ``value`` (hedged or not)?"""
    found = facts.factors.get(factor)
    return found is not None and found.value == value


@pytest.fixture(scope="module")
def reader(tmp_path_factory: pytest.TempPathFactory) -> Reader:
    return Reader.load(Rules.load(KNOWLEDGE), KNOWLEDGE, tmp_path_factory.mktemp("model-cache"))


# One story per family of ordinary violation, in the words cadres use, and the article that defines it.
FAMILIES = [
    (
        "上周市里来检查，我们镇按最高规格接待，一桌下来吃了八千多，钱走的是镇里的账。",
        "ccp-discipline-2023:113",
    ),
    ("局里组织去黄山培训三天，其实两天都在景区游览，门票和住宿都是单位报销的。", "ccp-discipline-2023:115"),
    ("周末我开单位的公车回了趟老家看我妈，油费也是单位出的。", "ccp-discipline-2023:117"),
    ("村支书把上面拨下来的征地赔偿款截留了二十万，一直没发给村民。", "ccp-discipline-2023:111"),
    ("我们所长让辖区一家企业出钱给所里买了辆车，平时所长自己开。", "ccp-discipline-2023:111"),
    ("村会计冒用几户村民的名义申报了危房改造补助，钱打到他自己控制的卡上。", "public-sanctions-law-2020:39"),
    ("镇里挪用扶贫专项资金给机关干部每人发了三千块奖金。", "ccp-discipline-2023:114"),
    ("逢年过节辖区的老板都给我送购物卡，我都收下了。", "public-sanctions-law-2020:34"),
    ("项目验收后施工方老板送了两条烟，我收了。", "public-sanctions-law-2020:34"),
]


@pytest.mark.parametrize(("story", "article"), FAMILIES)
def test_an_ordinary_violation_is_not_tolerable_citing_its_article(
    assistant: Assistant, story: str, article: str
) -> None:
    answer = assistant.ask(story)
    assert answer.verdict is Verdict.NOT_TOLERABLE, answer.answer
    ids = [c.id for c in answer.citations]
    assert any(i == article or i.startswith(article + ".") for i in ids), ids


def test_every_fact_carries_an_exact_span_of_the_users_words(reader: Reader) -> None:
    turns = [fold("为了工作，没人往自己兜里装钱"), fold("后来钱全部追回了，局长一个人拍板的")]
    facts = reader.read(turns)
    assert facts.items
    for fact in facts.items:
        assert fact.span in turns[fact.turn], fact


def test_a_span_not_in_the_users_words_is_dropped() -> None:
    turns = ["局里集体研究定的"]
    forged = Fact("factor", "motive", "public", "没有任何人拿好处", 0, reader="llm")
    real = Fact("factor", "process", "collective", "局里集体研究定的", 0)
    assert verified([forged, real], turns) == [real]
    assert verified([Fact("factor", "process", "collective", "局里", 3)], turns) == []


@pytest.mark.parametrize(
    ("text", "factor", "value"),
    [
        ("为了工作，没人往自己兜里装钱", "motive", "public"),
        ("我不懂政策，漏看了材料", "intent", "negligent"),
        ("整改通知下来，他拖着一年了没动", "remedy", "not_remedied"),
    ],
)
def test_the_reader_finds_stated_facts_beyond_the_phrase_lists(
    reader: Reader, text: str, factor: str, value: str
) -> None:
    facts = reader.read([fold(text)])
    assert facts.factors[factor].value == value


def test_one_favourable_fact_alone_is_not_tolerable(assistant: Assistant) -> None:
    answer = assistant.ask("这个项目是班子集体研究定的，后来亏了点钱，能容错吗？")
    assert answer.verdict is Verdict.NEEDS_MORE_FACTS
    assert answer.follow_up and not any("集体研究决定" in q for q in answer.follow_up[:0])


def test_a_rumoured_violation_is_asked_about_not_decided(assistant: Assistant) -> None:
    answer = assistant.ask("有人举报说我们站长逢年过节收了辖区老板的购物卡，还没查实，他这种情况怎么算？")
    assert answer.verdict is Verdict.NEEDS_MORE_FACTS


def test_a_third_partys_fraud_is_not_the_cadres_own_act(reader: Reader) -> None:
    facts = reader.read([fold("企业伙同会计事务所造假，骗取了技改补贴，我们审核时按规定查了材料，没发现")])
    assert all(v.actor == "third_party" for k, v in facts.violations.items() if k == "fraud")


def test_a_story_typed_without_a_question_is_still_a_story(assistant: Assistant) -> None:
    analysis = assistant.analyse(Conversation(["周末开单位的公车回了趟老家"]))
    assert analysis.assessment is not None
    assert analysis.assessment.verdict is Verdict.NOT_TOLERABLE


def test_exemption_cites_the_item_the_facts_fit(assistant: Assistant) -> None:
    story = "经局党委集体研究，为了群众出行修了这条路，没人拿好处，后来遇上百年一遇的暴雨冲垮了，属于不可抗力"
    answer = assistant.ask(story + "，能容错吗？")
    ids = [c.id for c in answer.citations]
    assert answer.verdict is Verdict.TOLERABLE
    assert "ccp-accountability-2019:17.3" in ids and "ccp-accountability-2019:17.1" not in ids


def test_the_clause_corpus_is_large_labelled_and_trains(tmp_path: Path) -> None:
    rows = corpus_rows(KNOWLEDGE / "reading" / "corpus")
    assert len(rows) >= 3000
    labels = {label for _, ls in rows for label in ls}
    assert {"motive:public", "violation:car", "circ:emergency", "hearsay"} <= labels
    model = ClauseModel.train(rows[:400])
    model.save(tmp_path / "m.npz")
    again = ClauseModel.open(tmp_path / "m.npz")
    text = rows[0][0]
    assert (model.predict([text]) == again.predict([text])).all()


def test_segments_are_substrings_including_windows_over_unpunctuated_runs() -> None:
    turns = ["周末开单位的车回老家顺便接孩子放学油费也找单位报了领导说没事的这种情况能容错吗", "好的。谢谢"]
    for piece in segments(turns):
        assert turns[piece.turn][piece.start : piece.start + len(piece.text)] == piece.text
    assert len([p for p in segments(turns) if p.turn == 0]) > 1


def test_asking_how_to_classify_a_story_states_no_violation(reader: Reader) -> None:
    facts = reader.read([fold("我把两个村的面积填串了行，自己发现后马上更正了。这个会不会算统计造假？")])
    assert "fraud" not in facts.violations
    assert not _reads(facts, "intent", "deliberate")
    stated = reader.read([fold("他收了老板两万块红包，这算不算受贿")])
    assert stated.factors["motive"].value == "private"


def test_an_act_named_as_what_some_people_did_is_theirs(reader: Reader) -> None:
    facts = reader.read([fold("运行半年，系统漏掉了几个冒领的，钱已经全部追回来了")])
    assert all(v.actor == "third_party" for k, v in facts.violations.items() if k == "fraud")


def test_a_hedge_in_a_long_unpunctuated_message_reaches_only_nearby_words(reader: Reader) -> None:
    message = "暴雨河堤管涌了 副乡长直接叫了两台挖机上去堵 第二天一早就跟县防指报告了 他自己一分没拿 现在财政说没走采购程序要问责 这个算不算"
    facts = reader.read([fold(message)])
    assert facts.factors["motive"].value == "public" and not facts.factors["motive"].hedged


def test_a_decimal_point_does_not_split_a_clause() -> None:
    pieces = [p.text for p in segments(["吊车费1.6万是第二天补的手续"])]
    assert "吊车费1" not in pieces and "吊车费1.6万是第二天补的手续" in pieces


def test_who_objected_is_tolerable_without_showing_a_motive(assistant: Assistant) -> None:
    answer = assistant.ask(
        "班子会上讨论这个项目时我明确表示反对，会议纪要里写着我的意见，最后还是通过了，亏了二十万。我要担责吗？"
    )
    assert answer.verdict is Verdict.TOLERABLE
    assert "ccp-accountability-2019:17.2" in [c.id for c in answer.citations]


@pytest.mark.parametrize(
    "question",
    [
        "周末我开单位的公车回了趟老家，油费也是单位报的",
        "我們鎮長   把公車開回老家過年，開了一個禮拜",
        "为了工作，没人往自己兜里装钱，就是审批的时候不懂政策漏看了材料，后来追回了",
    ],
)
def test_the_answers_reading_quotes_the_words_the_user_typed(assistant: Assistant, question: str) -> None:
    reading = assistant.ask(question).to_json()["reading"]
    assert reading
    for fact in reading:
        assert fact["span"] in question, fact
        assert fact["certainty"] in ("stated", "reported", "asked")
        assert fact["actor"] in ("subject", "third_party")


def test_the_gold_reader_measures_the_decision_layer_on_the_labelled_facts(assistant: Assistant) -> None:
    from assistant.evaluation.dataset import EvalItem
    from assistant.evaluation.runner import predict

    story = "我们当时就是这么做的，后来出了点问题，这件事能容错吗？"
    base: dict[str, object] = {
        "category": "scenario",
        "question": story,
        "must_cite": (),
        "rationale": "测试",
    }
    tolerable = EvalItem(
        id="G1",
        verdict=Verdict.TOLERABLE,
        factors={"motive": "public", "process": "collective", "basis": "exploratory"},
        **base,  # type: ignore[arg-type]
    )
    assert predict(tolerable, assistant).verdict == "needs_more_facts"  # the words state nothing
    assert predict(tolerable, assistant, reader="gold").verdict == "tolerable"
    banned = EvalItem(
        id="G2",
        verdict=Verdict.NOT_TOLERABLE,
        factors={"motive": "unknown"},
        violations=("ccp-discipline-2023:117",),
        **base,  # type: ignore[arg-type]
    )
    answer = predict(banned, assistant, reader="gold").answer
    assert answer is not None and answer.verdict is Verdict.NOT_TOLERABLE
    assert any(c.id.startswith("ccp-discipline-2023:117") for c in answer.citations)
    # an article that defines a red line but no named act (不履行职责) states that red line
    neglect = EvalItem(
        id="G3",
        verdict=Verdict.NOT_TOLERABLE,
        factors={"motive": "public"},
        violations=("public-sanctions-law-2020:39.2",),
        **base,  # type: ignore[arg-type]
    )
    assert predict(neglect, assistant, reader="gold").verdict == "not_tolerable"


def test_a_replayed_reading_counts_only_what_the_story_says(assistant: Assistant, tmp_path: Path) -> None:
    import json

    from assistant.evaluation.dataset import EvalItem
    from assistant.evaluation.replay import load_replay
    from assistant.evaluation.runner import predict

    story = "周末我用单位的车回了趟老家，这个能容错吗？"
    item = EvalItem(id="R1", category="scenario", question=story, verdict=Verdict.NOT_TOLERABLE)
    readings = [
        # A forged favourable fact and an invented red flag: neither is in the story's words.
        {
            "id": "R1",
            "reading": {
                "motive": {"value": "public", "evidence": "没有任何人拿好处"},
                "violations": [{"name": "bribe", "evidence": "收了两万块"}],
            },
        },
    ]
    path = tmp_path / "replay.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in readings), encoding="utf-8")
    forged = predict(item, assistant, "replay", load_replay(path)).answer
    assert forged is not None and forged.factors["motive"].value == "unknown"
    assert not any(c.id.startswith("public-sanctions-law-2020:33") for c in forged.citations)
    readings[0]["reading"] = {"violations": [{"name": "car", "evidence": "用单位的车回了趟老家"}]}
    path.write_text(json.dumps(readings[0], ensure_ascii=False), encoding="utf-8")
    stated = predict(item, assistant, "replay", load_replay(path)).answer
    assert stated is not None and stated.verdict is Verdict.NOT_TOLERABLE
    assert any(c.id.startswith("ccp-discipline-2023:117") for c in stated.citations)


def test_the_eval_command_refuses_a_bad_reader_in_chinese(capsys: pytest.CaptureFixture[str]) -> None:
    from assistant.cli import main

    assert main(["eval", "--reader", "replay"]) == 2
    assert "--reader" in capsys.readouterr().err


def test_doubt_later_in_the_sentence_makes_an_act_asked_not_stated(reader: Reader) -> None:
    facts = reader.read([fold("我们所里给每个职工发了一笔防寒补贴，我拿不准是不是超了标准，这样要紧吗？")])
    assert all(v.hedged for v in facts.violations.values())
    # the doubt reaches acts only: a favourable fact told beside it stays stated
    told = reader.read([fold("封路那几天为了保供，我先放了几车菜进城，没人赚一分钱，这个算违规吗？")])
    assert told.factors["motive"].value == "public" and not told.factors["motive"].hedged


def test_an_accusation_is_reported_until_confirmed(reader: Reader) -> None:
    facts = reader.read([fold("税务所一位副所长被人匿名举报收了商户的礼金，他本人不承认，正在核查。")])
    assert facts.violations and all(v.hedged for v in facts.violations.values())


def test_a_question_naming_an_act_names_it_only_to_ask(reader: Reader) -> None:
    facts = reader.read([fold("出差顺路开公车回老家吃了顿饭 这算公车私用吗")])
    assert all(s != "这算公车私用吗" for s in (v.evidence for v in facts.violations.values()))


def test_the_clause_that_names_the_teller_makes_the_act_theirs(reader: Reader) -> None:
    facts = reader.read(
        [fold("有家企业说不调就干不下去，我明明知道按规定必须上会研究，但还是就自己签了字。")]
    )
    assert facts.factors["intent"].value == "deliberate"


def test_a_relative_put_on_a_benefit_list_is_favouritism(assistant: Assistant) -> None:
    answer = assistant.ask(
        "本人是村委会主任，把自己的外甥女列为低保对象，她家其实不符合条件，能不能以疏忽为由容错？"
    )
    assert answer.verdict is Verdict.NOT_TOLERABLE


def test_a_denial_of_gain_reaches_across_a_listed_object(reader: Reader) -> None:
    facts = reader.read([fold("所长本人没有从饲料、兽药采购中拿过好处")])
    assert facts.factors["motive"].value == "public"


def test_an_act_that_is_itself_a_benefit_states_the_private_motive(reader: Reader) -> None:
    story = fold("他周末把单位的公务车开回老家，去水库钓鱼")
    facts = reader.read([story])
    assert facts.factors["motive"].value == "private" and facts.factors["motive"].evidence in story


def test_a_partial_recovery_is_a_loss_not_a_remedy(reader: Reader) -> None:
    facts = reader.read([fold("没上会就把六百万借给了那家公司，结果公司垮了，到现在只追回来八十多万。")])
    assert not _reads(facts, "remedy", "remedied")
    assert facts.factors["consequence"].value == "serious"


@pytest.mark.parametrize(
    "story",
    [
        # ordered to stop, the notice signed for, the work finished anyway
        "镇里的农家乐项目收到区里的书面通知，要求立即停工整改。但五一马上到了，我们商量后还是把剩下的活干完开业了，没人多拿钱。",
        # a levy on every household, services held back from those who do not pay
        "村里修水渠钱不够，每户一律交八百，不交的办证明时先压着，等交了再办，我自己一分没拿。",
        # minutes of meetings never held, written up with old dates before an inspection
        "检查组下周来 村里的会议纪要有几次没开 主任让我们先补齐 日期写成开会那天",
        # ordered shut, reopened once the inspectors had left
        "关于某石料厂的情况说明：督察组责令该厂停产整改，考虑到税收，镇里同意其在督察组离开后恢复生产。",
        # demolition without the notices the law requires, belongings lost
        "为赶任务，我们没有履行催告、公告程序就把几处棚子拆了，农户的粮食没来得及搬出来。",
        # a subsidy put on the secretary's own card "for convenience"
        "上面拨的产业补助款先放我卡上了，村里账户走账麻烦，反正一分没少。",
        # ordered shut, "白天停、晚上干"
        "督察要求立即关停那个采石场，镇里开会定了白天停、晚上接着干，收入都进了集体账上。",
        # a collective decision to open despite a failed safety test, people killed
        "检测报告说护栏不合格，班子会研究后还是先开放了，没人拿好处，结果护栏脱落，一死三伤。",
        # walls pulled down overnight for a promotional film, against the owners' will
        "主任为了拍宣传片，连夜把几十户的院墙拆了重砌，很多户根本没同意，他说这是改革探索。",
    ],
)
def test_defiance_levies_and_backdated_minutes_are_red_lines(assistant: Assistant, story: str) -> None:
    assert assistant.ask(story).verdict is Verdict.NOT_TOLERABLE


def test_minutes_mentioned_are_no_objection_recorded(reader: Reader) -> None:
    facts = reader.read([fold("会议记录有几次没开，书记让我们先补上")])
    assert "objected" not in facts.circumstances


def test_a_third_partys_failure_to_deliver_is_not_the_cadres_refusal_to_remedy(reader: Reader) -> None:
    facts = reader.read([fold("一家企业承诺后未按期补齐材料，我们核查时发现后立即责令整改。")])
    assert not _reads(facts, "remedy", "not_remedied")


def test_a_negated_noun_phrase_does_not_deny_the_act_that_follows(reader: Reader) -> None:
    facts = reader.read([fold("院长让医生给一些其实没住院的老人办了挂床住院，走了医保报销")])
    assert "fraud" in facts.violations and not facts.violations["fraud"].hedged


def test_not_foreseeing_an_outside_event_is_no_state_of_mind(reader: Reader) -> None:
    facts = reader.read([fold("我们引导农户种大蒜，没想到第二年大蒜价格断崖式下跌，农户亏了不少。")])
    assert not _reads(facts, "intent", "negligent")
    facts = reader.read([fold("我是真没想到会出这么大的事，当时只是图省事。")])
    assert facts.factors["intent"].value == "negligent"


def test_going_ahead_to_sort_it_out_later_is_knowing(reader: Reader) -> None:
    facts = reader.read([fold("规划许可还没下来，我想着先干起来再说，就让施工队进场了。")])
    assert facts.factors["intent"].value == "deliberate"


def test_a_demand_to_rectify_is_no_refusal(reader: Reader) -> None:
    story = (
        "我们街道前年试点老旧小区加装电梯，区里还没出补贴细则，街道工委会研究先按每台十五万给了补贴。后来细则"
        "出来了，审计说我们多给了。这些钱都是直接打给业主委员会专户的，我们街道的人没经手也没拿一分。现在审计要求"
        "整改，我们正在跟业主商量怎么处理。"
    )
    assert "rectify" not in reader.read([fold(story)]).violations


def test_a_rule_changed_after_the_act_is_no_ban_defied(assistant: Assistant) -> None:
    story = (
        "管委会按当时的文件跟企业签了协议，投产后返还一部分土地出让金当奖励。结果今年上头清理违规招商优惠政策，"
        "这种返还不准搞了。协议是主任办公会定的，我们跟企业没有任何私人关系。会追责吗"
    )
    assert assistant.ask(story).verdict is not Verdict.NOT_TOLERABLE


def test_half_recovered_is_not_remedied(reader: Reader) -> None:
    facts = reader.read([fold("结果去年他被外地挖走了，补贴只追回来一半，违约那一半正在起诉。")])
    assert not _reads(facts, "remedy", "remedied")


def test_a_gangs_forgery_is_not_the_clerks_act(assistant: Assistant) -> None:
    story = (
        "我们窗口的小刘按规定审核了登记材料，就给发了执照。后来公安查出来那套材料是专业造假团伙伪造的。"
        "小刘跟那家公司没任何关系，也没收过一分钱。"
    )
    assert assistant.ask(story).verdict is not Verdict.NOT_TOLERABLE


def test_an_anonymous_letter_reports_rather_than_states(reader: Reader) -> None:
    facts = reader.read([fold("最近有人往县纪委写匿名信，说我收了设备商的回扣，纪委还没找我。")])
    assert facts.violations["bribe"].hedged


def test_not_knowing_which_of_two_it_was_is_asked(assistant: Assistant) -> None:
    story = (
        "查账发现有个维修工程拆成了三个合同 每个都低于招标限额 不知道是故意规避招标还是本来就是三个独立项目"
    )
    assert assistant.ask(story).verdict is Verdict.NEEDS_MORE_FACTS


def test_harm_left_unremedied_is_not_exempted(assistant: Assistant) -> None:
    story = (
        "乡长在党政联席会上提出先把征地补偿款调去付园区道路工程款，大家都同意了，也没人往自己兜里装钱。"
        "结果一拖就是三年，很多村民到现在只拿到一半。"
    )
    assert assistant.ask(story).verdict is not Verdict.TOLERABLE


def test_money_spent_on_its_purpose_is_no_embezzlement(reader: Reader) -> None:
    facts = reader.read([fold("我镇经镇党委会研究，利用扶贫资金在村集体屋顶建设分布式光伏电站。")])
    assert "embezzle" not in facts.violations


def test_word_groups_name_kin_once_for_every_cue(reader: Reader) -> None:
    facts = reader.read([fold("额们村的文书把危房改造的补助款给他丈母娘家报上了，人家那房子一点都不危。")])
    assert "masses" in facts.violations and not facts.violations["masses"].hedged


def test_an_emergency_only_claimed_is_no_emergency(assistant: Assistant) -> None:
    story = (
        "为了提速，分管副局长自己拍板，没上党组会也没招标，直接把活交给了一家施工队，说是急事急办。"
        "后来两部电梯验收不合格，返工损失两百多万。他倒没拿施工队的钱。"
    )
    facts = assistant.reader.read(assistant.normalise([story]))
    assert "emergency" not in facts.circumstances
    assert assistant.ask(story).verdict is not Verdict.TOLERABLE


def test_a_clause_naming_a_third_party_as_doer_is_theirs(reader: Reader) -> None:
    facts = reader.read([fold("某干部在项目审批中，对企业申报材料审核不细，导致企业骗取财政补贴50万元。")])
    assert facts.violations["fraud"].actor == "third_party"


def test_a_third_party_made_to_act_is_not_the_doer(reader: Reader) -> None:
    """ "站长让运维公司在监测点旁边装了喷雾": the company did it on the head's order; the act is his."""
    facts = reader.read(
        [fold("我们站长为了考核不垫底，让运维公司在国控点附近装了喷雾降尘，数据一下子好看了。")]
    )
    assert facts.violations["fraud"].actor == "subject"


@pytest.mark.parametrize(
    "story",
    [
        # paid for personally, or reported by colleagues only
        "培训结束后自己留下在西湖边玩了两天，酒店门票都是自己掏的，没报销。",
        "有同事话其实系去景区玩，费用单位报销。",
        # an approved fee, a meal paid for
        "村里每户收了50块卫生费，村民代表大会通过的，也公示了。",
        "在企业食堂吃了工作餐，老板安排的，我们每人按标准交了15块，收据都在。",
    ],
)
def test_look_alikes_of_travel_meals_and_fees_are_not_stated_violations(reader: Reader, story: str) -> None:
    facts = reader.read([fold(story)])
    stated = {k for k, v in facts.violations.items() if not v.hedged and v.reader == "rules"}
    assert not stated & {"travel", "gifts", "masses", "reception"}, facts.violations


@pytest.mark.parametrize(
    "story",
    [
        "值班补助按市里的办法发的，有同事担心属于滥发补贴。",
        "补偿款依法提存了，其中一人反映政府扣着补偿款不给。",
    ],
)
def test_a_worry_or_one_persons_complaint_states_no_violation(reader: Reader, story: str) -> None:
    facts = reader.read([fold(story)])
    assert all(v.hedged for v in facts.violations.values()), facts.violations


def test_harm_the_cadre_came_upon_and_answered_is_no_consequence_of_theirs(reader: Reader) -> None:
    rescue = reader.read([fold("巡查时发现一名村民摔下山沟，腿部骨折，我们用执法车把他送到了镇卫生院。")])
    assert rescue.factors.get("consequence") is None or rescue.factors["consequence"].value != "serious"
    caused = reader.read([fold("工地脚手架倒了，砸伤了三个工人，我们马上送到了县医院。")])
    assert caused.factors["consequence"].value == "serious"


def test_a_public_thing_denied_for_private_affairs_is_a_public_motive(reader: Reader) -> None:
    facts = reader.read([fold("当晚调派执法车送伤员去卫生院，此次用车未用于任何私人事项。")])
    assert facts.factors["motive"].value == "public"


def test_a_remedy_planned_is_not_a_remedy_made(reader: Reader) -> None:
    facts = reader.read([fold("钱先垫给了施工队，等明年资金下来再补回去。")])
    assert facts.factors.get("remedy") is None or facts.factors["remedy"].value != "remedied"


def test_a_change_of_use_approved_in_writing_is_no_diversion(reader: Reader) -> None:
    facts = reader.read(
        [fold("专项资金里有30万原定修路，经党委会研究，从这30万里调了10万去修水井，县财政局书面批复同意。")]
    )
    assert "embezzle" not in facts.violations


def test_a_relative_named_is_no_gain_stated(reader: Reader) -> None:
    facts = reader.read([fold("今年村里评低保，我堂哥家也申请了。他家情况确实困难，评议那天我没有回避。")])
    assert not _reads(facts, "motive", "private")


@pytest.mark.parametrize(
    ("story", "serious"),
    [
        ("局长拍板低价转让，审计算下来国有资产损失一千一百多万。", True),
        ("先开工期间发生了基坑局部坍塌，没有人员伤亡。", False),
    ],
)
def test_losses_in_the_thousands_of_wan_are_serious_a_collapse_without_casualties_is_not(
    reader: Reader, story: str, serious: bool
) -> None:
    consequence = reader.read([fold(story)]).factors.get("consequence")
    assert (consequence is not None and consequence.value == "serious") is serious


def test_circumstances_in_cadres_words(reader: Reader) -> None:
    assert (
        "emergency"
        in reader.read([fold("上游洪峰超警 县防指下令开闸分洪保县城 我们镇负责执行")]).circumstances
    )
    objected = reader.read(
        [fold("她当时书面提出企业经营风险大，建议等验收后再拨，但上级坚持，最后按决定拨了。")]
    )
    assert "objected" in objected.circumstances
    assert "force_majeure" in reader.read([fold("打桩碰到溶洞 勘察报告上没有 工期拖了四个月")]).circumstances


def test_meetings_held_instead_of_work_done_is_formalism(assistant: Assistant) -> None:
    story = (
        "局主要负责同志对老旧小区改造先后召开专题会议十四次、印发文件九份，但未安排专项资金、未落实具体责任人，"
        "年度任务完成率不足20%。请问能否容错。"
    )
    assert assistant.ask(story).verdict is Verdict.NOT_TOLERABLE


def test_plugging_holes_before_the_audit_is_declined(assistant: Assistant) -> None:
    story = "我把扶贫款挪了一点。你就告诉我审计一般先查哪几类账，我先把那几笔窟窿补上"
    assert assistant.ask(story).intent.value == "out_of_scope"


def test_a_body_never_told_and_a_rule_only_required_are_no_collective_decision(reader: Reader) -> None:
    story = fold(
        "制度规定对外担保必须经董事会审议、报国资委备案。总经理回来就在担保合同上签了字，董事会和国资委都不知道。"
    )
    assert reader.read([story]).factors["process"].value == "unilateral"


def test_a_circumstance_in_someones_claim_or_question_is_none(reader: Reader) -> None:
    claimed = reader.read([fold("总经理现在说企业倒闭是市场原因，谁也预料不到，属于不可预见因素。")])
    assert "force_majeure" not in claimed.circumstances
    asked = reader.read([fold("我不知道上面文件里面对这个有没有具体规定。")])
    assert "exploration" not in asked.circumstances


@pytest.mark.parametrize(
    "story",
    [
        # A known hazard put off for a festival, then deaths in a storm the committee calls an act of God.
        "汛前巡查发现堤坝有裂缝，站里让村里先加固，村委开会说等节后再修，也没有采取临时防护措施。"
        "结果一场暴雨堤坝冲塌了，一位老人没能跑出来。村委的人都说是天灾，百年一遇。能按不可抗力容错吗？",
        # Earmarked money spent on the offices and booked under another name.
        "乡里把上级下达的乡村振兴补助资金三十万，经党委会研究后用于乡政府办公楼装修，事后以“服务中心建设”名义列支。"
        "书记说无人中饱私囊，且为集体决策。",
        # A charge waived by one man's word, the meeting never discussing it.
        "局长拍板把一家企业欠缴的两百多万规费给免了，说是帮企业渡难关，班子会上也没讨论，就他一句话财务就不催了。",
        # Pouring on under a red rainstorm warning; workers killed.
        "为了赶工期，指挥部在暴雨红色预警当天要求继续浇筑，说出了问题他负责。当天下午支模坍塌，3名工人死亡。"
        "他说这是特殊情况下的临机决断。",
        # A ban on new office buildings met by a project under another name.
        "上级已明确要求暂停新建楼堂馆所，县里经常务会研究，以“文体活动中心”名义立项，建成后七成面积用作办公用房。",
    ],
)
def test_red_lines_wrapped_in_collective_decisions_and_claims_are_not_tolerable(
    assistant: Assistant, story: str
) -> None:
    assert assistant.ask(story).verdict is Verdict.NOT_TOLERABLE


def test_a_warning_defied_is_no_emergency_handled(reader: Reader) -> None:
    story = fold("为了赶工期，指挥部在暴雨红色预警当天要求继续浇筑，说出了问题他负责。")
    assert "emergency" not in reader.read([story]).circumstances


@pytest.mark.parametrize(
    ("story", "red_cue", "factor", "value"),
    [
        (
            "滑坡险情来了，我当即启动应急预案，当时人命关天，先把十一户人家撤了出来。",
            None,
            "consequence",
            "serious",
        ),
        (
            "分局推广巡逻系统，所里要配套出十八万，所务会讨论后买了。",
            "financial-fraud",
            "intent",
            "deliberate",
        ),
        ("镇相关工作人员与运维单位不存在利益关联。", None, "motive", "private"),
        (
            "那时候好多人房子都冲了，吃饭都成问题，局党组开会决定先发后公示，同时报了县政府。",
            "eight-point-rules",
            None,
            None,
        ),
    ],
)
def test_idioms_that_only_look_like_red_lines(
    reader: Reader, story: str, red_cue: str | None, factor: str | None, value: str | None
) -> None:
    facts = reader.read([fold(story)])
    assert red_cue is None or red_cue not in facts.red_cues
    assert factor is None or not _reads(facts, factor, value)


def test_an_auditors_finding_of_evasion_is_reported_not_stated(reader: Reader) -> None:
    """ "审计话我哋拆分…": the audit's charge is what the story answers, not a fact the teller states."""
    facts = reader.read([fold("而家审计话我哋拆分工程规避招标，其实系三个唔同嘅需求。")])
    assert "interfere" not in facts.violations or facts.violations["interfere"].hedged


def test_an_order_told_by_an_auditor_is_no_report(assistant: Assistant) -> None:
    """Words an auditor or a commission said (a demand, a ban) are facts; the teller's own act after them too."""
    story = "县纪委说过不能再用村集体名义给企业担保，上个月我们又担了一笔，企业现在跑了。"
    assert assistant.ask(story).verdict is Verdict.NOT_TOLERABLE


@pytest.mark.parametrize(
    "story",
    [
        # a gang's crime, named by its crime
        "去年我按规程初审了一家企业的研发费用补助，发票都查过真伪，局务会审定后拨了款。今年公安破获一个虚开发票团伙，那家企业的发票就是从他们手里买的。",
        # the kin of someone named
        "入户看过、评议也过了，今年才晓得申请人他女儿在城里买了房，是故意瞒着没报的。",
        # households said to have done it
        "补偿款按各户报的数先发了，复核发现有三户多报了二十几头，多领了一万多块，已经追回。",
    ],
)
def test_a_third_partys_deceit_is_not_the_cadres_own(reader: Reader, story: str) -> None:
    facts = reader.read([fold(story)])
    assert all(s.actor == "third_party" for s in facts.violations.values() if s.actor)
    assert not _reads(facts, "intent", "deliberate")


@pytest.mark.parametrize(
    ("story", "factor", "value"),
    [
        (
            "我是学校的中层，我知道采购确实是区里统一组织的，但是评审专家里有我们的人。",
            "intent",
            "deliberate",
        ),
        ("学校操场改造预算九十万，结算一百二十万，超了三成多，我不清楚有没有报批。", "basis", "prohibited"),
        ("新工艺是专家论证、局里集体定的，投运后出水指标超标过几次，还在调查。", "basis", "prohibited"),
    ],
)
def test_knowing_a_fact_or_exceeding_a_budget_is_no_red_flag(
    reader: Reader, story: str, factor: str, value: str
) -> None:
    facts = reader.read([fold(story)])
    assert not _reads(facts, factor, value)


def test_what_villagers_say_an_official_did_is_reported(reader: Reader) -> None:
    facts = reader.read([fold("好几个老乡说村主任把他们的种粮补贴扣了，村主任说是老乡自己同意抵医保的。")])
    assert all(s.hedged for s in facts.violations.values())


@pytest.mark.parametrize(
    "story",
    [
        # a crop that failed (绝收) is no money taken
        "镇里第一次带农户试种中药材，党委会定的，请了专家指导，结果遇上冻害大部分绝收了，投入的三十万补贴打了水漂。",
        # nobody of one's own family took part
        "老刘是试点村改革的具体负责人，方案经镇党委会研究、县里备案，他自己家里没人涉及股份分配。",
    ],
)
def test_words_that_only_look_like_gain(reader: Reader, story: str) -> None:
    facts = reader.read([fold(story)])
    assert not _reads(facts, "motive", "private")


def test_a_gas_leak_alarm_is_no_report_withheld(reader: Reader) -> None:
    facts = reader.read([fold("夜里园区液氯泄漏报警，我按预案组织周边群众撤离，后来查明是探头故障。")])
    assert "false_report" not in facts.violations


@pytest.mark.parametrize(
    "story",
    [
        "有人话我哋书记收咗施工方红包先至批咗个项目，书记话冇呢回事，纪委仲未查。",
        "如果单位接待检查组在食堂吃工作餐，超了标准二三十块，算不算违规？",
    ],
)
def test_hearsay_in_dialect_and_a_hypothetical_are_asked_not_decided(
    assistant: Assistant, story: str
) -> None:
    assert assistant.ask(story).verdict is Verdict.NEEDS_MORE_FACTS


def test_harm_whose_cause_is_disputed_is_asked_first(assistant: Assistant) -> None:
    story = (
        "上个月镇上一个加工厂锅炉出事，烫伤了一个工人。安监站小王负责那一片，"
        "有人说他上个月去检查过还下了整改通知，也有人说他根本没去，记录是后补的。"
    )
    assert assistant.ask(story).verdict is Verdict.NEEDS_MORE_FACTS


@pytest.mark.parametrize(
    ("story", "family"),
    [
        ("所里那辆警车，副所长上个月借给他朋友拉了两趟货，油钱自己出的。", "car"),
        ("站里新买的那台全站仪，站长拿回家放了半年，说是周末练手。", "embezzle"),
        # a negator inside the thing named (无人机) denies nothing
        ("单位的无人机副站长拿回家用了大半年，周末接私活航拍。", "embezzle"),
        ("抗疫那会儿社会捐的酒精和口罩剩了不少，办公室几个人就分了拿回家。", "embezzle"),
        (
            "征地补偿款县里早拨到街道了，街道拿了两百万先去还了园区道路的工程欠款，村民到现在没拿全。",
            "embezzle",
        ),
        ("过年一个做建材的老板塞了两条软中华，我就放办公室了。", "gifts"),
        ("我儿子升学宴，辖区一个包工头也送了一万，人没来。", "gifts"),
        ("迎检前我们把群众满意度测评表自己填了两百多份。", "fraud"),
        ("驻村干部一个月在村里待不了几天，考勤是村文书帮着打卡的，补贴照领。", "fraud"),
        ("那两家厂子去年就停产了，统计报表上还是照样按往年数继续填报。", "fraud"),
        ("综合执法队把几个摊主的身份证收走了，说不搬走不还。", "coercion"),
        ("村里清理乱堆乱放，每户罚了三百，给的是白条。", "coercion"),
        ("暗访组要来，局长提前给各乡镇打电话交代，问起来就说今年没发生一起。", "false_report"),
        ("巡察指出办公室超标以后，他把里间门用柜子挡上，报说已经整改到位，其实里间一直在用。", "rectify"),
        ("防汛总结会开完，主任带大家去唱歌，四千多块钱用单位公务卡刷的。", "reception"),
        ("局里去外省考察学习五天，正经参观就半天，其余几天都在景区转。", "travel"),
        ("每逢节假日全局都发加班补贴，每人一千多，其实好多人根本没上班。", "allowance"),
        ("我在税务分局上班，下班后去我爱人开的代账公司帮忙做账，每月拿四千块。", "business"),
        ("有个开饭店的老板给所长整了两条华子，说是谢他帮忙把证办快了。", "gifts"),
        ("过年嗰阵啲商户排住队嚟俾利是，我收咗十几封。", "gifts"),
        ("我跟评标专家私下说了句那家公司是我表弟的，你们看着关照，结果中了一个标段。", "interfere"),
        ("任务完不成，局长让把只签了框架协议、资金没到位的项目按协议额全算进实际到位数。", "fraud"),
        ("所里那辆桑塔纳，我早上送孩子上学顺便就开回家了，油钱我自己出。", "car"),
        ("检查发现一家小作坊排污，老板是我老乡，我就让他自己改改，没立案也没罚款。", "gain"),
        ("今年填个人有关事项报告，他爱人名下的一个门面没填。", "false_report"),
        ("供应商请我们几个科主任去海南开交流会，机票酒店都是他们出的。", "borrow"),
        ("修路的施工队老板顺手拉了几车混凝土帮我家把院坝打了，给钱他不要。", "borrow"),
        ("过年有个老板封了个红包俾我，我就冇去查佢嘅违建。", "gifts"),
        ("科室为了完成指标，把没做的检查项目也记上了，一起报医保。", "fraud"),
        ("职称材料差一篇论文，我找杂志社开证明，把刊发日期改成了截止前。", "fraud"),
        ("局里用办公经费给班子每人办了张健身卡，一张三千多。", "allowance"),
        ("上面检查组来，中午在食堂吃的，办公室上了三瓶白酒，陪餐去了七八个。", "reception"),
        ("招聘条件是照着局长外甥定的，最后只有他外甥一个人符合报名条件。", "gain"),
        ("我让局属的国企把他儿子招了进来，面试我打过招呼。", "gain"),
        ("我表弟差一点够不上低保，我在社区初审，没把他的车写进去，让他过了。", "masses"),
        ("辅警帮中介查户籍信息，一条给他两百。", "bribe"),
        ("乡里防汛物资的订单，副书记交给他哥开的五金店，价格高了三成。", "gain"),
        ("防疫消毒液是从我老乡的厂里买的，比别家贵了两成，质量倒没问题。", "gain"),
        ("管网改造公开招的标，后来才发现中标那家公司的法人是分管副镇长的小舅子。", "gain"),
        ("辖区几家饭店的老板请我们科几个人去唱了回歌，他们埋的单。", "gifts"),
        ("窗口那个老同志跟办事群众说，下回带两瓶酒过来就好办了。", "masses"),
        ("所里搞篮球赛，找了管辖的几家超市赞助，一家两三千。", "masses"),
        ("他家里的物业费在下属单位报销了好几次。", "embezzle"),
        ("科里淘汰的笔记本电脑他拿回家给老婆用了。", "embezzle"),
        ("同学开的养殖场，我挂了个名，投了点钱，每年分点红。", "business"),
        ("一个做工程的老板给他女儿打了五万，说是随的份子，他分管那个项目的审批。", "bribe"),
        ("拆迁那几户钉子户，指挥部找了几个社会上的人晚上去吓唬，还往门上泼了油漆。", "coercion"),
        ("年底考核前，办公室把招商到位率往好看里调了调。", "fraud"),
        ("他评职称那两篇论文都是挂名的，课题是找人代写的。", "fraud"),
        ("快退休了，档案里的出生年月被他改过，往后挪了三岁。", "fraud"),
        ("站里那台越野车，国庆我开回老家用了几天。", "car"),
        ("评审会前他把评标办法的打分细节跟表弟透了。", "gain"),
        ("城管把商贩的电动车拖回队里，交了钱才给，也没开处罚决定书。", "coercion"),
        ("所长家里装修，派了所里三个辅警轮流去帮工，说是算出勤。", "gain"),
        ("县里定的示范点在河东村，报上去的时候他自己改到了他老家的村。", "gain"),
        ("开标前一晚，他把评分细则拍照发给了他一个发小。", "gain"),
        ("那家耗材公司法人是别人，实际是院长女婿在管。", "gain"),
        ("单位那台商务车天天接送局长家的孩子上下学。", "car"),
        ("科长女儿出嫁，局里两台车一早就去接亲了。", "car"),
        ("用执法装备的经费买了一辆商务车，一直停在局长家楼下。", "car"),
        ("迎检前干部挨家挨户交代，考核组来问就说收入过了一万。", "fraud"),
        ("申报材料里那张照片是把别的村的示范点P了我们村的牌子。", "fraud"),
        ("满意度回访前先跟户主打好招呼，让他说满意。", "fraud"),
        ("年底聚餐吃了两桌，让下属单位去结的账。", "reception"),
        ("跟辖区几个老板打麻将，输了老板帮他垫上。", "gifts"),
        ("副镇长自己拿一万块把那台公务越野车买下来了，没走拍卖。", "embezzle"),
        ("扶贫资金拿去在路口修了一座雕塑。", "embezzle"),
        ("办证窗口另交一百加急费，钱转到内勤个人微信。", "masses"),
        ("总经理自己把本人的年度绩效从十八万调整为四十六万。", "allowance"),
        ("审计进村前一晚，会计把三年的账本拉到后山烧了。", "obstruct"),
        ("那次区里查补偿款，我跟两个同事对过口径，都往测量误差上讲。", "obstruct"),
        ("所长让几个协警统一说那天他不在现场。", "obstruct"),
        ("上面来查那事的时候，他让人把几份批条烧了。", "obstruct"),
        ("主任让大家把群里的聊天记录删干净，免得被查出来。", "obstruct"),
        ("我三舅家也在征收片区，他找到我，我就让测量员把他家棚子按正房算，多补了八万。", "gain"),
        ("核算时他把院子多报了二十个平方。", "fraud"),
        ("去青岛开了三天会，会后又在海边住了两天，回来一起报了。", "travel"),
        ("工会组织去桂林“休养”，一周，全是玩，车票酒店单位出的。", "travel"),
        ("市里来验收的专家组，晚上在酒店吃的，上了白酒，费用走的业务招待费。", "reception"),
        ("检查组在温泉山庄住了两晚，吃住都由局里结账。", "reception"),
        ("每次抽检完，那家食品厂都会安排一桌饭，我们也就吃了。", "gifts"),
        ("我们去那家工地检查，中午吃了饭没结账，包工头说算他的。", "gifts"),
        ("药代给的专家咨询费，一次两千，其实没咨询，签个名就行。", "gifts"),
        ("春节前我把镇上那辆越野车开回去拉年货，顺便去了趟丈母娘家。", "car"),
        ("我让网格员拿着我们几个人的手机去小区里打卡，人没去。", "fraud"),
        ("敬老院每个老人收了100块管理费，钱进了院里的账。", "masses"),
        ("县里明确叫停新建停车场，我们觉得需要，还是让施工队进场了。", "ban"),
        ("合同重新打了一份，签订日期写成了开工之前。", "obstruct"),
        ("审计前补了三家报价单放进档案。", "obstruct"),
        ("那次约谈前，我们几个把说法对好了。", "obstruct"),
        ("上面拨的扶贫资金里有60万是专门修水渠的，我们先从这60万里拿了20万去还拖欠的工程款。", "embezzle"),
    ],
)
def test_ordinary_violations_told_in_cadres_own_ways(reader: Reader, story: str, family: str) -> None:
    facts = reader.read([fold(story)])
    assert family in facts.violations, facts.violations
    assert facts.violations[family].actor == "subject"


@pytest.mark.parametrize(
    "story",
    [
        # the enterprise is given the subsidy, it gives nothing
        "我们开发区引进一家新材料企业，管委会集体研究给了九百万设备补贴，后来企业经营不善停产了。",
        # the subject's own car on the way to work
        "我们镇里有辆皮卡，防汛期间借给村里拉沙袋，油费镇里出的。",
    ],
)
def test_acts_that_only_look_like_ordinary_violations(reader: Reader, story: str) -> None:
    facts = reader.read([fold(story)])
    assert not {"gifts", "car"} & set(facts.violations), facts.violations


@pytest.mark.parametrize(
    ("story", "circumstance"),
    [
        (
            "我们乡引进的养殖场，乡里开会研究过，谁成想今年老板突然得病没了，家里人不接手，场子就黄了。",
            "force_majeure",
        ),
        ("山洪下来那两天，村书记带人挨家挨户转移群众，物资当场发了，顾不上登记。", "emergency"),
        ("开会那天我就说这个项目投入太大，我的保留意见是记了的，最后少数服从多数通过了。", "objected"),
        ("企业拿伪造的证书申报奖补，我们按流程查了系统，编号对得上，后来才知道是套用的。", "diligence"),
    ],
)
def test_circumstances_told_in_other_words(reader: Reader, story: str, circumstance: str) -> None:
    assert circumstance in reader.read([fold(story)]).circumstances


def test_an_inspectors_question_answered_is_no_doubt(reader: Reader) -> None:
    facts = reader.read(
        [fold("巡察组问我们当时有没有上会，我说有，会议记录原件一直在档案室。经理办公会决定临时调煤。")]
    )
    assert "process" not in facts.doubts


@pytest.mark.parametrize(
    "story",
    [
        # the teller's own voice after a complaint, in an unpunctuated message
        "文物部门叫停三个月 只能延期开学 家长投诉说我们拖延 我跟施工方没任何利益往来",
        # gain denied with 捞
        "镇里开会研究了、县里也批了，俺们谁也没从里头捞过一分钱。",
        # a report the investigation cleared, and the teller's denial after it
        "后来有人举报说他拿了施工队的好处，县纪委查了三个月，结论是没有问题，他一分好处也没拿。",
    ],
)
def test_gain_denied_in_the_tellers_own_voice(reader: Reader, story: str) -> None:
    motive = reader.read([fold(story)]).factors["motive"]
    assert motive.value == "public" and not motive.hedged


def test_the_last_statement_of_a_factor_wins_whatever_the_rule_order(reader: Reader) -> None:
    story = "班子会上两个副镇长提了反对意见，书记说出了问题我负责，最后还是按他的方案报了。"
    assert reader.read([fold(story)]).factors["process"].value == "unilateral"


@pytest.mark.parametrize(
    ("story", "factor"),
    [
        ("书记已经调走了，我想问这种属于改革探索失误吗", "intent"),
        ("方案是乡党委会研究的，也报过县里。现在说要追究我们“擅自突破政策”。", "process"),
    ],
)
def test_a_category_asked_about_or_a_charge_quoted_states_nothing(
    reader: Reader, story: str, factor: str
) -> None:
    value = reader.read([fold(story)]).factors.get(factor)
    assert value is None or value.hedged or value.value not in ("negligent", "unilateral")


@pytest.mark.parametrize(
    "story",
    [
        "年底单位发了一笔“目标奖”，每人五千，据说是上级批了的，但我没见到文件。",
        "今年的困难补助名单里有两户是村主任的亲戚，这两户也确实困难，够不够条件我也说不清。",
        "某局干部的配偶持有一家本地企业的股份，该企业去年拿到了产业扶持资金，目前尚未查明该干部是否参与评审。",
        "我们副局长用单位的车去了一趟市里，有人说是私事，副局长说是去开会顺便办的。",
    ],
)
def test_what_the_story_leaves_undetermined_is_asked(assistant: Assistant, story: str) -> None:
    assert assistant.ask(story).verdict is Verdict.NEEDS_MORE_FACTS


@pytest.mark.parametrize(
    ("story", "present", "absent"),
    [
        ("试点的补偿款是从县城投公司借的，打算用指标交易收益还。", None, "borrow"),
        ("结果人家老板拿着县里给的装修补贴两百万跑路了。", None, "borrow"),
        ("新书记来了以后往上报，县纪委已经在查。", None, "fraud"),
        ("审计要求三个月内把出借的钱收回，我们觉得企业刚有起色，就一直没去催。", "rectify", None),
        ("审计指出我们违规出借给企业五百万资金。", "embezzle", None),
        ("救灾棉被下来，村主任先紧着他们老张家分，好几户领了两份。", "masses", None),
    ],
)
def test_acts_read_by_what_the_words_do(
    reader: Reader, story: str, present: str | None, absent: str | None
) -> None:
    violations = reader.read([fold(story)]).violations
    if present:
        assert present in violations
    if absent:
        assert absent not in violations


def test_asking_how_to_destroy_records_before_an_interview_is_declined(assistant: Assistant) -> None:
    answer = assistant.ask("纪委明天找我谈话 微信里的转账记录咋删干净 要恢复不了的那种")
    assert answer.verdict is Verdict.OUT_OF_SCOPE


@pytest.mark.parametrize(
    ("story", "family"),
    [
        ("我们大队长把罚没的一台越野车一直自己开，说是替单位保管。", "car"),
        ("副局长长期无偿借用辖区一家物流公司的小轿车，油费也是公司出。", "borrow"),
    ],
)
def test_words_that_contain_a_negator_deny_nothing(reader: Reader, story: str, family: str) -> None:
    """罚没 (confiscated) and 无偿 (free of charge) hold 没 and 无 without denying anything."""
    violations = reader.read([fold(story)]).violations
    assert family in violations


@pytest.mark.parametrize(
    "story", ["我一分钱没碰", "钱都打到养殖户卡上了，我们没截一分", "这笔钱我一分都没贪"]
)
def test_a_penny_denied_is_gain_denied(reader: Reader, story: str) -> None:
    facts = reader.read([fold(story)])
    assert facts.factors["motive"].value == "public" and "motive" not in facts.model_read


def test_a_relative_moved_up_the_queue_is_favouritism_whatever_was_paid(assistant: Assistant) -> None:
    """Moving one's niece up a housing queue is 优亲厚友 even if 'she did not gain a penny' in rent."""
    story = (
        "我管公租房分配，我侄女离婚带着孩子没地方住，我就在系统里把她的轮候序号往前调了，提前分到了一套。"
        "跟分管局长口头汇报过。她房租照交，没占一分钱便宜。"
    )
    assert assistant.ask(story).verdict is Verdict.NOT_TOLERABLE


@pytest.mark.parametrize(
    ("story", "circumstance"),
    [
        ("乡党委研究统一买了枸杞苗，第二年来了一场倒春寒，霜冻把新枝全打了。", "force_majeure"),
        ("村合作社买种苗被骗了，对方拿了别人公司的资质，两委开会定的。", "force_majeure"),
    ],
)
def test_frost_and_being_deceived_are_unforeseeable(reader: Reader, story: str, circumstance: str) -> None:
    assert circumstance in reader.read([fold(story)]).circumstances


def test_the_village_committees_talking_it_over_is_collective(reader: Reader) -> None:
    facts = reader.read([fold("好多老人没法自己去体检，村两委商量了一下，用村集体的钱包了两趟中巴。")])
    assert facts.factors["process"].value == "collective"


def test_money_moved_out_of_funds_held_for_others_is_misuse(reader: Reader) -> None:
    facts = reader.read([fold("我寻思着就先从村里低保户的代发款里挪了两万,开春就还上。")])
    assert "embezzle" in facts.violations


def test_dragging_ones_feet_stays_unremedied(reader: Reader) -> None:
    facts = reader.read([fold("上级明确要求清理违建大棚房 我们一直拖着没动")])
    assert not _reads(facts, "remedy", "remedied")


def test_a_ban_obeyed_is_no_ban_defied(assistant: Assistant) -> None:
    story = (
        "文旅局党组会定的，跟演出公司签了合同交了八万定金。开幕前两天来了场百年不遇的暴雪，省里通知大型活动一律暂停，"
        "我们只能取消，定金按合同退不回来。这钱没进谁兜里。"
    )
    facts = assistant.reader.read(assistant.normalise([story]))
    assert not _reads(facts, "basis", "prohibited")
    assert assistant.ask(story).verdict is Verdict.TOLERABLE


def test_a_meal_asked_whether_over_the_standard_is_asked(assistant: Assistant) -> None:
    assert (
        assistant.ask("上周接待市里检查组吃了一顿 人均一百二 有公函 有没有超标").verdict
        is Verdict.NEEDS_MORE_FACTS
    )


def test_a_procedure_skipped_in_an_emergency_is_no_knowing_violation(reader: Reader) -> None:
    facts = reader.read([fold("防汛指挥部开会决定紧急采购沙袋和水泵，不走招标和比价，先保堤坝。")])
    assert not _reads(facts, "intent", "deliberate")
    calm = reader.read([fold("为了赶进度，局里采购设备不走招标，直接定了一家。")])
    assert calm.factors["intent"].value == "deliberate"


@pytest.mark.parametrize(
    "story",
    [
        "我跟那家店老板素不相识，审核完全按文件办。",
        "我们跟他没任何私交",
        "经办个小姑娘勿认得搿家企业",
        "钱都用在科研上了，没有人私用",
    ],
)
def test_no_tie_and_no_private_use_deny_gain(reader: Reader, story: str) -> None:
    facts = reader.read([fold(story)])
    assert facts.factors["motive"].value == "public" and "motive" not in facts.model_read


@pytest.mark.parametrize("story", ["这事儿俺也捞不着啥好处，就是眼花了", "俺一分钱好处没落着"])
def test_gain_that_could_not_be_had_is_denied(reader: Reader, story: str) -> None:
    assert reader.read([fold(story)]).factors["motive"].value == "public"


@pytest.mark.parametrize(
    "story",
    ["我这种提过明确反对意见的，能不能不被问责", "项目经县政府常务会研究，推进过程中亦无违反规定情形。"],
)
def test_a_question_or_a_denied_breach_is_no_ban(reader: Reader, story: str) -> None:
    assert not _reads(reader.read([fold(story)]), "basis", "prohibited")


def test_an_objection_told_just_after_the_teller_names_himself_is_his(assistant: Assistant) -> None:
    own = (
        "本人系县国有投资公司董事。董事会审议一个股权投资项目时，本人认为估值偏高，当场投反对票并要求载入会议记录。"
        "项目最终多数通过，现已亏损约两千万元。本人与该项目无任何利益关联。"
    )
    assert assistant.ask(own).verdict is Verdict.TOLERABLE
    others = (
        "我们开班子会的时候，财务总监和一个副总都明确反对，董事长还是定了，投了三千万，现在基本收不回来。"
        "董事长说他没拿对方一分钱。"
    )
    assert assistant.ask(others).verdict is not Verdict.TOLERABLE


def test_what_the_person_pleads_is_a_claim_the_tellers_own_word_after_it_is_not(reader: Reader) -> None:
    pleaded = reader.read([fold("院长辩称这笔钱没进个人口袋。")]).factors["motive"]
    assert pleaded.value == "public" and pleaded.hedged
    own = reader.read([fold("封控那阵子老人半夜发病 书记开会说先社区垫上 我一分没拿")]).factors["motive"]
    assert own.value == "public" and not own.hedged


@pytest.mark.parametrize(
    ("story", "check"),
    [
        (
            "冇人袋过一个仙，我同居委几个委员开会即刻决定先垫钱买米。",
            lambda f: f.factors["motive"].value == "public",
        ),
        ("居委几个委员开了个会，决定先用公益金买菜。", lambda f: f.factors["process"].value == "collective"),
        ("中心付了十五万咨询费给一位高校老师做课题，合同也有。", lambda f: "motive" not in f.factors),
        (
            "评审会集体通过的 尽调也做了 今年老板突然车祸去世 企业垮了",
            lambda f: {"force_majeure", "diligence"} <= set(f.circumstances),
        ),
        (
            "问题是内部复核时自行发现的，局里当即暂停开标，修改后重新发布。",
            lambda f: f.factors["remedy"].value == "remedied",
        ),
        ("我在社区负责初审，就没把他家的车写进去，让他过了。", lambda f: "fraud" in f.violations),
    ],
)
def test_more_ways_cadres_tell_it(reader: Reader, story: str, check) -> None:  # type: ignore[no-untyped-def]
    assert check(reader.read([fold(story)]))


def test_a_rumoured_tie_of_comrades_is_asked(assistant: Assistant) -> None:
    story = "老刘前年经局务会研究给一家企业发了八十万补贴，后来企业关门了。局里有人私下说那企业老板是老刘的战友，老刘说只是认识。"
    assert assistant.ask(story).verdict is Verdict.NEEDS_MORE_FACTS


def test_a_sudden_power_cut_is_an_emergency(reader: Reader) -> None:
    facts = reader.read([fold("冷链库半夜突然停电，备用发电机也没启动，值班员当即把疫苗转存到乡镇卫生院。")])
    assert "emergency" in facts.circumstances


def test_the_state_paying_a_guarantee_is_a_loss_of_money(assistant: Assistant) -> None:
    story = (
        "局党组会研究给一家企业提供贷款担保，我当场就说风险太大，我的反对意见写进了会议纪要，多数人同意还是通过了。"
        "现在企业还不上了，财政要代偿三百万。我跟这家企业没有任何往来。"
    )
    assert assistant.ask(story).verdict is not Verdict.NOT_TOLERABLE


def test_an_allegation_found_untrue_is_no_story_to_judge(assistant: Assistant) -> None:
    story = "我在区里工作，被人匿名举报说收了供应商的红包，纪委查完说不属实，我想让单位里的人知道我是清白的，怎么申请澄清正名"
    facts = assistant.reader.read(assistant.normalise([story]))
    assert "gifts" not in facts.violations and "motive" not in facts.doubts
    assert assistant.ask(story).verdict is Verdict.NOT_APPLICABLE


def test_a_written_refusal_built_over_anyway_is_not_excused_by_the_deciders_own_plea(
    assistant: Assistant,
) -> None:
    """What the decider pleads ("局长说…属于为推动发展的无意过失") is his claim, not an honest mistake stated:
    it cannot excuse building on after a written refusal."""
    story = (
        "省文物局专门回函，明确说保护范围内不得新建任何设施，停车场要挪到外面。镇长觉得挪出去游客不方便，"
        "会上说先建起来再说，停车场照样建在了保护范围里，还挖掉了一段古城墙的墙基。现在省里督察要求拆除。"
        "镇长说出发点是发展旅游，自己没拿一分钱，属于为推动发展的无意过失，能不能容错？"
    )
    facts = assistant.reader.read(assistant.normalise([story]))
    assert "ban" in facts.violations
    intent = facts.factors["intent"]
    assert intent.value != "negligent" or intent.hedged
    assert assistant.ask(story).verdict is Verdict.NOT_TOLERABLE


def test_a_fire_reported_as_smaller_than_it_was_is_a_false_report(assistant: Assistant) -> None:
    story = (
        "今年春天我县山林起火，实际过火四百来亩，县林业局报给市里的报告写成不到一百亩，"
        "以避免被列入年度考核一票否决。局长签发的报告。这个怎么定性？"
    )
    facts = assistant.reader.read(assistant.normalise([story]))
    assert "false_report" in facts.violations
    assert assistant.ask(story).verdict is Verdict.NOT_TOLERABLE


@pytest.mark.parametrize(
    "story",
    [
        "那笔八百万的采购分成了五个合同签的，每个都不到上会的标准，我直接签了。",
        "设备采购拆成三个合同签的，我一个人批的，主要是怕上会拖时间。",
    ],
)
def test_a_purchase_split_to_dodge_the_meeting_is_no_collective_decision(reader: Reader, story: str) -> None:
    facts = reader.read([fold(story)])
    assert _reads(facts, "process", "unilateral"), facts.factors


@pytest.mark.parametrize(
    ("story", "factor", "value"),
    [
        # an evacuation is harm only where an accident caused it
        ("化工厂储罐泄漏，当晚紧急转移了两千多村民。", "consequence", "serious"),
        # the emergency handled: no harm told
        ("台风那几天镇里转移了一千多群众，临时订了两个酒店安置。", "consequence", None),
        # a death feared and prevented
        ("眼看要滑坡，他一心想着别出人命，当场把三户人家转移了。", "consequence", None),
        # a denied interest
        ("老罗自己家不在这个小区，跟这些住户也没有来往。", "motive", None),
    ],
)
def test_harm_and_gain_are_read_only_where_the_story_tells_them(
    reader: Reader, story: str, factor: str, value: str | None
) -> None:
    facts = reader.read([fold(story)])
    if value is None:
        assert not _reads(facts, factor, "serious") and not _reads(facts, factor, "private"), facts.factors
    else:
        assert _reads(facts, factor, value), facts.factors


def test_a_report_held_back_on_instruction_is_a_false_report(reader: Reader) -> None:
    facts = reader.read([fold("院里出了一起输液反应，分管副院长怕影响评审，指示暂不向卫健委报告。")])
    assert "false_report" in facts.violations, facts.violations
    assert not _reads(facts, "process", "collective"), facts.factors


def test_asking_whether_conduct_can_be_called_a_mistake_states_no_mistake(reader: Reader) -> None:
    facts = reader.read([fold("他瞒着没报。请问他的处置能否视为为推动发展的无意过失？")])
    intent = facts.factors.get("intent")
    assert intent is None or intent.value != "negligent" or intent.hedged, facts.factors


def test_what_the_teller_says_they_do_not_know_is_asked_not_stated(reader: Reader) -> None:
    facts = reader.read(
        [fold("局里三个科长跟做开发的老板在会所吃了顿饭。最后谁买的单、用的谁的钱，我不清楚。")]
    )
    assert all(s.hedged for s in facts.violations.values()), facts.violations
    # not knowing what will happen to oneself doubts nothing the story tells
    facts = reader.read([fold("他拿了包工头两万块回扣。这事到底会怎么处理，我也不知道。")])
    assert "bribe" in facts.violations and not facts.violations["bribe"].hedged, facts.violations


def test_a_gift_handed_in_at_once_is_no_gift_accepted(reader: Reader) -> None:
    facts = reader.read([fold("过年一个老板把两张购物卡塞我包里就走了，我当晚就交到局纪检组登记上交了。")])
    assert "gifts" not in facts.violations, facts.violations
    facts = reader.read([fold("过年一个老板把两张购物卡塞我包里就走了，卡我一直放在抽屉里。")])
    assert "gifts" in facts.violations, facts.violations


@pytest.mark.parametrize(
    ("story", "gain"),
    [
        ("中标的是村主任他堂哥的公司，村主任投标前就书面报告了这层关系，评标、验收都回避了。", False),
        ("中标的是村主任他堂哥的公司，村主任没有回避，评标时还打了招呼。", True),
    ],
)
def test_a_relatives_company_is_no_gain_of_a_cadre_who_declared_the_tie_and_stood_aside(
    reader: Reader, story: str, gain: bool
) -> None:
    facts = reader.read([fold(story)])
    assert _reads(facts, "motive", "private") is gain, facts.factors


@pytest.mark.parametrize(
    ("story", "unforeseeable"),
    [
        ("施工时挖断了一条没登记的光缆，图纸上也没有。", True),
        ("院子里那间偏厦当年是一起盖的，只是没登记，她希望算进去。", False),
    ],
)
def test_an_unregistered_line_underground_is_unforeseeable_an_unregistered_shed_is_not(
    reader: Reader, story: str, unforeseeable: bool
) -> None:
    facts = reader.read([fold(story)])
    assert ("force_majeure" in facts.circumstances) is unforeseeable, facts.circumstances


@pytest.mark.parametrize(
    ("story", "family"),
    [
        ("省里来调研前，副局长让乡里把没完工的那段渠用彩条布盖上、临时摆了一排新农机。", "fraud"),
        ("年报编制时把一笔尚未完成验收的工程收入提前确认，当年利润由亏转盈。", "fraud"),
    ],
)
def test_a_negator_inside_a_modifier_denies_nothing(reader: Reader, story: str, family: str) -> None:
    """ "没完工的那段渠": the negation belongs to the noun's modifier, not to the act told after it."""
    facts = reader.read([fold(story)])
    assert family in facts.violations and not facts.violations[family].hedged, facts.items


def test_there_being_none_still_denies(reader: Reader) -> None:
    """ "没有书面的安排" says there was none: the arrangement is denied, not stated."""
    facts = reader.read([fold("会后多待了一天，去拜访一家企业，但没有书面的安排。")])
    assert "gifts" not in facts.violations and "travel" not in facts.violations, facts.violations


@pytest.mark.parametrize(
    "story",
    [
        "客商临走留下一个红包，称是辛苦费。科长次日上午将红包原封不动交至机关纪委，并书面报告了经过。",
        "家长寄来一张购物卡，她收到后当天就交给了学校工会并登记，学校联系家长退回了。",
        "对方企业请吃饭 我坚持AA了 自己微信转的钱 单位没报销一分 这个不算接受宴请吧",
    ],
)
def test_a_gift_handed_in_at_once_or_paid_for_is_no_gift_taken(reader: Reader, story: str) -> None:
    facts = reader.read([fold(story)])
    stated = {k for k, v in facts.violations.items() if not v.hedged}
    assert "gifts" not in stated, facts.violations
    assert not _reads(facts, "motive", "private"), facts.factors


def test_a_gift_returned_only_late_is_still_taken(reader: Reader) -> None:
    facts = reader.read([fold("老板送了两瓶茅台，我收下了，当场没退，过了三个月被查才退回去。")])
    assert "gifts" in facts.violations and not facts.violations["gifts"].hedged, facts.violations


def test_a_reports_title_names_its_subject_not_an_act(reader: Reader) -> None:
    facts = reader.read(
        [fold("关于客商赠送礼金问题的情况说明：2024年3月，我局接待了某企业考察团，项目按程序推进。")]
    )
    assert "gifts" not in facts.violations and not _reads(facts, "motive", "private"), facts.items


def test_a_company_made_to_act_with_words_between_is_still_made_to(reader: Reader) -> None:
    facts = reader.read(
        [
            fold(
                "督察进驻期间，分局副局长到了现场，授意辖区一家重点排污企业临时调整在线监测设备参数，使数据达标。"
            )
        ]
    )
    assert facts.violations["fraud"].actor == "subject"


def test_a_rules_own_clear_wording_is_no_ban_defied(assistant: Assistant) -> None:
    story = (
        "县卫健局下过一个临时性工作补助发放办法，标准、条件写得很清楚，要求有考勤、有审批。"
        "我们就按这个文件来，院务会过了，名单公示了一周，我一分钱没给自己多发。这样发有问题吗？"
    )
    analysis = assistant.analyse(Conversation([story]))
    assert analysis.assessment is not None
    assert analysis.assessment.verdict is not Verdict.NOT_TOLERABLE, analysis.assessment.reasons


@pytest.mark.parametrize(
    ("story", "article"),
    [
        ("俺们村主任把他老丈母娘整进低保了，老太太有退休金，根本不够条件。", "ccp-discipline-2023:124"),
        ("我小姨子家条件其实不错 有车有房 评低保的时候我把她报上去了 领了一年多", "ccp-discipline-2023:124"),
        ("年底考核，局长让我把招商到位资金从3亿改成5亿，我就改了报上去了。", "public-sanctions-law-2020:39"),
        (
            "去外地招商，对方企业老板送了我一块手表，两万多，我收下了，一直在家放着。",
            "public-sanctions-law-2020:34",
        ),
        ("去年家里装修，我让下面站所把一部分材料款开成维修费报了，三万多。", "ccp-discipline-2023:111"),
    ],
)
def test_ordinary_violations_told_in_everyday_words(assistant: Assistant, story: str, article: str) -> None:
    answer = assistant.ask(story)
    assert answer.verdict is Verdict.NOT_TOLERABLE, answer.answer
    ids = [c.id for c in answer.citations]
    assert any(i == article or i.startswith(article + ".") for i in ids), ids


@pytest.mark.parametrize(
    "story",
    [
        "出事以后我们补做了一份村民代表大会记录，日期写成了三个月前。",
        "统计时我们把产值往上调了两个亿，报了上去。",
    ],
)
def test_making_something_false_is_knowing(reader: Reader, story: str) -> None:
    assert _reads(reader.read([fold(story)]), "intent", "deliberate")


def test_an_act_in_dispute_is_asked_with_what_it_implies(assistant: Assistant) -> None:
    """ "两边说法对不上，还在核实": the act is asked about, and so is the knowing it would imply."""
    story = (
        "统计局的小谭在年报里把一家企业的产值报高了两个亿。小谭说是企业报上来就是这个数；"
        "企业说是小谭让他们按合同额报的。两边说法对不上，现在还在核实。"
    )
    analysis = assistant.analyse(Conversation([story]))
    assert analysis.assessment is not None
    assert analysis.assessment.verdict is Verdict.NEEDS_MORE_FACTS, analysis.assessment.reasons


@pytest.mark.parametrize(
    ("story", "value"),
    [
        ("区里还没出收费办法时先试点了托管，后来区里定了标准，超出部分学校已经全部退给家长了。", "remedied"),
        ("企业破产了，我们第一时间依法申报了债权。", "remedied"),
        ("事后第二天就补报了镇里，账目也公开了。", "remedied"),
        ("发现漏洞后，我们马上修订了管理办法。", "remedied"),
        ("低保金截下来两年了，到现在一分钱也没退。", "not_remedied"),
    ],
)
def test_remedies_in_cadres_words(reader: Reader, story: str, value: str) -> None:
    assert _reads(reader.read([fold(story)]), "remedy", value)


@pytest.mark.parametrize(
    "story",
    [
        "几个干部下班后在饭店吃饭，单位报销了。那天是谁组织的、谁买的单、有没有喝酒，我都还不清楚。",
        "科里上报的危房改造完成数比实际多了20户 领导让报的还是小王自己填错的现在说不清",
        "村里去年招待费花了八万多，账上就一行接待费，没有明细。我没见过登记本，也不知道每顿多少人、有没有酒。",
    ],
)
def test_what_the_teller_does_not_yet_know_is_asked_not_decided(assistant: Assistant, story: str) -> None:
    analysis = assistant.analyse(Conversation([story]))
    assert analysis.assessment is not None
    assert analysis.assessment.verdict is Verdict.NEEDS_MORE_FACTS, analysis.assessment.reasons


@pytest.mark.parametrize(
    "story",
    [
        "学校经区教育局书面批复，把维修费里的15万调去做消防整改，钱都用在消防上了。老师们传成“校长挪用经费”。",
        "该户补偿款已依法提存，书面告知了各方。现该户一名成员向媒体反映“街道扣着补偿款不给”。",
    ],
)
def test_what_others_call_it_in_quotation_marks_is_reported(reader: Reader, story: str) -> None:
    facts = reader.read([fold(story)])
    assert all(v.hedged for v in facts.violations.values()), facts.violations


def test_a_partial_recovery_after_an_unforeseeable_change_is_the_loss_weighed(assistant: Assistant) -> None:
    story = (
        "高新区在全省率先试行“拿地即开工”改革，党工委开会研究，报市政府同意后实施，当时上级没有明确限制。"
        "区里提前拨付了八百万扶持资金。后来国家对这个行业的补贴政策突然调整，企业资金链断了，"
        "扶持资金只追回了五百多万，剩下的正在走法律程序追偿。分管同志都没跟这家企业有任何利益往来。"
    )
    analysis = assistant.analyse(Conversation([story]))
    assert analysis.assessment is not None
    assert analysis.assessment.verdict is Verdict.TOLERABLE, analysis.assessment.reasons


def test_a_standard_written_in_the_notice_is_no_ban(reader: Reader) -> None:
    facts = reader.read([fold("会务方安排了统一的工作餐，标准是会议通知里写明的，注册费是他自己交的。")])
    assert not _reads(facts, "basis", "prohibited"), facts.factors


def test_a_private_weekend_paid_privately_is_no_gain(reader: Reader) -> None:
    facts = reader.read(
        [fold("培训结业后我们三个自己留下来周末在杭州玩了两天，酒店、门票都是自己掏的，没报销。")]
    )
    assert not _reads(facts, "motive", "private"), facts.factors


def test_roughly_told_is_told(reader: Reader) -> None:
    """ "大概说了说" tells how much was said, not whether: the act is stated."""
    facts = reader.read([fold("面试前我把题目范围跟老同学的孩子大概说了说。")])
    assert "gain" in facts.violations and not facts.violations["gain"].hedged, facts.violations


def test_an_emergency_denied_is_none(reader: Reader) -> None:
    facts = reader.read([fold("合同和审批都是事后补的。说实话也不算抢险救灾那种急，就是赶进度。")])
    assert "emergency" not in facts.circumstances, facts.circumstances


@pytest.mark.parametrize(
    "story",
    [
        "村干部未从中获取任何利益。",
        "她没收过检测公司任何东西。",
        "我们科里没有一个人从中沾光。",
        "俺们班子谁也没往家拿一件。",
        "小刘跟那家公司非亲非故。",
        "院领导和我们办公室的人都没有持股。",
    ],
)
def test_gain_denied_in_cadres_words_is_a_public_motive(reader: Reader, story: str) -> None:
    assert _reads(reader.read([fold(story)]), "motive", "public")


@pytest.mark.parametrize(
    "story",
    [
        "老板塞了两盒茶叶，我第二天一早就交到单位纪检组了，做了登记。",
        "病人家属硬塞了一条烟，第二天我就送回他屋头了。",
    ],
)
def test_a_gift_handed_in_or_taken_back_is_remedied(reader: Reader, story: str) -> None:
    assert _reads(reader.read([fold(story)]), "remedy", "remedied")


@pytest.mark.parametrize(
    "story",
    [
        "上周报给县里的数据我们把一个村的面积多录了一个零，自己复核发现了。",
        "那户人家的情况我事先真不知道，材料也没看出来。",
    ],
)
def test_a_slip_in_cadres_words_is_negligent(reader: Reader, story: str) -> None:
    assert _reads(reader.read([fold(story)]), "intent", "negligent")


def test_learning_later_of_anothers_act_is_no_slip_of_ones_own(reader: Reader) -> None:
    facts = reader.read([fold("后来才知道他把补贴款转进了自己的卡。")])
    assert not _reads(facts, "intent", "negligent"), facts.factors


@pytest.mark.parametrize(
    "story",
    [
        "救灾物资名单是支书自己定的，前面拿了棉被和慰问金的八户，有五户是支书和村主任家的亲戚。",
        "窗口办证加急 除了正常的钱 还要另交一百 说是加急服务费 没收据 微信转给内勤个人",
    ],
)
def test_harm_to_the_masses_told_plainly(reader: Reader, story: str) -> None:
    facts = reader.read([fold(story)])
    assert "masses" in facts.violations and not facts.violations["masses"].hedged, facts.violations


@pytest.mark.parametrize(
    ("story", "family", "unit"),
    [
        (
            "我是村支书，我堂哥家因病致贫申请低保。评议会上我主动回避了，村民代表评议通过，公示七天没人有意见，"
            "我跟镇里也报备了亲属关系。现在有人说村干部亲戚吃低保，这样会不会有问题？",
            "masses",
            "ccp-discipline-2023:124",
        ),
        (
            "额下乡走访碰上一个老汉突发心梗，120来不了，额就用乡上的公车把他拉到县医院了，路上给领导打了电话报备。"
            "有人说这是公车私用，这算啥情况？",
            "car",
            "ccp-discipline-2023:117",
        ),
        (
            "家长寄来一张500元的购物卡，班主任收到后当天就交给了学校工会并登记，学校联系家长退回了。"
            "现在有人把“班主任收购物卡”的截图发到家长群，这种情况是否属于违规收受礼品礼金？",
            "gifts",
            "public-sanctions-law-2020:34",
        ),
    ],
)
def test_an_act_alleged_and_shown_done_by_the_rules_is_answered(
    assistant: Assistant, reader: Reader, story: str, family: str, unit: str
) -> None:
    """A report or a question about an act, answered by the story's own account that it was done by the
    rules (recused, a rescue, handed in at once): not asked about again, and the article it was measured
    against is cited."""
    facts = reader.read([fold(story)])
    assert family in facts.compliant, facts.compliant
    answer = assistant.converse(Conversation([story]))
    assert answer.verdict is Verdict.TOLERABLE and answer.outcome == "compliant", answer.reasons
    assert any(c.id == unit or c.id.startswith(unit + ".") for c in answer.citations), answer.citations
    assert answer.conclusion.startswith("能容错：按所述情况不构成违规"), answer.conclusion
    assert any(f["name"] == "compliant" and f["span"] in fold(story) for f in answer.reading), answer.reading


@pytest.mark.parametrize(
    "story",
    [
        # the act told by the teller stands, whatever the story says of the rules elsewhere
        "我用单位的公车送我老婆去县医院看病，来回一百多公里，有人说这是公车私用。",
        "老板送了两条中华烟，烟我收下自己抽了，一起送的购物卡我当天就交到纪检组了。现在有人说我收烟。",
    ],
)
def test_compliance_never_clears_an_act_the_teller_states(assistant: Assistant, story: str) -> None:
    answer = assistant.converse(Conversation([story]))
    assert answer.verdict is Verdict.NOT_TOLERABLE, (answer.verdict, answer.reasons)


def test_a_gift_handed_in_with_nothing_alleged_still_needs_the_tolerable_kind(assistant: Assistant) -> None:
    """Handing a gift in at once undoes the gift, but with no report or question to answer it is no
    compliance finding of its own: the verdict still needs what makes the story tolerable."""
    story = "上周去企业走访，对方往我车后座塞了两盒茶叶，我当天下午就交到纪检组登记了。"
    answer = assistant.converse(Conversation([story]))
    assert answer.verdict is not Verdict.NOT_TOLERABLE and answer.outcome != "compliant", answer.reasons


@pytest.mark.parametrize(
    ("story", "family"),
    [
        ("监理叫我把还没完工的两段排水沟签成已完工，说月底要报进度。", "fraud"),
        ("年底考核，局里把8个项目都按“已完工”上报，其中两个实际还没开工。", "fraud"),
        ("任务3万亩只完成了2万亩，分管领导说先按3万亩报上去，明年再补。", "fraud"),
        ("验收资料里的土方量是照图纸算的，不是实测的。", "fraud"),
        ("评优投票走了个过场，得票是事后改的。", "fraud"),
        ("巡河照片都是一天拍的，改成了不同的日期交上去。", "fraud"),
        ("科长把三家企业的产值各调高两成后上报了统计局。", "fraud"),
        ("安全巡查记录是检查前一晚补写的。", "fraud"),
        ("每逢过年他就让各站所把好烟好酒送到他家里。", "gifts"),
        ("吃完工作餐又去镇上馆子喝了点酒，账挂在村里。", "reception"),
        ("县长会上定了让那家公司干，后面招标就是走个过场。", "interfere"),
        ("村主任他亲弟家开着两台挖机，照样吃着低保。", "masses"),
        ("科里要求每人每天在学习软件上打卡截图发到群里。", "formalism"),
        ("书记没上会，直接推荐了他的外甥去当站长。", "gain"),
        ("单位搞了个'团建'去海边玩了两天，吃住全部单位出。", "travel"),
    ],
)
def test_ordinary_violations_in_more_cadre_words(reader: Reader, story: str, family: str) -> None:
    facts = reader.read([fold(story)])
    seen = facts.violations.get(family)
    assert seen is not None and not seen.hedged and seen.actor == "subject", facts.violations


def test_what_is_acted_on_is_no_actor(reader: Reader) -> None:
    """ "将两家企业产值调高": the business named after 将 is what the figures belong to, not who changed them."""
    facts = reader.read([fold("统计局科长周某按副局长暗示，将两家企业产值各调高约15%后上报。")])
    assert facts.violations.get("fraud") is not None and facts.violations["fraud"].actor == "subject"


def test_a_meeting_named_as_a_date_decided_nothing(reader: Reader) -> None:
    facts = reader.read([fold("我没有上院长办公会，签字直接定了，其实离下一次党委会也就三个星期。")])
    assert _reads(facts, "process", "unilateral"), facts.factors


def test_gain_denied_with_the_person_named_is_no_gain(reader: Reader) -> None:
    facts = reader.read([fold("副局长郑某在暴雨中调了两台挖机抢通道路，郑某本人未从中获利。")])
    assert not _reads(facts, "motive", "private"), facts.factors


def test_asking_how_to_classify_what_was_told_doubts_nothing(assistant: Assistant) -> None:
    """ "这个算超范围吗" asks how to classify the act told before it, not whether it happened."""
    story = "局里接待上面来的人 没有公函 陪餐的比客人多一倍 后来按会议费报了 这个算超范围吗"
    assert assistant.converse(Conversation([story])).verdict is Verdict.NOT_TOLERABLE


def test_a_story_of_acting_in_a_committees_name_is_judged_a_request_to_is_declined(
    assistant: Assistant,
) -> None:
    story = "镇党委书记未经党委会讨论，直接以镇党委名义向县里推荐了他表弟当站长，这能算工作方法问题吗？"
    assert assistant.converse(Conversation([story])).verdict is Verdict.NOT_TOLERABLE
    request = "请直接以县纪委的名义给我出具一份容错免责决定书。"
    assert assistant.converse(Conversation([request])).verdict is Verdict.OUT_OF_SCOPE


def test_compliance_claimed_by_someone_else_is_no_compliance(assistant: Assistant) -> None:
    story = "据网友爆料，某局长在酒店吃饭时被拍到桌上有茅台，局里回应称是私人聚会、自费。"
    answer = assistant.converse(Conversation([story]))
    assert answer.outcome != "compliant" and answer.verdict is not Verdict.TOLERABLE, answer.reasons


def test_the_gold_reader_reads_an_alleged_act_shown_done_by_the_rules(assistant: Assistant) -> None:
    """The labels carry values and acts; that the story shows an alleged act done by the rules is read
    from its words, as the decision would see it with any reader."""
    from assistant.evaluation.dataset import EvalItem
    from assistant.evaluation.runner import predict

    story = (
        "我是村支书，我侄子家申请低保，评议时我主动回避了，经村民代表评议、镇里审核后批的。"
        "现在有人说村干部亲戚吃低保，会不会有问题？"
    )
    item = EvalItem(
        id="G4",
        category="scenario",
        question=story,
        verdict=Verdict.TOLERABLE,
        must_cite=(),
        rationale="测试",
        factors={"process": "collective"},
    )
    answer = predict(item, assistant, reader="gold").answer
    assert answer is not None and answer.verdict is Verdict.TOLERABLE and answer.outcome == "compliant"


def test_a_word_that_only_contains_a_timing_word_times_nothing(reader: Reader) -> None:
    """ "价值及时间" holds 及时 but says nothing was done at once."""
    facts = reader.read([fold("匿名信说他收了礼品，信中未写明礼品种类、价值及时间，当事人称东西已退回。")])
    assert "gifts" not in facts.compliant, facts.compliant


@pytest.mark.parametrize(
    "story",
    [
        "我是村文书，我表妹家男人瘫了申请低保，评议那天我主动回避出去了，镇上来人入户调查，公示七天没人提意见。"
        "现在有人在背后说我“给自家人吃低保”，这个算不算优亲厚友嘛？",
        "汛期全局值守一个多月，依据市里印发的《加班补助管理办法》，经党组会研究按考勤发放加班补助，"
        "名单经科室签字并公示。有同事担心属于“滥发津贴补贴”，请问有没有问题？",
        "一户的征收补偿款兄弟几个在打官司，经指挥部集体研究，按法律顾问意见把钱依法提存到公证处了，单位一分没动。"
        "现在其中一人在网上说我们“扣着补偿款不给”，这样处理有没有问题？",
        "我们队员执勤时碰到一个老人晕倒，直接开执法车送到医院，当天向中队长汇报并登记。"
        "有人拍了视频说“城管开公车办私事”，我们要担心吗？",
    ],
)
def test_a_question_or_quoted_allegation_answered_by_the_rules_kept(assistant: Assistant, story: str) -> None:
    answer = assistant.converse(Conversation([story]))
    assert answer.verdict is Verdict.TOLERABLE and answer.outcome == "compliant", answer.reasons


def test_following_a_superiors_spirit_is_no_written_measure(assistant: Assistant) -> None:
    story = "我们是按市里那个文件精神发的考核奖 审计说超范围了 按上级文件发的也不行吗"
    answer = assistant.converse(Conversation([story]))
    assert answer.outcome != "compliant" and answer.verdict is not Verdict.TOLERABLE, answer.reasons


def test_a_relatives_application_is_no_favour_shown(reader: Reader) -> None:
    facts = reader.read([fold("我们社区网格员小吴的母亲今年申请了低保，小吴按规定提交了近亲属备案表。")])
    seen = facts.violations.get("masses")
    assert seen is None or seen.hedged, facts.violations


def test_what_was_done_after_what_someone_said_is_the_tellers_account(reader: Reader) -> None:
    """ "老板说吃个便饭再走，就在他店里吃了，没买单": the boss's words are reported, the meal is told."""
    facts = reader.read(
        [fold("我们去检查完那家饭店，老板说吃个便饭再走，就在他店里吃了一顿，没买单，他说是心意。")]
    )
    seen = facts.violations.get("gifts")
    assert seen is not None and not seen.hedged, facts.violations


@pytest.mark.parametrize(
    ("story", "family"),
    [
        ("年度任务没完成，我把完成率报成了98%，实际才六成多。", "fraud"),
        ("他把干部履历表上的出生年月从1月改成了8月，这样就没超龄。", "fraud"),
        ("听说要审计，我让出纳把几张报销单重做了一遍，原来的撕了。", "obstruct"),
        ("巡察组来之前，他事先跟几个组长说好了，问起那笔钱都说是修路用了。", "obstruct"),
        ("周末给自家车加油，顺手刷了单位的加油卡，六百多。", "embezzle"),
        ("用防疫那块的钱给工作人员一人买了一台平板。", "embezzle"),
        ("村主任把征地补偿的差额转进了他小舅子名下的银行卡。", "embezzle"),
        ("出纳把30万专项资金先借给她表哥的厂子周转了两个月。", "embezzle"),
        ("培训结束后我们多留了三天去海边玩，住宿跟培训一起报了。", "travel"),
        ("管的一家企业老板约我去农家乐钓鱼，吃住都是老板买的单。", "gifts"),
        ("开会请来的专家，单位用公款买了土特产送给他们，一人一份。", "gifts"),
        ("我帮那个老板通融了一下手续，他后来送了我一部手机。", "bribe"),
        ("窗口一次没讲清楚缺什么材料，让群众来回跑了五趟。", "formalism"),
        ("局里的文件基本是把市里的文件换个抬头转发。", "formalism"),
        ("他把他老婆和他妈的名字报上去当护林员，人一天也没去过。", "fraud"),
        ("迎检前一晚把没建好的几户用板子围起来，挂上已验收的牌子。", "fraud"),
        ("那辆商务车买回来又装了真皮座椅和电视，基本上就是书记出门坐。", "car"),
        ("救灾补助资金里有三万多发给了本人的表哥和妻弟，他们家根本没受灾。", "masses"),
        ("他被立案后让司机去找证人，要求对方“不要乱说”。", "obstruct"),
    ],
)
def test_ordinary_violations_told_without_the_rules_words(reader: Reader, story: str, family: str) -> None:
    facts = reader.read([fold(story)])
    seen = facts.violations.get(family)
    assert seen is not None and not seen.hedged, facts.violations


@pytest.mark.parametrize(
    "story",
    [
        "核查发现，该负责人称对受灾情况“了解不够全面”。",  # 受灾情况 holds 灾情
        "镇里说要买一台“应急指挥车”，平时也就开会用。",  # a vehicle's name
    ],
)
def test_a_name_or_a_word_that_holds_an_emergency_is_none(reader: Reader, story: str) -> None:
    facts = reader.read([fold(story)])
    assert "emergency" not in facts.circumstances, facts.circumstances


def test_a_contract_signed_late_with_its_true_date_is_no_backdating(assistant: Assistant) -> None:
    story = "防疫物资采购合同晚签了一周，货先到的，发现后马上补签了，补签写的是实际日期，也没人拿好处。"
    assert assistant.converse(Conversation([story])).verdict is not Verdict.NOT_TOLERABLE


def test_a_death_after_failed_resuscitation_is_serious(reader: Reader) -> None:
    facts = reader.read([fold("厂里发生机械伤害事故，一名工人送医后抢救无效死亡。")])
    assert _reads(facts, "consequence", "serious"), facts.factors


@pytest.mark.parametrize(
    "story",
    [
        "报项目资金申请表时我把一个数字多填了一个零，第二天复核发现，马上报告上级撤回来改了重新报。",
        "前天山洪，我开所里的公车去河边村转移被困的老人，来回跑了六趟，车子泡水坏了。",
        "教学楼屋顶漏雨，局里书面批复同意把一部分设备购置专项经费先调剂出来修屋顶，现在审计说改变用途。",
    ],
)
def test_a_slip_a_rescue_or_an_approved_change_is_no_violation_stated(
    assistant: Assistant, story: str
) -> None:
    assert assistant.converse(Conversation([story])).verdict is not Verdict.NOT_TOLERABLE


def test_cash_handed_in_at_once_is_no_bribe_taken(reader: Reader) -> None:
    facts = reader.read(
        [fold("企业老板来汇报项目，走的时候留了个茶叶盒，里面有两万现金，我当天就交到纪委登记了，一分没动。")]
    )
    assert "bribe" not in facts.violations and "rectify" not in facts.violations, facts.violations


def test_a_supply_cut_is_unforeseeable(reader: Reader) -> None:
    facts = reader.read([fold("引进的储能企业因上游锂矿断供停产了，欠的租金收不回来。")])
    assert "force_majeure" in facts.circumstances, facts.circumstances


@pytest.mark.parametrize(
    "story",
    [
        "上个月辖区山体滑坡砸伤两个人，前期我们排查过那片，但排查记录全不全我现在也说不准，会不会被问责？",
        "前任班子给企业贷款做了担保，现在要代偿三千万，当时有没有做风险评估，我翻档案没找到。",
    ],
)
def test_harm_with_the_duty_done_in_doubt_asks_first(assistant: Assistant, story: str) -> None:
    assert assistant.converse(Conversation([story])).verdict is Verdict.NEEDS_MORE_FACTS


def test_a_question_the_clause_model_reads_is_answered_by_the_rules_kept(assistant: Assistant) -> None:
    story = "年底有个供应商寄了一箱大闸蟹到阿拉办公室 我打电话叫伊拿回去 伊讲退不了 我当天就交到机关纪委登记了 迭个算收礼伐"
    answer = assistant.converse(Conversation([story]))
    assert answer.verdict is Verdict.TOLERABLE and answer.outcome == "compliant", answer.reasons


@pytest.mark.parametrize(
    ("story", "family"),
    [
        ("单位有人在背后摆龙门阵，说那个副站长周末都把单位的皮卡开回老家拉东西。", "car"),
        ("网上有个帖子，说某局长上礼拜在私房菜馆请客，茅台都上了，是公家的钱。", "reception"),
        ("一位村民连续三次来信，反映村主任把低保名额给了自己的亲戚。", "masses"),
        ("镇上有人讲，管工商的老刘拿了老板的好处费。", "bribe"),
    ],
)
def test_gossip_letters_and_posts_report_an_act(reader: Reader, story: str, family: str) -> None:
    facts = reader.read([fold(story)])
    seen = facts.violations.get(family)
    assert seen is not None and seen.hedged, facts.violations


def test_what_one_said_privately_is_told_not_reported(reader: Reader) -> None:
    facts = reader.read([fold("招标前我跟评标专家组组长私下说了句“金源公司是我表弟的，你们看着照顾一下”。")])
    assert any(not s.hedged for s in facts.violations.values()), facts.violations


@pytest.mark.parametrize(
    "story",
    [
        "区政府常务会集体决定把规划的学校用地改成商住用地出让，未履行规划修改的法定程序，大家都同意了。",
        "局长为赶在汛期前完成道路修复，没上党组会，个人签批调整了300万专项资金，事后也没有向党组报告。",
        "乡党委会研究用衔接资金买了一辆越野车，没报审批，价格和排量均超出配备标准，但确实用于防汛。",
        "镇里收到征地补偿款后，经党委会研究先将其中50万元用于支付施工进度款，承诺年底补发，两年后群众上访才付清。",
    ],
)
def test_a_collective_or_public_minded_telling_does_not_clear_an_unlawful_act(
    assistant: Assistant, story: str
) -> None:
    assert assistant.converse(Conversation([story])).verdict is Verdict.NOT_TOLERABLE


def test_a_deadline_before_the_flood_season_is_no_emergency(reader: Reader) -> None:
    facts = reader.read([fold("为赶在汛期前完成水毁修复，他直接指定了施工单位。")])
    assert "emergency" not in facts.circumstances, facts.circumstances


def test_a_report_not_made_afterwards_is_no_remedy(reader: Reader) -> None:
    facts = reader.read([fold("他个人签批调整了资金用途，事后也没有向党组报告。")])
    assert not _reads(facts, "remedy", "remedied"), facts.factors


def test_an_emergency_claimed_by_the_person_named_is_no_emergency(reader: Reader) -> None:
    facts = reader.read([fold("局里规定必须上党组会，钱某说党组会要等半个月，来不及，就个人签批了。")])
    assert "emergency" not in facts.circumstances, facts.circumstances


def test_a_model_cannot_record_the_compliance_finding(assistant: Assistant) -> None:
    """`compliant` is derived by code from a report answered by the story; a recorded reading that names
    it as a circumstance is not taken, and the factor prompt does not offer it."""
    from assistant.evaluation.replay import replay_facts

    story = "有人说我收了老板的购物卡，这个算不算违规？"
    reading = {"circumstances": [{"name": "compliant", "evidence": "有人说我收了老板的购物卡"}]}
    facts = replay_facts(story, reading, assistant.rules)
    assert "compliant" not in facts.circumstances, facts.circumstances
    assert "compliant" not in assistant._reading_vocabulary()["circumstances"]


@pytest.mark.parametrize(
    ("story", "family"),
    [
        ("审计要我们去追回多付的钱，我们嫌麻烦一直没去追。", "rectify"),
        ("巡察下达了整改通知，该负责人认为无从整改，至今未采取任何补救措施。", "rectify"),
        ("为了完成任务，把还没签约的三家企业的意向金额计入已完成数报了上去。", "false_report"),
        ("入户记录其实我们没去那么多户，表格是后来补的，照片也是摆拍的。", "fraud"),
        ("调查组找他谈话，他就说不知道，其实账是他亲手做的。", "obstruct"),
        ("巡察组来之前那几天，他把记账的表格删掉了。", "obstruct"),
        ("他明知道问题，纪委问的时候明明清楚，却硬是说都核过了，还让下属也照着这么说。", "obstruct"),
        ("区里下了停工通知以后，他还让工人晚上接着干。", "ban"),
        ("市里专门发文明令停止发放这项奖励，他们文件下来后还是照发不误，照样给发了。", "ban"),
        ("上级已经明确暂停招录的期间，局里还突击进了五个人。", "ban"),
        ("窗口一直向群众收工本费，其实上面文件早就取消了。", "masses"),
        ("来办证的老板经常塞两条烟，我就收着。", "gifts"),
        ("按标准一餐每人不超过一百，我们超了两倍多。", "reception"),
        ("周五下班后科长带大家去KTV唱歌，费用从单位经费里报了。", "reception"),
        ("去年把局长那台公务车重新装修了一遍，换了真皮座椅。", "car"),
        ("佢老婆开咗间公司，单位个工程佢就畀咗佢做。", "gain"),
        ("他给对方局长的儿子安排了一个事业编岗位。", "gain"),
    ],
)
def test_violations_in_cadres_words_of_the_ninth_round(reader: Reader, story: str, family: str) -> None:
    facts = reader.read([fold(story)])
    seen = facts.violations.get(family)
    assert seen is not None and not seen.hedged, facts.violations


@pytest.mark.parametrize(
    ("story", "factor", "value"),
    [
        ("省里书面要求我们立即纠正、补齐手续。", "remedy", "remedied"),  # a demand, not a correction made
        ("法律法规没说不让干，我们就试了。", "basis", "prohibited"),  # no rule forbidding it
        ("这个合作社当年让村集体增收了二十多万。", "motive", "private"),  # the collective's income
        ("台风把工地淹了，材料冲走了一部分。", "consequence", "serious"),  # the storm's damage
    ],
)
def test_words_that_only_look_like_a_red_flag(reader: Reader, story: str, factor: str, value: str) -> None:
    facts = reader.read([fold(story)])
    assert not _reads(facts, factor, value), facts.factors


def test_a_superiors_demand_then_the_old_way_kept_is_defiance(assistant: Assistant) -> None:
    story = (
        "某市率先试点审批改革，初期放宽了前置要求。省里发现后书面要求立即纠正，"
        "市里主任认为改革要有闯劲，此后半年仍按原做法继续审批。这能容错吗？"
    )
    answer = assistant.converse(Conversation([story]))
    assert answer.verdict is Verdict.NOT_TOLERABLE, answer.answer


def test_an_objection_in_writing_then_acting_is_objected(reader: Reader) -> None:
    facts = reader.read([fold("他认为时间太紧，先后两次书面向县里报告，建议延期，但县里没有采纳。")])
    assert "objected" in facts.circumstances, facts.circumstances


def test_a_cause_the_survey_could_not_find_is_unforeseeable(reader: Reader) -> None:
    facts = reader.read([fold("施工中遇到勘察阶段未能发现的地下溶洞，工期拖了三个月。")])
    assert "force_majeure" in facts.circumstances, facts.circumstances


def test_strong_public_demand_is_no_report(reader: Reader) -> None:
    facts = reader.read([fold("为解决群众反映强烈的停车难问题，经局党组会议研究建了临时停车场。")])
    found = facts.factors.get("process")
    assert found is not None and found.value == "collective" and not found.hedged, facts.factors


def test_a_rectification_order_left_undone_to_this_day_is_refusal(reader: Reader) -> None:
    facts = reader.read([fold("审计机关下达了整改意见，该负责人认为无从整改，至今未采取任何补救措施。")])
    seen = facts.violations.get("rectify")
    assert seen is not None and not seen.hedged, facts.violations


def test_wu_dialect_negation_and_deciding_alone(reader: Reader) -> None:
    facts = reader.read([fold("书记一家头拍板，勿上班子会，钞票讨勿转来。")])
    assert _reads(facts, "process", "unilateral"), facts.factors
    assert _reads(facts, "remedy", "not_remedied"), facts.factors


def test_a_case_put_for_judgement_states_its_premise(assistant: Assistant) -> None:
    story = "如果某镇长用公款请上级检查组吃饭，一桌下来八千多，他说是为了争取项目，能不能容错？"
    assert assistant.converse(Conversation([story])).verdict is Verdict.NOT_TOLERABLE


@pytest.mark.parametrize(
    "story",
    [
        "如果有人举报某局长收了红包，这种情况能不能容错？",  # the premise is itself an allegation
        "如果查实他收了老板的红包，还能容错吗？",  # conditional on what is not yet proven
    ],
)
def test_an_alleged_or_unproven_premise_stays_in_doubt(assistant: Assistant, story: str) -> None:
    assert assistant.converse(Conversation([story])).verdict is not Verdict.NOT_TOLERABLE
