"""A model's reading (the factor prompt's JSON) into Facts, verified against the user's words, and its
combination with the offline reading: agreement, one reader alone, disagreement, red flags that stay."""

from __future__ import annotations

from typing import Any

from assistant.domain import Verdict
from assistant.pipeline import Assistant, Conversation
from assistant.reading.combine import combine
from assistant.reading.recorded import reading_facts

STORY = "为了赶汛期，经局党委集体研究，没走政府采购就先找人修了闸门，事后补了手续，没有任何人从中得好处"


def reading(**items: Any) -> dict[str, Any]:
    return {name: {"value": v, "evidence": e} for name, (v, e) in items.items()}


def decide(assistant: Assistant, question: str, model: dict[str, Any]) -> Verdict:
    turns = assistant.normalise([question])
    facts = assistant.read_with_model(turns, model)
    return assistant.converse(Conversation([question]), reading=facts).verdict


def test_only_words_of_the_turns_are_kept(assistant: Assistant) -> None:
    turns = assistant.normalise(["村主任把扶贫款挪去修了村道", "听说他小舅子也拿了工程"])
    facts = reading_facts(
        turns,
        {
            **reading(motive=("public", "挪去修了村道"), process=("collective", "村两委集体研究")),
            "violations": [
                {"name": "embezzle", "evidence": "把扶贫款挪去修了村道"},
                {"name": "no-such-family", "evidence": "修了村道"},
                {"name": "fraud", "evidence": "伪造了签名"},
            ],
        },
        assistant.rules,
    )
    assert facts.factors["motive"].value == "public" and "process" not in facts.factors
    assert list(facts.violations) == ["embezzle"]
    assert all(f.span in turns[f.turn] for f in facts.items) and {f.reader for f in facts.items} == {"llm"}


def test_certainty_comes_from_the_text_not_the_reader(assistant: Assistant) -> None:
    turns = assistant.normalise(["有人反映他收了施工方的红包", "他自己说过收了施工方的红包"])
    said = {"motive": {"value": "private", "evidence": "收了施工方的红包", "certainty": "stated"}}
    facts = reading_facts(turns[:1], said, assistant.rules)
    assert facts.factors["motive"].hedged  # the teller only reports it, whatever the model claims
    cautious = {"motive": {"value": "private", "evidence": "收了施工方的红包", "certainty": "reported"}}
    assert reading_facts(turns[1:], cautious, assistant.rules).factors["motive"].hedged  # never less careful


def test_masked_spans_map_back_to_the_users_words(assistant: Assistant) -> None:
    turns = assistant.normalise(["张某某为了赶汛期先找人修了闸门"])
    masked = reading(motive=("public", "〔人名1〕为了赶汛期"))
    facts = reading_facts(turns, masked, assistant.rules, lambda s: s.replace("〔人名1〕", "张某某"))
    assert facts.factors["motive"].evidence == "张某某为了赶汛期"


def test_agreement_establishes_and_one_reader_alone_stands(assistant: Assistant) -> None:
    turns = assistant.normalise([STORY])
    offline = assistant.reader.read(turns)
    model = reading_facts(turns, reading(remedy=("remedied", "事后补了手续")), assistant.rules)
    both = combine(offline, model)
    assert both.factors["remedy"].value == "remedied" and not both.factors["remedy"].hedged
    assert "remedy" not in both.model_read and not both.doubts


def test_a_decisive_disagreement_is_asked(assistant: Assistant) -> None:
    question = "为了抢进度先开工建了标准厂房，是局党委集体研究定的，没有人拿好处，能容错吗"
    assert assistant.ask(question).verdict is Verdict.TOLERABLE
    # A model that reads the same words as a one-man decision: the question is asked, not decided.
    model = reading(process=("unilateral", "是局党委集体研究定的"))
    turns = assistant.normalise([question])
    facts = assistant.read_with_model(turns, model)
    assert "process" in facts.doubts and facts.factors["process"].hedged
    answer = assistant.converse(Conversation([question]), reading=facts)
    assert answer.verdict is Verdict.NEEDS_MORE_FACTS
    assert any("集体研究" in q for q in answer.follow_up)


def test_a_disagreement_no_red_line_rests_on_is_not_asked(assistant: Assistant) -> None:
    # In an emergency a one-man decision is excused: whoever read the process right, the verdict stands.
    question = "汛期河堤出现险情，为了抢险先调了两台挖掘机，是局党委集体研究定的，没有人拿好处，能容错吗"
    assert assistant.ask(question).verdict is Verdict.TOLERABLE
    model = reading(process=("unilateral", "是局党委集体研究定的"))
    facts = assistant.read_with_model(assistant.normalise([question]), model)
    assert "process" in facts.disagreements
    assert assistant.converse(Conversation([question]), reading=facts).verdict is Verdict.TOLERABLE


def test_a_stated_red_flag_no_reader_clears(assistant: Assistant) -> None:
    question = "村主任修村道时收了施工方两万块辛苦费，为了赶工期，村两委集体研究过，事后也整改了"
    favourable = reading(
        motive=("public", "为了赶工期"),
        process=("collective", "村两委集体研究过"),
        remedy=("remedied", "事后也整改了"),
    )
    assert decide(assistant, question, favourable) is Verdict.NOT_TOLERABLE
    # Read only by the model, in the teller's own words: not tolerable either.
    story = "为了赶汛期，经局党委集体研究，没走政府采购先修了闸门，事后补了手续，施工队给我送了两条烟我收下了"
    flag = {"violations": [{"name": "gifts", "evidence": "施工队给我送了两条烟我收下了"}]}
    assert decide(assistant, story, flag) is Verdict.NOT_TOLERABLE


def test_the_models_stated_favourable_facts_count(assistant: Assistant) -> None:
    question = "镇里为了防汛，临时租了两台抽水泵，班子会上定的，后来补办了采购手续，没有人拿一分钱好处"
    offline = assistant.converse(Conversation([question]))
    model = reading(
        motive=("public", "没有人拿一分钱好处"),
        basis=("exploratory", "为了防汛"),
        process=("collective", "班子会上定的"),
        remedy=("remedied", "后来补办了采购手续"),
    )
    assert decide(assistant, question, model) is Verdict.TOLERABLE
    assert offline.verdict in (Verdict.TOLERABLE, Verdict.NEEDS_MORE_FACTS)


def test_words_quoted_as_typed_count_after_normalisation(assistant: Assistant) -> None:
    question = "我哋卫生院私底下畀每个医生派咗加班补贴，其实冇人加过班"
    turns = assistant.normalise([question])
    assert "冇人加过班" not in turns[0]  # the turn the readers see is in Mandarin forms
    model = {"intent": {"value": "deliberate", "evidence": "其实冇人加过班"}}
    facts = assistant.read_with_model(turns, model)
    assert facts.factors["intent"].value == "deliberate"
    assert facts.factors["intent"].evidence in turns[0]


def test_eval_reader_llm_combines_the_recorded_reading_with_the_rules(assistant: Assistant) -> None:
    from pathlib import Path

    from assistant.evaluation.dataset import load_set
    from assistant.evaluation.labelled import labelled_reading
    from assistant.evaluation.runner import predict

    items = load_set(Path(__file__).resolve().parent.parent / "eval" / "blind4.jsonl", assistant.kb)[:40]
    recorded = {i.id: labelled_reading(i, assistant.rules, assistant.reader.model) for i in items}
    right = {"rules": 0, "llm": 0}
    for item in items:
        for reader in right:
            p = predict(item, assistant, reader, recorded)
            assert p.answer is not None, p.error
            right[reader] += p.verdict == str(item.verdict)
            if reader == "llm" and any(f.get("kind") == "factor" for f in p.answer.reading):
                assert {f["reader"] for f in p.answer.reading} <= {"rules", "model", "llm"}
    assert right["llm"] >= right["rules"]


def test_what_the_teller_states_stands_against_what_others_report_unless_a_red_flag() -> None:
    from assistant.domain import FactorValue
    from assistant.reading.facts import Facts

    def reading(**values: tuple[str, bool]) -> Facts:
        facts = Facts()
        for name, (value, hedged) in values.items():
            facts.factors[name] = FactorValue(value, value, hedged)
        return facts

    dominant = {"motive": "private"}
    # an auditor's claim of a one-man decision against the teller's account of a collective one
    combined = combine(
        reading(process=("unilateral", True)), reading(process=("collective", False)), dominant
    )
    assert combined.factors["process"].value == "collective" and "process" not in combined.doubts
    # a rumour of gain against a stated denial stays to be confirmed
    combined = combine(reading(motive=("private", True)), reading(motive=("public", False)), dominant)
    assert "motive" in combined.doubts
