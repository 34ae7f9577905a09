"""The answer pipeline, top to bottom: normalise → classify intent → retrieve → assess → compose → verify."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass

from assistant.assess import Facts, Rules, assess, read_turn
from assistant.compose import Composed, Composer
from assistant.domain import Answer, FactorValue, Intent, StreamEvent, Verdict
from assistant.errors import AssistantError, CitationError
from assistant.index import SearchIndex, open_index
from assistant.intent import IntentClassifier, Provinces
from assistant.normalize import normalize_question
from assistant.retrieve import Retriever
from assistant.settings import Settings
from assistant.verify import verify_citations

_ARTICLE = re.compile(
    r"《?([\u4e00-\u9fff]{2,20}?)》?第([一二三四五六七八九十百零〇两\d]+)条(?:第[(（]?([一二三四五六七八九十\d]+)[)）]?项)?"
)
# The statement has exactly three distinctions; a "fourth" is asked for to make the assistant invent one.
_NTH_DISTINCTION = re.compile(r"第([四五六七八九十]|\d+)个[“\"]?区分开来")
STREAM_CHUNK = 24
_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}


def chinese_number(text: str) -> int | None:
    """第十七条 → 17; 第一百零二条 → 102; digits pass through."""
    if text.isdigit():
        return int(text)
    total, current = 0, 0
    for ch in text:
        if ch in _DIGITS:
            current = _DIGITS[ch]
        elif ch == "十":
            total += (current or 1) * 10
            current = 0
        elif ch == "百":
            total += (current or 1) * 100
            current = 0
        else:
            return None
    return total + current


@dataclass
class Conversation:
    """The user turns of one conversation, oldest first; the last one is being answered."""

    turns: list[str]
    province: str | None = None


class Assistant:
    """Holds the index and rules; answers questions and conversations offline."""

    def __init__(self, settings: Settings, index: SearchIndex | None = None) -> None:
        self.settings = settings
        self.index = index or open_index(settings)
        self.kb = self.index.kb
        knowledge_dir = settings.knowledge_dir
        self.rules = Rules.load(knowledge_dir)
        self.classifier = IntentClassifier(knowledge_dir)
        self.provinces = Provinces(knowledge_dir)
        self.retriever = Retriever.from_index(self.index, knowledge_dir)
        self.composer = Composer(self.kb, settings.prompts_dir, self.rules.factor_labels)
        self._doc_by_name = self._document_names()

    def _document_names(self) -> dict[str, str]:
        names: dict[str, str] = {}
        for doc in self.kb.documents.values():
            for name in (doc.title, doc.short_title.strip("《》")):
                names[name] = doc.id
        return names

    def stream(self, conversation: Conversation) -> Iterator[StreamEvent]:
        """Answer as a stream of events. Offline the text is already final, so it is sent in short
        pieces followed by the verified answer; a failure ends the stream with an error event."""
        try:
            answer = self.converse(conversation)
        except AssistantError as exc:
            yield StreamEvent("error", exc.message)
            return
        text = answer.answer
        for start in range(0, len(text), STREAM_CHUNK):
            yield StreamEvent("token", text[start : start + STREAM_CHUNK])
        yield StreamEvent("final", answer=answer)

    def ask(self, question: str, province: str | None = None) -> Answer:
        """Answer one question (a conversation of one turn)."""
        return self.converse(Conversation([question], province))

    def converse(self, conversation: Conversation) -> Answer:
        """Answer the last turn of a conversation, with the facts of every earlier turn."""
        started = time.perf_counter()
        limit = self.settings.max_question_chars
        turns = [normalize_question(t, self.settings.knowledge_dir, limit) for t in conversation.turns]
        province = self.provinces.resolve(conversation.province) or self.provinces.detect(" ".join(turns))
        composed, intent, verdict, assessment_factors, follow_up, outcome = self._answer(turns, province)
        citations, problems = verify_citations(composed.citations, self.kb)
        if problems:
            # Offline answers are built from the base itself; a problem here is a bug, never shown.
            raise CitationError(f"内部错误：引用校验失败（{problems[0].citation_id}: {problems[0].reason}）")
        if verdict is not Verdict.OUT_OF_SCOPE and not citations:
            verdict, intent = Verdict.OUT_OF_SCOPE, Intent.OUT_OF_SCOPE
            composed = self.composer.refusal("out_of_scope")
        return Answer(
            question=conversation.turns[-1],
            intent=intent,
            verdict=verdict,
            answer=composed.text,
            citations=citations,
            factors=assessment_factors,
            follow_up=follow_up,
            mode="offline",
            latency_ms=(time.perf_counter() - started) * 1000,
            outcome=outcome,
        )

    def _story_factors(self, turns: list[str]) -> int:
        facts = Facts()
        for turn in turns:
            read_turn(turn, self.rules, facts)
        stated = sum(1 for v in facts.factors.values() if v.value != "unknown")
        return stated + len(facts.red_cues) + len(facts.circumstances) + len(facts.doubts)

    def _named_units(self, question: str) -> list[str]:
        """Units of the base the question names by document and article."""
        named = []
        for m in _ARTICLE.finditer(question):
            doc_id = next(
                (d for n, d in self._doc_by_name.items() if n and (n in m.group(1) or m.group(1) in n)), None
            )
            number = chinese_number(m.group(2))
            if doc_id and number is not None:
                unit_id = f"{doc_id}:{number}" + (f".{chinese_number(m.group(3))}" if m.group(3) else "")
                if unit_id in self.kb.units:
                    named.append(unit_id)
        return named

    def _missing_clause(self, question: str) -> bool:
        """Does the question ask for an article or item of a known document that the base lacks?"""
        if _NTH_DISTINCTION.search(question):
            return True
        for m in _ARTICLE.finditer(question):
            name = m.group(1)
            doc_id = next((d for n, d in self._doc_by_name.items() if n and (n in name or name in n)), None)
            number = chinese_number(m.group(2))
            if not doc_id or number is None:
                continue
            unit_id = f"{doc_id}:{number}"
            if m.group(3):
                item = chinese_number(m.group(3))
                unit_id += f".{item}"
            if unit_id not in self.kb.units:
                return True
        return False

    def _answer(
        self, turns: list[str], province: str | None
    ) -> tuple[Composed, Intent, Verdict, dict[str, FactorValue], list[str], str | None]:
        question = turns[-1]
        joined = "。".join(turns)
        result = self.classifier.classify(joined, self._story_factors(turns))
        if result.refusal:
            return (
                self.composer.refusal(result.refusal),
                Intent.OUT_OF_SCOPE,
                Verdict.OUT_OF_SCOPE,
                {},
                [],
                None,
            )
        if self._missing_clause(question):
            return (
                self.composer.refusal("missing_clause"),
                Intent.OUT_OF_SCOPE,
                Verdict.OUT_OF_SCOPE,
                {},
                [],
                None,
            )
        if result.intent is Intent.OUT_OF_SCOPE:
            return (
                self.composer.refusal("out_of_scope"),
                Intent.OUT_OF_SCOPE,
                Verdict.OUT_OF_SCOPE,
                {},
                [],
                None,
            )
        retrieval = self.retriever.search(
            joined, self.settings.top_k, province, named_units=self._named_units(question)
        )
        if result.intent in (Intent.KNOWLEDGE, Intent.PROCEDURE):
            composed = self.composer.reference(result.intent, question, retrieval.hits)
            return composed, result.intent, Verdict.NOT_APPLICABLE, {}, [], None
        assessment = assess(turns, self.rules, province)
        composed = self.composer.judgement(
            result.intent, joined, assessment, retrieval.hits, injection=result.injection_in_story
        )
        return (
            composed,
            result.intent,
            assessment.verdict,
            assessment.factors,
            assessment.follow_up,
            assessment.outcome,
        )
