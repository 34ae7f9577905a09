"""The answer as a front end shows it: a conclusion line with the advisory statement beside it, the
follow-up questions with their likely answers, the six factors as a card with the user's own words,
the reasons, and (after a correction) what changed. Wording in prompts/answer_layout.yaml."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.corrections import APPLIED, ASKED, SAME, Correction
from assistant.cues import load_yaml
from assistant.domain import FACTOR_NAMES, FACTOR_VALUES, Answer, Assessment, Verdict
from assistant.reading.spans import users_words


@dataclass
class Layout:
    """The wording of the structured answer, and the follow-up questions it can recognise."""

    t: dict[str, Any]
    factor_labels: dict[str, str]
    questions: list[tuple[re.Pattern[str], str]]  # each follow-up question's template → its key

    @classmethod
    def load(cls, prompts_dir: Path, factor_labels: dict[str, str], asks: dict[str, str]) -> Layout:
        """``asks``: the follow-up questions of knowledge/rules/verdict.yaml, by key (some are templates)."""
        questions = []
        for key, template in asks.items():
            # "“{evidence}”——是否属于{name}？…" matches the question made from it, whatever the words.
            pattern = re.sub(r"\\\{\w+\\\}", ".+?", re.escape(template))
            questions.append((re.compile(f"^{pattern}$", re.S), key))
        return cls(load_yaml(prompts_dir / "answer_layout.yaml"), factor_labels, questions)

    @property
    def adverse(self) -> dict[str, str]:
        return dict(self.t["adverse"])

    @property
    def values(self) -> dict[str, dict[str, str]]:
        return {k: dict(v) for k, v in self.t["values"].items()}

    def asks(self, question: str) -> str | None:
        """Which follow-up (motive, process, confirm_violation …) a question of the assessor is."""
        return next((key for pattern, key in self.questions if pattern.match(question)), None)

    def fill(
        self,
        answer: Answer,
        assessment: Assessment | None,
        turns: list[str] | None = None,
        raw_turns: list[str] | None = None,
    ) -> None:
        """Set the answer's structured fields from its verdict and the assessment behind it; the card's
        words are mapped back from the normalised ``turns`` to the ``raw_turns`` the user typed."""
        answer.advisory = self.t["advisory"]
        c = self.t["conclusion"]
        verdict = answer.verdict
        if assessment is None or verdict in (Verdict.NOT_APPLICABLE, Verdict.OUT_OF_SCOPE):
            answer.conclusion = c[str(verdict)] if str(verdict) in c else c["out_of_scope"]
            return
        follow_ups = [self.follow_up(q) for q in answer.follow_up]
        if verdict is Verdict.TOLERABLE:
            answer.conclusion = c.get(f"tolerable_{answer.outcome}", c["tolerable"])
        elif verdict is Verdict.NOT_TOLERABLE:
            names = list(dict.fromkeys(r.name for r in assessment.red_lines))
            answer.conclusion = c["not_tolerable"] + ("：" + "；".join(names[:1]) if names else "")
        else:
            topics = list(dict.fromkeys(f["topic"] for f in follow_ups if f["topic"]))
            answer.conclusion = (
                c["needs_more_facts"].format(missing="、".join(topics))
                if topics
                else c["needs_more_facts_generic"]
            )
        answer.follow_ups = follow_ups
        answer.factor_card = self.card(answer, turns or [], raw_turns or [])
        answer.reasons = [self._unquoted(r, answer) for r in assessment.reasons] + [
            f"提示：{x}" for x in assessment.caveats
        ]
        answer.answer = self._unquoted(answer.answer, answer)

    @staticmethod
    def _unquoted(text: str, answer: Answer) -> str:
        """A confirmed value is the user's confirmation, not words of the story: never in quotation marks
        (the assessor quotes the evidence of whatever a reason rests on)."""
        for fv in answer.factors.values():
            if fv.confirmed:
                text = text.replace(f"“{fv.evidence}”", fv.evidence)
        return text

    def follow_up(self, question: str) -> dict[str, Any]:
        key = self.asks(question)
        spec = self.t["follow_ups"].get(key or "", {})
        answers = [{"label": a["label"], "facts": dict(a.get("facts", {}))} for a in spec.get("answers", [])]
        return {"question": question, "asks": key, "topic": spec.get("topic", ""), "answers": answers}

    def card(self, answer: Answer, turns: list[str], raw_turns: list[str]) -> list[dict[str, Any]]:
        """The six factors: each value, the user's words it was read from, and the values to choose from."""
        values = self.values
        out = []
        for name in FACTOR_NAMES:
            fv = answer.factors.get(name)
            if fv is None:
                continue
            out.append(
                {
                    "factor": name,
                    "label": self.factor_labels.get(name, name),
                    "value": fv.value,
                    "value_label": values[name][fv.value],
                    "words": "" if fv.confirmed else _as_typed(fv.evidence, turns, raw_turns),
                    "confirmed": fv.confirmed,
                    "hedged": fv.hedged,
                    "in_question": False,  # set when a correction of it is asked about instead
                    "choices": [{"value": v, "label": values[name][v]} for v in FACTOR_VALUES[name]],
                }
            )
        return out

    def summarise(
        self,
        answer: Answer,
        corrections: list[Correction],
        before: Verdict | None,
        fresh: frozenset[str] | None = None,
    ) -> None:
        """Record the corrections on the answer and say what those of this message (``fresh``; None:
        all) changed, first in its text: 根据您的更正：决策过程改为集体研究，研判由需补充事实变为可以容错。"""
        if not corrections:
            return
        answer.corrections = [c.to_json() for c in corrections]
        asked = {c.factor for c in corrections if c.status == ASKED}
        for item in answer.factor_card:  # the card marks a factor whose correction is being asked about
            item["in_question"] = item["factor"] in asked
        if fresh is not None:
            corrections = [c for c in corrections if c.factor in fresh]
            if not corrections:
                return
        w = self.t["corrections"]
        names = self.t["verdict_names"]
        values = self.values
        parts = []
        for c in corrections:
            factor = self.factor_labels.get(c.factor, c.factor)
            if c.status == APPLIED:
                key = "unknown" if c.value == "unknown" else "changed"
                parts.append(w[key].format(factor=factor, value=values[c.factor][c.value]))
            elif c.status == SAME and c.value != "unknown":
                parts.append(w["same"].format(factor=factor, value=values[c.factor][c.value]))
            elif c.status == ASKED:
                parts.append(
                    w["asked"].format(
                        factor=factor,
                        words=c.words,
                        previous=values[c.factor][c.previous],
                        value=values[c.factor][c.value],
                    )
                )
        after = names[str(answer.verdict)]
        if before is not None and before is not answer.verdict:
            parts.append(w["verdict_changed"].format(before=names[str(before)], after=after))
        else:
            parts.append(w["verdict_same"].format(after=after))
        answer.changes = w["prefix"] + "，".join(parts) + "。"
        answer.answer = answer.changes + "\n" + answer.answer


def _as_typed(evidence: str, turns: list[str], raw_turns: list[str]) -> str:
    """The evidence in the words the user typed (it was read from the normalised turn)."""
    for turn, raw in zip(turns, raw_turns, strict=False):
        if evidence and evidence in turn:
            return users_words(evidence, turn, raw)
    return evidence
