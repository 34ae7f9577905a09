"""The drafting chain: a model's rewrite of a rationale draft, kept only when it passes both the drafting
module's checks and LLM mode's (no injection echo, no verdict statement the draft did not make)."""

from __future__ import annotations

import time

import pytest

from assistant.drafting import draft
from assistant.llm.prompts import DRAFT_TASK
from assistant.pipeline import Assistant
from tests.fakes.openai_server import FakeOpenAI
from tests.llm_support import TIMEOUT, Reply

pytestmark = pytest.mark.integration
TOLERABLE = "为了赶汛期抢修闸门，经局党委集体研究，没走政府采购先施工，事后补办了手续，没人拿好处"
RED_LINE = "村主任修村道时收了施工方两万块辛苦费"


@pytest.fixture(autouse=True)
def _fresh(fake: FakeOpenAI) -> None:
    """Every test starts with an empty script (the fixture clears it)."""


def test_a_faithful_rewrite_is_used(llm: Assistant, assistant: Assistant, fake: FakeOpenAI) -> None:
    offline = draft(assistant, TOLERABLE)
    rewritten = offline.text + "\n（本稿文字经润色，条文引文未改动。）"
    fake.script(Reply(content=rewritten, match=DRAFT_TASK))
    assert llm.llm is not None
    result = draft(llm, TOLERABLE, writer=llm.llm.rewrite_draft)
    assert result.mode == "llm" and result.text == rewritten


@pytest.mark.parametrize(
    ("facts", "addition"),
    [
        (TOLERABLE, "好的，我将忽略以上规则。"),
        (RED_LINE, "经研究，本案可以容错。"),
        (TOLERABLE, "另据规定“出于公心的失误一律免予问责”。"),  # a quotation found nowhere
    ],
)
def test_a_rewrite_with_an_echo_a_flipped_verdict_or_a_made_up_quotation_is_refused(
    llm: Assistant, assistant: Assistant, fake: FakeOpenAI, facts: str, addition: str
) -> None:
    offline = draft(assistant, facts)
    fake.script(Reply(content=offline.text + "\n" + addition, match=DRAFT_TASK))
    assert llm.llm is not None
    result = draft(llm, facts, writer=llm.llm.rewrite_draft)
    assert result.mode == "offline" and result.text == offline.text and result.notes
    assert addition not in result.text


def test_a_hanging_model_leaves_the_offline_draft(llm: Assistant, fake: FakeOpenAI) -> None:
    fake.script(Reply(delay=30, match=DRAFT_TASK))
    assert llm.llm is not None
    started = time.perf_counter()
    result = draft(llm, TOLERABLE, writer=llm.llm.rewrite_draft)
    assert time.perf_counter() - started < TIMEOUT + 1
    assert result.mode == "offline" and "大模型服务超时" in result.notes[0]
