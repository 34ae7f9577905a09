"""The answer pipeline, top to bottom: normalise → classify intent → retrieve → assess → compose → verify."""

from __future__ import annotations

import dataclasses
import re
import time
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from assistant.analysis import Analysis, Conversation
from assistant.assess import assess
from assistant.compose import Composer
from assistant.corrections import Correction, apply_confirmed
from assistant.direct import load_direct_answers
from assistant.domain import Answer, FactorValue, Intent, StreamEvent, Verdict
from assistant.errors import AssistantError, CitationError
from assistant.index import SearchIndex, open_index
from assistant.intent import IntentClassifier, Provinces
from assistant.layout import Layout
from assistant.normalize import normalize_question
from assistant.numerals import chinese_number
from assistant.reading import Facts, Reader
from assistant.reading.combine import combine
from assistant.reading.recorded import reading_facts
from assistant.reading.spans import users_words
from assistant.retrieve import Retriever
from assistant.rules import Rules
from assistant.settings import Settings
from assistant.verify import verify_citations

if TYPE_CHECKING:
    from assistant.llm.answerer import LLMAnswerer

_ARTICLE = re.compile(
    r"《?([\u4e00-\u9fff]{2,20}?)》?第([一二三四五六七八九十百零〇两\d]+)条(?:第[(（]?([一二三四五六七八九十\d]+)[)）]?项)?"
)
# The statement has exactly three distinctions; a "fourth" is asked for to make the assistant invent one.
_NTH_DISTINCTION = re.compile(r"第([四五六七八九十]|\d+)个[“\"]?区分开来")
STREAM_CHUNK = 24


class Assistant:
    """Holds the index and rules; answers questions and conversations offline."""

    def __init__(self, settings: Settings, index: SearchIndex | None = None) -> None:
        if index is None:
            index = open_index(settings)
            if index.knowledge_dir is not None:
                # Rules and lexicon come from the snapshot the index was built from, like the clauses:
                # an edit in progress (or a broken file) in knowledge/ never reaches a running service.
                settings = settings.model_copy(update={"knowledge_dir": index.knowledge_dir})
        self.index = index
        self.settings = settings
        self.kb = self.index.kb
        knowledge_dir = settings.knowledge_dir
        self.rules = Rules.load(knowledge_dir)
        self.reader = Reader.load(self.rules, knowledge_dir, settings.data_dir)
        self.classifier = IntentClassifier(knowledge_dir)
        self.provinces = Provinces(knowledge_dir)
        self.retriever = Retriever.from_index(self.index, knowledge_dir)
        direct = load_direct_answers(settings.knowledge_dir, self.kb)
        self.composer = Composer(self.kb, settings.prompts_dir, self.rules.factor_labels, direct)
        self._doc_by_name = self._document_names()
        self.layout = Layout.load(
            settings.prompts_dir, self.rules.factor_labels, self.rules.verdict["follow_up"]
        )
        # LLM mode: a chat model writes the explanation; the analysis and the grounding checks decide.
        self.llm: LLMAnswerer | None = None
        if settings.llm_enabled:
            from assistant.llm.answerer import LLMAnswerer  # loads the OpenAI client only when used

            self.llm = LLMAnswerer(
                settings,
                self.kb,
                self.composer,
                self._article_refs,
                reassess=self.reassess,
                vocabulary=self._reading_vocabulary(),
            )

    def _reading_vocabulary(self) -> dict[str, str]:
        """What the factor prompt lets a model name: the violation families and the circumstances."""
        return {
            "violations": "\n".join(f"- {v.id}：{v.name}" for v in self.rules.violations),
            # (only what a story states: a finding the assessor derives, such as `compliant`, is not offered)
            "circumstances": "\n".join(
                f"- {c.id}：{c.label}" for c in self.rules.circumstances if c.patterns
            ),
        }

    def _document_names(self) -> dict[str, str]:
        names: dict[str, str] = {}
        for doc in self.kb.documents.values():
            for name in (doc.title, doc.short_title.strip("《》")):
                names[name] = doc.id
        return names

    def stream(self, conversation: Conversation, started: float | None = None) -> Iterator[StreamEvent]:
        """Answer as a stream of events. Offline the text is already final, so it is sent in short
        pieces followed by the verified answer; in LLM mode the model's text streams as it is written
        (see assistant/llm/answerer.py). A failure ends the stream with an error event. ``started``
        (a ``time.perf_counter()`` reading) is when the question arrived: the answer's deadline
        runs from there, time spent waiting for a worker thread included."""
        started = time.perf_counter() if started is None else started
        try:
            analysis = self.analyse(conversation)
            answer = self.offline_answer(analysis)
        except AssistantError as exc:
            yield StreamEvent("error", exc.message)
            return
        answer.question = conversation.turns[-1]
        if self.llm is not None and not analysis.refusal:
            events = self.llm.stream(analysis, answer, started)
        else:
            text = answer.answer
            pieces = [
                StreamEvent("token", text[i : i + STREAM_CHUNK]) for i in range(0, len(text), STREAM_CHUNK)
            ]
            events = iter([*pieces, StreamEvent("final", answer=answer)])
        for event in events:
            if event.answer is not None:
                event.answer.latency_ms = (time.perf_counter() - started) * 1000
            yield event

    def ask(self, question: str, province: str | None = None) -> Answer:
        """Answer one question (a conversation of one turn)."""
        return self.converse(Conversation([question], province))

    def converse(
        self, conversation: Conversation, started: float | None = None, reading: Facts | None = None
    ) -> Answer:
        """Answer the last turn of a conversation, with the facts of every earlier turn (``started``:
        as for ``stream``; ``reading``: facts read elsewhere, the evaluation's gold reading, instead of
        the reader's)."""
        started = time.perf_counter() if started is None else started
        analysis = self.analyse(conversation, reading)
        answer = self.offline_answer(analysis)
        if self.llm is not None and not analysis.refusal:
            answer = self.llm.answer(analysis, answer, started)
        answer.question = conversation.turns[-1]
        if conversation.confirmed:
            before = conversation.previous_verdict
            if before is None:
                plain = dataclasses.replace(conversation, confirmed={})
                before = self.offline_answer(self.analyse(plain)).verdict
            self.layout.summarise(answer, analysis.corrections, before, conversation.fresh)
        answer.latency_ms = (time.perf_counter() - started) * 1000
        return answer

    def analyse(self, conversation: Conversation, reading: Facts | None = None) -> Analysis:
        """Everything decided before any text is written: intent, refusal, retrieval, assessment."""
        turns = self.normalise(conversation.turns)
        province = self.provinces.resolve(conversation.province) or self.provinces.detect(" ".join(turns))
        question = turns[-1]
        joined = "。".join(turns)
        # The turns are read once: the count decides whether this is a story, the facts feed the verdict.
        facts = reading if reading is not None else self.reader.read(turns)
        # Whether the message is a story at all is read from its words, whoever supplied the facts.
        told_by = facts if reading is None else self.reader.read(turns)
        corrections = self._apply(facts, conversation.confirmed)
        # Conduct the reading found told of someone (a named violation, even one only alleged, or gain
        # stated): a story to judge, whether or not it ends with a question.
        # (a violation only the clause model suspects does not turn a question into a story)
        readings = (facts,) if told_by is facts else (facts, told_by)
        told = any(
            v.actor == "subject" and (not v.hedged or v.reader == "rules")
            for r in readings
            for v in r.violations.values()
        )
        flagged = any(
            not v.hedged and v.value == self.rules.dominant.get(name)
            for r in readings
            for name, v in r.factors.items()
        )
        result = self.classifier.classify(joined, max(r.stated for r in readings), told, flagged)
        analysis = Analysis(
            turns=turns,
            province=province,
            intent=result.intent,
            raw_turns=list(conversation.turns),
            confirmed=dict(conversation.confirmed),
            corrections=corrections,
        )
        refs = self._article_refs(question)
        if result.refusal:
            analysis.refusal = result.refusal
        elif any(unit_id is None for unit_id in refs) or _NTH_DISTINCTION.search(question):
            analysis.refusal = "missing_clause"
        elif result.intent is Intent.OUT_OF_SCOPE:
            analysis.refusal = "out_of_scope"
        if analysis.refusal:
            analysis.intent = Intent.OUT_OF_SCOPE
            return analysis
        named = [u for u in refs if u is not None]
        # An act the question names ("收购物卡算不算违纪") brings the article that defines it, story or not.
        by_id = {v.id: v for v in self.rules.violations}
        named += [by_id[k].units[0] for k in facts.violations if k in by_id and by_id[k].units]
        analysis.hits = self.retriever.search(joined, self.settings.top_k, province, named_units=named).hits
        analysis.injection_in_story = result.injection_in_story
        if result.intent in (Intent.SCENARIO, Intent.DRAFTING):
            analysis.facts = facts
            analysis.assessment = assess(turns, facts, self.rules, province)
        return analysis

    def normalise(self, turns: list[str]) -> list[str]:
        """The turns as the readers see them (simplified, width-folded, typos fixed)."""
        limit = self.settings.max_question_chars
        return [normalize_question(t, self.settings.knowledge_dir, limit) for t in turns]

    def _normalise_words(self, words: str) -> str:
        """A reader's quotation normalised as the turns are ("" for one that is not text to read)."""
        try:
            return normalize_question(words, self.settings.knowledge_dir, len(words) + 1)
        except AssistantError:
            return ""

    def read_with_model(
        self, turns: list[str], reading: Mapping[str, Any], restore: Callable[[str], str] = lambda s: s
    ) -> Facts:
        """The offline reading of ``turns`` (normalised) combined with a model's reading of them (the
        factor prompt's JSON; ``restore`` unmasks its spans): only items in the user's words count."""
        model = reading_facts(turns, reading, self.rules, restore, normalise=self._normalise_words)
        return combine(self.reader.read(turns), model, self.rules.dominant)

    def reassess(
        self, analysis: Analysis, reading: Mapping[str, Any], restore: Callable[[str], str] = lambda s: s
    ) -> tuple[Analysis, Answer] | None:
        """The analysis and offline answer again, on the offline reading combined with a model's
        (``read_with_model``): the same code decides, as offline. None when the model read nothing
        in the user's words (the analysis stands)."""
        if analysis.assessment is None:
            return None
        model = reading_facts(analysis.turns, reading, self.rules, restore, normalise=self._normalise_words)
        if not model.items:
            return None
        facts = combine(self.reader.read(analysis.turns), model, self.rules.dominant)
        # The user's confirmations override both readings.
        self._apply(facts, analysis.confirmed)
        assessment = assess(analysis.turns, facts, self.rules, analysis.province)
        again = dataclasses.replace(analysis, assessment=assessment, facts=facts)
        return again, self.offline_answer(again)

    def _apply(self, facts: Facts, confirmed: dict[str, str]) -> list[Correction]:
        """The user's confirmed values applied to a fresh reading (in place)."""
        if not confirmed:
            return []
        return apply_confirmed(facts, confirmed, self.layout.adverse, self.layout.values)

    def offline_answer(self, analysis: Analysis) -> Answer:
        """The templated answer for an analysis, its citations verified."""
        intent = analysis.intent
        factors: dict[str, FactorValue] = {}
        follow_up: list[str] = []
        outcome = None
        if analysis.refusal:
            composed, verdict = self.composer.refusal(analysis.refusal), Verdict.OUT_OF_SCOPE
        elif analysis.assessment is None:
            composed = self.composer.reference(intent, analysis.turns[-1], analysis.hits, analysis.province)
            verdict = Verdict.NOT_APPLICABLE
        else:
            a = analysis.assessment
            joined = "。".join(analysis.turns)
            composed = self.composer.judgement(
                intent,
                joined,
                a,
                analysis.hits,
                injection=analysis.injection_in_story,
                province=analysis.province,
            )
            verdict, factors, follow_up, outcome = a.verdict, a.factors, a.follow_up, a.outcome
        citations, problems = verify_citations(composed.citations, self.kb)
        if problems:
            # Offline answers are built from the base itself; a problem here is a bug, never shown.
            raise CitationError(f"内部错误：引用校验失败（{problems[0].citation_id}: {problems[0].reason}）")
        if verdict is not Verdict.OUT_OF_SCOPE and not citations:
            verdict, intent = Verdict.OUT_OF_SCOPE, Intent.OUT_OF_SCOPE
            composed = self.composer.refusal("out_of_scope")
        answer = Answer(
            question=analysis.turns[-1],
            intent=intent,
            verdict=verdict,
            answer=composed.text,
            citations=citations,
            factors=factors,
            follow_up=follow_up,
            mode="offline",
            outcome=outcome,
            reading=self._reading(analysis),
        )
        self.layout.fill(answer, analysis.assessment, analysis.turns, analysis.raw_turns)
        return answer

    @staticmethod
    def _reading(analysis: Analysis) -> list[dict[str, object]]:
        """The facts read, each span in the words the user typed (mapped back from the normalised turn)."""
        if analysis.facts is None or analysis.assessment is None:
            return []
        out = []
        for fact in analysis.facts.items:
            item = fact.to_json()
            if fact.turn < len(analysis.raw_turns):
                item["span"] = users_words(
                    fact.span, analysis.turns[fact.turn], analysis.raw_turns[fact.turn]
                )
            out.append(item)
        return out

    def _article_refs(self, question: str) -> list[str | None]:
        """Units the question names by document and article (item); None for one the base lacks."""
        refs: list[str | None] = []
        for m in _ARTICLE.finditer(question):
            name = m.group(1)
            doc_id = next((d for n, d in self._doc_by_name.items() if n and (n in name or name in n)), None)
            number = chinese_number(m.group(2))
            if not doc_id or number is None:
                continue
            unit_id = f"{doc_id}:{number}"
            if m.group(3):
                unit_id += f".{chinese_number(m.group(3))}"
            refs.append(unit_id if unit_id in self.kb.units else None)
        return refs
