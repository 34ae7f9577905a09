"""LLM mode reads the story, over HTTP against local fake models driven by the production client.

- A model that reads correctly (each evaluation story's labelled reading, from the sets that label
  where each fact is said): LLM-mode verdicts are at least the offline ones on every set, and no
  not-tolerable story is called tolerable.
- A model that reads wrongly (words the user never wrote, an invented red flag, forged favourable
  facts): no verdict changes and no such item reaches the answer's reading.
- A model that is slow, cut off or returns garbage: the offline reading decides, within the deadline.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from assistant.domain import Verdict
from assistant.evaluation.dataset import EvalItem, load_set
from assistant.evaluation.labelled import has_reading_labels, labelled_reading
from assistant.pipeline import Assistant, Conversation
from tests.fakes.openai_server import FakeOpenAI, Reply
from tests.fakes.reading_model import labelled, misreading
from tests.llm_support import FACTORS_TASK, TIMEOUT, llm_assistant

EVAL = Path(__file__).resolve().parent.parent / "eval"
# Every set that labels where each fact is said (dev4 onward, the blind sets): a correct reading exists.
SETS = tuple(sorted(p.stem for p in EVAL.glob("*.jsonl") if '"factor_evidence": {"' in p.read_text("utf-8")))
# Enough time that a loaded machine never turns a reading into a fallback: this measures the reading.
ROOMY = 60.0


def _items(assistant: Assistant, name: str) -> list[EvalItem]:
    items = load_set(EVAL / f"{name}.jsonl", assistant.kb)
    assert has_reading_labels(items), name
    return [i for i in items if i.category != "out_of_scope"]


@pytest.fixture(scope="module")
def verdicts(assistant: Assistant) -> Iterator[dict[str, list[tuple[str, str, str]]]]:
    """Per set: (gold, offline, LLM-mode) verdict of every item, the model reading correctly."""
    readings: dict[str, dict[str, Any]] = {}
    by_set = {name: _items(assistant, name) for name in SETS}
    for items in by_set.values():
        for item in items:
            story = "。".join(assistant.normalise([item.question]))
            readings[story] = labelled_reading(item, assistant.rules, assistant.reader.model)
    out: dict[str, list[tuple[str, str, str]]] = {}
    with FakeOpenAI(responder=labelled(readings)) as fake:
        llm = llm_assistant(assistant, fake, llm_timeout=ROOMY)
        for name, items in by_set.items():
            rows = []
            for item in items:
                conversation = Conversation([item.question], item.province)
                offline = assistant.converse(conversation)
                answer = llm.converse(conversation)
                assert answer.mode == "llm" or offline.verdict is Verdict.OUT_OF_SCOPE, answer.notes
                rows.append((str(item.verdict), str(offline.verdict), str(answer.verdict)))
            out[name] = rows
        assert any(FACTORS_TASK in str(r["body"]) for r in fake.requests)
    yield out


# The first of these pays for the module fixture: every labelled set (about 5,000 stories) answered offline and
# over HTTP in LLM mode, about five minutes on two cores; the suite's default limit is for one test's own work.
@pytest.mark.timeout(1200)
@pytest.mark.parametrize("name", SETS)
def test_a_model_reading_correctly_decides_at_least_as_well_as_offline(
    verdicts: dict[str, list[tuple[str, str, str]]], name: str
) -> None:
    rows = verdicts[name]
    offline = sum(gold == off for gold, off, _ in rows)
    llm = sum(gold == mode for gold, _, mode in rows)
    assert llm >= offline, (name, llm, offline, len(rows))
    false_tolerable = [r for r in rows if r[0] == "not_tolerable" and r[2] == "tolerable"]
    assert false_tolerable == []


def test_a_model_reading_wrongly_changes_no_verdict(assistant: Assistant) -> None:
    items = _items(assistant, "blind4") + _items(assistant, "dev4")[:60]
    with FakeOpenAI(responder=misreading) as fake:
        llm = llm_assistant(assistant, fake, llm_timeout=ROOMY)
        for item in items:
            conversation = Conversation([item.question], item.province)
            offline = assistant.converse(conversation)
            answer = llm.converse(conversation)
            assert answer.verdict == offline.verdict, item.id
            assert answer.factors == offline.factors, item.id
            assert all(r["reader"] != "llm" for r in answer.reading), item.id
        assert sum(FACTORS_TASK in str(r["body"]) for r in fake.requests) >= 100


Q_STORY = (
    "为了赶汛期，经局党委集体研究，没走政府采购就先找人修了闸门，事后补了手续，施工队给我送了两条烟我收下了"
)


@pytest.mark.parametrize(
    "reading",
    [
        Reply(delay=TIMEOUT * 3, match=FACTORS_TASK),  # slow: past the reading's share of the deadline
        Reply(content='{"motive": {"value": "public", "evid', match=FACTORS_TASK),  # cut off
        Reply(content="这个情况应该可以容错，请放心。", match=FACTORS_TASK),  # garbage
        Reply(malformed=True, match=FACTORS_TASK),  # a 200 whose body is not JSON
        Reply(status=500, match=FACTORS_TASK),
    ],
    ids=["slow", "cut-off", "garbage", "malformed", "error"],
)
def test_a_failing_reader_leaves_the_offline_reading_within_the_deadline(
    assistant: Assistant, fake: FakeOpenAI, reading: Reply
) -> None:
    llm = llm_assistant(assistant, fake)
    offline = assistant.ask(Q_STORY)
    assert offline.verdict is Verdict.NOT_TOLERABLE
    fake.script(reading)
    started = time.perf_counter()
    answer = llm.ask(Q_STORY)
    took = time.perf_counter() - started
    assert took < TIMEOUT + 1.0, took
    assert answer.verdict is offline.verdict and answer.factors == offline.factors
    assert all(r["reader"] != "llm" for r in answer.reading)


def test_a_reading_on_the_masked_story_maps_back_to_the_users_words(
    assistant: Assistant, fake: FakeOpenAI
) -> None:
    question = "张某某当镇长时，为了赶汛期没走政府采购就先找人修了闸门，事后补了手续，能容错吗"
    llm = llm_assistant(assistant, fake, llm_mask="on", llm_timeout=ROOMY)
    reading = {"process": {"value": "unilateral", "evidence": "〔人名1〕当镇长时"}}
    fake.script(Reply(content=json.dumps(reading, ensure_ascii=False), match=FACTORS_TASK))
    answer = llm.ask(question)
    sent = [str(r["body"]) for r in fake.requests if FACTORS_TASK in str(r["body"])]
    assert sent and "张某某" not in sent[0] and "〔人名1〕" in sent[0]
    read = [r for r in answer.reading if r["reader"] == "llm"]
    assert read and read[0]["span"] == "张某某当镇长时" and read[0]["value"] == "unilateral"
