"""Self-test quizzes from the knowledge base: multiple choice and true/false, with answer keys.

Deterministic: the same seed gives the same quiz (random.Random(seed), pools in file order). Every
right option is the exact words of the unit it tests; a wrong option is another unit's words, named in
the key; a false statement swaps one key term (from prompts/draft_quiz.yaml) and the key quotes the
original. Altered wording is never put in quotation marks.
"""

from __future__ import annotations

import dataclasses
import json
import random
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from assistant.domain import Unit
from assistant.drafting.markdown import escape
from assistant.drafting.templates import QUIZ_FILE, load_templates
from assistant.errors import InputError, KnowledgeError
from assistant.knowledge import KnowledgeBase

LETTERS = "ABCD"
TRUE, FALSE = "正确", "错误"


@dataclass
class Question:
    """One quiz question, its answer and the clause it tests."""

    number: int
    kind: str  # "choice" or "truefalse"
    stem: str
    options: list[str]  # choice: the option texts (A–D); truefalse: [正确, 错误]
    answer: str  # choice: a letter; truefalse: 正确 or 错误
    explanation: str
    unit_id: str  # the unit tested (the right option's unit)
    unit_title: str
    verified: bool
    option_units: list[str] = field(default_factory=list)  # choice: the unit each option comes from


@dataclass
class Quiz:
    seed: int
    questions: list[Question]

    def to_json(self) -> str:
        """The quiz as one JSON document."""
        return json.dumps(
            {"seed": self.seed, "questions": [asdict(q) for q in self.questions]},
            ensure_ascii=False,
            indent=2,
        )

    def to_markdown(self) -> str:
        """The quiz as Markdown: questions first, then the answer key with the clause each tests."""
        out = [f"# “三个区分开来”容错纠错自测题（{len(self.questions)} 题，种子 {self.seed}）", ""]
        for q in self.questions:
            label = "单选题" if q.kind == "choice" else "判断题"
            out += [f"### {q.number}. （{label}）{escape(q.stem)}", ""]
            if q.kind == "choice":
                out += [f"{LETTERS[i]}. {escape(text)}  " for i, text in enumerate(q.options)]
                out.append("")
        out += ["## 答案与解析", ""]
        for q in self.questions:
            pending = "" if q.verified else "（条文待核）"
            key = f"{escape(q.explanation)} 考查条文：{escape(q.unit_title)}{pending}"
            out.append(f"{q.number}. **{q.answer}**。{key}（`{q.unit_id}`）")
        return "\n".join(out) + "\n"


def _title(kb: KnowledgeBase, unit: Unit) -> str:
    return f"《{kb.documents[unit.doc_id].title}》{unit.label}"


def _option(text: str) -> str:
    """A unit's words as an option: trailing punctuation dropped, so still an exact substring."""
    return text.strip().rstrip("；。;，,：:")


class _Maker:
    def __init__(self, kb: KnowledgeBase, spec: dict[str, Any], rng: random.Random) -> None:
        self.kb, self.spec, self.rng = kb, spec, rng

    def unit(self, unit_id: str) -> Unit:
        unit = self.kb.get(unit_id)
        if unit is None:  # the quiz data names units of the base; a missing one is a data error
            raise KnowledgeError(f"出题数据引用了知识库中不存在的条文：{unit_id}")
        return unit

    # -- multiple choice ------------------------------------------------------------------
    def choice_pool(self) -> list[tuple[str, Any]]:
        pool: list[tuple[str, Any]] = []
        for group in self.spec["choice"]:
            pool += [("choice", (group, uid, False)) for uid in group["answers"]]
            if group.get("stem_not"):
                pool += [("choice", (group, uid, True)) for uid in group["wrong"]]
        pool += [("pair", uid) for uid in self.spec["pairs"]["units"]]
        pool += [("scenario", case) for case in self.spec.get("scenarios", {}).get("cases", [])]
        return pool

    def scenario(self, number: int, case: dict[str, Any]) -> Question:
        """A case's facts in its own words, and the clause they fit among others' words."""
        unit = self.unit(case["unit"])
        start, end = unit.text.find(case["from"]), unit.text.find(case["to"])
        if start < 0 or end < start or case["conclusion"] not in unit.text:
            raise KnowledgeError(f"出题数据的案例摘句与条文不符：{unit.id}")
        facts = unit.text[start : end + len(case["to"])]
        right = self.unit(case["answer"])
        wrong = [self.unit(u) for u in case["wrong"]]
        entries = [(_option(right.text), right)] + [(_option(u.text), u) for u in wrong[:3]]
        title = _title(self.kb, unit)
        stem = self.spec["scenarios"]["stem"].format(title=title, facts=facts)
        question = self._mc(number, stem, entries, right)
        question.explanation = f"案例结论：“{case['conclusion']}”。" + question.explanation
        return question

    def choice(self, number: int, group: dict[str, Any], unit_id: str, converse: bool = False) -> Question:
        """One of a group's situations among others' (or, ``converse``, the one that is not)."""
        limit = self.spec["option_max_chars"]
        right = self.unit(unit_id)
        others = group["answers"] if converse else group["wrong"]
        wrong = [self.unit(u) for u in others if len(_option(self.unit(u).text)) <= limit and u != unit_id]
        picked = self.rng.sample(wrong, min(3, len(wrong)))
        entries = [(_option(right.text), right)] + [(_option(u.text), u) for u in picked]
        return self._mc(number, group["stem_not" if converse else "stem"], entries, right)

    def pair(self, number: int, unit_id: str) -> Question:
        spec = self.spec["pairs"]
        pattern = re.compile(spec["pattern"])
        found = {u: m for u in spec["units"] if (m := pattern.search(self.unit(u).text))}
        if unit_id not in found:
            raise KnowledgeError(f"出题数据的句式与条文不符：{unit_id}")
        match = found[unit_id]
        others = [u for u in found if u != unit_id]
        entries = [(match["right"], self.unit(unit_id))] + [(found[u]["right"], self.unit(u)) for u in others]
        # The fourth option: the tolerable half of another distinction, which is never what is set apart.
        extra = self.rng.choice(others)
        entries.append((found[extra]["left"], self.unit(extra)))
        return self._mc(number, spec["stem"].format(left=match["left"]), entries, self.unit(unit_id))

    def _mc(self, number: int, stem: str, entries: list[tuple[str, Unit]], right: Unit) -> Question:
        order = self.rng.sample(range(len(entries)), len(entries))
        options = [entries[i][0] for i in order]
        units = [entries[i][1] for i in order]
        letter = LETTERS[order.index(0)]
        pending = "" if right.verified else "（条文待核）"
        notes = [f"{letter} 项出自{_title(self.kb, right)}，原文：“{entries[0][0]}”{pending}。"]
        for i, unit in enumerate(units):
            if i != order.index(0):
                pending = "" if unit.verified else "（条文待核）"
                notes.append(f"{LETTERS[i]} 项出自{_title(self.kb, unit)}{pending}，不符合题意。")
        return Question(
            number=number,
            kind="choice",
            stem=stem,
            options=options,
            answer=letter,
            explanation="".join(notes),
            unit_id=right.id,
            unit_title=_title(self.kb, right),
            verified=right.verified,
            option_units=[u.id for u in units],
        )

    # -- true / false ---------------------------------------------------------------------
    def truefalse_pool(self) -> list[tuple[str, Any]]:
        spec = self.spec["truefalse"]
        lead = re.compile(spec["lead"])
        pool: list[tuple[str, Any]] = []
        for parent_id in spec["parents"]:
            parent = self.unit(parent_id)
            match = lead.search(parent.text)
            if match is None:
                continue
            for item in self.kb.children(parent_id):
                if "项" in item.label and not any(w in item.text for w in spec["skip_items_with"]):
                    statement = _option(item.text).removesuffix("的") + "的，" + match["consequence"] + "。"
                    pool.append(("truefalse", (item, parent, match.group(0), statement)))
        for uid in spec["sentences"]:
            unit = self.unit(uid)
            pool.append(("truefalse", (unit, unit, None, _option(unit.text) + "。")))
        return pool

    def truefalse(self, number: int, unit: Unit, titled: Unit, lead: str | None, statement: str) -> Question:
        swaps = [
            (x, y)
            for pair in self.spec["truefalse"]["swaps"]
            for x, y in (pair, pair[::-1])
            if x in statement and y not in statement
        ]
        # The key quotes the unit exactly; a sentence ending in 。 needs no second full stop after it.
        original = f"“{lead}”……“{unit.text}”" if lead else f"“{unit.text}”"
        stop = "" if unit.text.endswith("。") else "。"
        if swaps and self.rng.random() < 0.5:
            x, y = max(swaps, key=lambda s: len(s[0]))  # the longest term: the most telling change
            statement = statement.replace(x, y, 1)
            answer = FALSE
            explanation = f"题干将“{x}”改成了{y}。{_title(self.kb, titled)}原文：{original}{stop}"
        else:
            answer = TRUE
            explanation = f"{_title(self.kb, titled)}原文：{original}{stop}"
        stem = self.spec["truefalse"]["stem"].format(title=_title(self.kb, titled), statement=statement)
        title = _title(self.kb, unit)
        return Question(
            number, "truefalse", stem, [TRUE, FALSE], answer, explanation, unit.id, title, unit.verified
        )


def _tested_unit(kind: str, data: Any) -> str:
    """The id of the unit a pool entry tests (a quiz tests each unit once)."""
    if kind == "choice":
        return str(data[1])
    if kind == "pair":
        return str(data)
    if kind == "scenario":
        return str(data["unit"])
    return str(data[0].id)


def make_quiz(kb: KnowledgeBase, prompts_dir: Path, n: int = 10, seed: int | None = None) -> Quiz:
    """``n`` questions, alternating multiple choice and true/false, each testing a different unit."""
    spec = load_templates(prompts_dir, QUIZ_FILE)
    if not 1 <= n <= spec["max_questions"]:
        raise InputError(f"题目数量须在 1 到 {spec['max_questions']} 之间：{n}")
    seed = spec["default_seed"] if seed is None else seed
    rng = random.Random(seed)
    maker = _Maker(kb, spec, rng)
    pools = [maker.choice_pool(), maker.truefalse_pool()]
    for pool in pools:
        rng.shuffle(pool)
    questions: list[Question] = []
    used: set[str] = set()
    stems: set[str] = set()
    turn = 0
    while len(questions) < n and any(pools):
        pool = pools[turn % 2] or pools[(turn + 1) % 2]
        turn += 1
        kind, data = pool.pop()
        unit_id = _tested_unit(kind, data)
        if unit_id in used:
            turn -= 1  # the same kind tries again with its next candidate
            continue
        number = len(questions) + 1
        if kind == "choice":
            question = maker.choice(number, *data)
        elif kind == "pair":
            question = maker.pair(number, data)
        elif kind == "scenario":
            question = maker.scenario(number, data)
        else:
            question = maker.truefalse(number, *data)
        if question.stem in stems:  # a stem asked once is not asked again with other options
            turn -= 1
            continue
        used.add(unit_id)
        stems.add(question.stem)
        questions.append(question)
    # Printed by kind (单选题, then 判断题): numbered in that order, so a paper reads 1, 2, 3 … down the page.
    ordered = [q for q in questions if q.kind == "choice"] + [q for q in questions if q.kind != "choice"]
    return Quiz(seed, [dataclasses.replace(q, number=i) for i, q in enumerate(ordered, 1)])
