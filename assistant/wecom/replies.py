"""Short WeChat Work replies that answer the numbered follow-up questions or correct a factor.

"1 是" / "1 否" / "2 不清楚" pick the first, second or "don't know" answer offered for that question
(or an answer named in words: "1 是集体研究的"); "动机：为公" or "决策过程：集体研究" sets a factor.
Several may be given at once ("1 是，2 否"). Anything else is a plain sentence and is read as one.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

_NUMBERED = re.compile(r"(\d+)\s*[、.:：]?\s*([^\d，,；;。！!\s]+)")
_NUMBERED_ALL = re.compile(r"(?:\s*\d+\s*[、.:：]?\s*[^\d，,；;。！!\s]+\s*[，,；;。！!]?)+\s*")
_NAMED = re.compile(r"\s*([^:：，,；;。\s]+)\s*[:：]\s*([^:：，,；;。\s]+)\s*")
_SEPARATORS = re.compile(r"[，,；;。\n]+")


@dataclass
class Reply:
    """What a short reply says: values confirmed, and words to add as a turn (an answer with no value)."""

    confirmed: dict[str, str] = field(default_factory=dict)
    words: list[str] = field(default_factory=list)

    @property
    def question(self) -> str | None:
        return "；".join(self.words) if self.words else None


def parse_reply(text: str, follow_ups: list[dict[str, Any]], wording: dict[str, Any]) -> Reply | None:
    """The reply's meaning, or None for a plain sentence. ``follow_ups``: the last answer's numbered
    questions (structured); ``wording``: prompts/answer_layout.yaml (reply, value and factor words)."""
    plain = unicodedata.normalize("NFKC", text).strip()
    if not plain or len(plain) > 60:
        return None
    if follow_ups and _NUMBERED_ALL.fullmatch(plain):
        reply = Reply()
        for number, word in _NUMBERED.findall(plain):
            n = int(number)
            if not 1 <= n <= len(follow_ups):
                return None
            chosen = _choose(word, follow_ups[n - 1], wording)
            if chosen is None:
                return None
            if chosen.get("facts"):
                reply.confirmed.update(chosen["facts"])
            else:
                reply.words.append(chosen["label"])
        return reply
    return _named(plain, wording)


def _choose(word: str, follow_up: dict[str, Any], wording: dict[str, Any]) -> dict[str, Any] | None:
    """The offered answer a word picks: 是/否/不清楚 by position, or one named by its words."""
    answers = follow_up.get("answers", [])
    if not answers:
        return None
    kinds = wording["reply_words"]
    unknown = next((a for a in answers if "不清楚" in a["label"]), None)
    if word in kinds["unknown"]:
        return unknown
    for answer in answers:
        if word == answer["label"] or (len(word) >= 2 and word in answer["label"]):
            return answer
    for answer in answers:  # "1 集体研究": a value's own words
        for factor, value in answer.get("facts", {}).items():
            if word in wording["value_words"].get(factor, {}).get(value, []):
                return answer
    if word in kinds["first"]:
        return answers[0]
    if word in kinds["second"] and len(answers) > 1:
        return answers[1]
    return None


def _named(plain: str, wording: dict[str, Any]) -> Reply | None:
    """ "动机：为公；决策过程：集体研究" → those values; None unless every piece names a factor and a value."""
    factor_of = {w: f for f, words in wording["factor_words"].items() for w in words}
    reply = Reply()
    for piece in filter(None, (p.strip() for p in _SEPARATORS.split(plain))):
        m = _NAMED.fullmatch(piece)
        if m is None or m.group(1) not in factor_of:
            return None
        factor = factor_of[m.group(1)]
        choices = {**wording["value_words"].get(factor, {}), **wording["value_words"]["any"]}
        value = next((v for v, words in choices.items() if m.group(2) in words), None)
        if value is None:
            value = next((v for v, label in wording["values"][factor].items() if m.group(2) == label), None)
        if value is None:
            return None
        reply.confirmed[factor] = value
    return reply if reply.confirmed else None
