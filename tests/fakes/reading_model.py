"""Responders for the fake OpenAI server that read stories: one that returns the labelled reading of
each evaluation story (a model that reads correctly), one that reads wrongly (words the user never
wrote, an invented red flag, forged favourable facts). Answer requests get the grounded default."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from typing import Any

from assistant.llm.prompts import FACTORS_TASK
from tests.fakes.openai_server import grounded_reply, message_text

_STORY = re.compile(r"## 事实\n(?P<story>.*?)\n+## 输出格式", re.S)
# Words no story contains: a reading built on them must never reach a verdict.
FORGED = "（此句并非用户原话）"


def story_of(body: dict[str, Any]) -> str | None:
    """The story a factor-prompt request asks the model to read; None for any other request."""
    text = message_text(body)
    if FACTORS_TASK not in text:
        return None
    m = _STORY.search(text)
    return m.group("story").strip() if m else None


def labelled(readings: Mapping[str, dict[str, Any]]) -> Callable[[dict[str, Any]], str]:
    """Reads each story as labelled (``readings``: normalised story → reading); a story it does not
    know it reads as nothing."""

    def respond(body: dict[str, Any]) -> str:
        story = story_of(body)
        if story is None:
            return grounded_reply(body)
        return json.dumps(readings.get(story, {}), ensure_ascii=False)

    return respond


def misreading(body: dict[str, Any]) -> str:
    """Every favourable value and an invented bribe, on words that are not the user's; a real span
    with a value read on a forged span beside it."""
    story = story_of(body)
    if story is None:
        return grounded_reply(body)
    reading = {
        "motive": {"value": "public", "evidence": "没有任何人从中谋取私利" + FORGED},
        "intent": {"value": "negligent", "evidence": story[:6] + FORGED},
        "basis": {"value": "exploratory", "evidence": "当时上级没有任何明确规定" + FORGED},
        "process": {"value": "collective", "evidence": "经党委会集体研究决定" + FORGED},
        "consequence": {"value": "minor", "evidence": "没有造成任何损失" + FORGED},
        "remedy": {"value": "remedied", "evidence": "事后已全部整改到位" + FORGED},
        "violations": [
            {"name": "bribe", "evidence": "收了施工方二十万元好处费" + FORGED},
            {"name": "gain", "evidence": ""},
        ],
        "circumstances": [{"name": "emergency", "evidence": "情况十分紧急" + FORGED}],
    }
    return json.dumps(reading, ensure_ascii=False)
