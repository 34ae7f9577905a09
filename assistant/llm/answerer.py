"""LLM mode for one answer: prepare the prompt (mask, fit the budget), let the model write, check it,
retry once with the problems stated, else fall back to the offline answer with a note.

The verdict, red lines, outcome and follow-up questions are the analysis's; the model writes only the
explanation between the code's heading and the code's list of verified citations.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Protocol

from assistant.analysis import Analysis
from assistant.compose import Composer
from assistant.cues import load_yaml
from assistant.domain import Answer, Assessment, Citation, FactorValue, StreamEvent, Unit, Verdict
from assistant.errors import AssistantError
from assistant.knowledge import KnowledgeBase
from assistant.llm.assemble import as_events, fallback, final_answer, head, show, tail
from assistant.llm.budget import BudgetError, TokenCounter, fit
from assistant.llm.client import ChatModel, Message, OpenAICompatibleChat
from assistant.llm.deadline import REASONS, LLMUnavailable
from assistant.llm.grounding import Checker, Grounded, ModelAnswer, Problem, parse_answer
from assistant.llm.privacy import Masker, should_mask
from assistant.llm.prompts import GivenUnit, Prompts, render_history, render_judgement, unit_title
from assistant.llm.stream import AnswerFieldReader, SentenceGate
from assistant.llm.writer import Writer
from assistant.settings import Settings

log = logging.getLogger("assistant.llm")
MAX_UNITS = 10
FACTOR_SHARE = 0.4  # of the timeout, for factor extraction: the answer needs the rest
UNGROUNDED = "大模型的回答未通过引用核验，已使用离线答案"
TOO_LONG = "问题和条文超出大模型的上下文长度，已使用离线答案"
INTERRUPTED = "大模型输出中途中断，已改用离线答案。"
BUSY = "大模型繁忙（同时进行的调用已达上限），已使用离线答案"
_SLOTS: dict[int, threading.BoundedSemaphore] = {}
_SLOTS_LOCK = threading.Lock()


def model_slots(size: int) -> threading.BoundedSemaphore:
    """The worker's slots for answers the model is writing: one set per process (a reload makes a
    new Assistant, not a second set of slots)."""
    with _SLOTS_LOCK:
        if size not in _SLOTS:
            _SLOTS[size] = threading.BoundedSemaphore(max(1, size))
        return _SLOTS[size]


@contextmanager
def model_slot(slots: threading.BoundedSemaphore) -> Iterator[bool]:
    """A slot if one is free now (True), else False at once: a request never waits for the model."""
    taken = slots.acquire(blocking=False)
    try:
        yield taken
    finally:
        if taken:
            slots.release()


def unavailable(exc: LLMUnavailable) -> str:
    """The note of an answer given offline because the endpoint failed."""
    return f"大模型服务不可用（{REASONS.get(exc.reason, exc.reason)}），已使用离线答案"


Reassess = Callable[[Analysis, Mapping[str, Any], Callable[[str], str]], tuple[Analysis, Answer] | None]
"""``Assistant.reassess``: the analysis and offline answer again, with a model's reading (its spans
unmasked by the callable) combined with the offline one; None when it read nothing verifiable."""


class DraftText(Protocol):
    """What a rationale rewrite needs of a ``drafting.Draft``. Structural, so this module need not
    import drafting, which uses the pipeline, which uses this module."""

    @property
    def text(self) -> str: ...
    @property
    def proposal(self) -> str: ...
    @property
    def citations(self) -> list[Citation]: ...
    @property
    def assessment(self) -> Assessment: ...
    @property
    def analysis(self) -> Analysis: ...


@dataclass
class Prepared:
    """Everything one answer's model calls need."""

    messages: list[Message]
    given: dict[str, Unit]
    masker: Masker
    factors: dict[str, FactorValue]
    head: str  # the code's lines before the model's prose (notes, verdict heading)
    analysis: Analysis  # the analysis the answer rests on (re-decided with the model's factor reading)
    offline: Answer  # its offline answer: the fallback, and the source of verdict and follow-up

    @property
    def words(self) -> list[str]:
        """The user's own words, as typed and as normalised: the prose may quote them."""
        return [*self.analysis.turns, *self.analysis.raw_turns]


class LLMAnswerer:
    """Writes answers with a chat model under the grounding rules; never raises for the model's sake."""

    def __init__(
        self,
        settings: Settings,
        kb: KnowledgeBase,
        composer: Composer,
        article_refs: Callable[[str], list[str | None]] | None = None,
        chat: ChatModel | None = None,
        reassess: Reassess | None = None,
        vocabulary: Mapping[str, str] | None = None,
    ) -> None:
        self.reassess = reassess
        self.vocabulary = dict(vocabulary or {})  # the factor prompt's lists of violations, circumstances
        self.settings = settings
        self.kb = kb
        self.composer = composer
        self.prompts = Prompts(settings.prompts_dir)
        self.writer = Writer(chat or OpenAICompatibleChat(settings), self.prompts)
        self.checker = Checker(kb, settings.knowledge_dir, article_refs)
        self.counter = TokenCounter(settings.llm_encoding, settings.tiktoken_cache_dir)
        self.mask = should_mask(settings)
        self.slots = model_slots(settings.llm_max_in_flight)

    # -- whole answers -------------------------------------------------------------------------
    def _deadline(self, started: float | None) -> float:
        """The monotonic instant the answer is due: the timeout after the question arrived (a
        ``time.perf_counter()`` reading, so analysis time counts too), or after now."""
        spent = time.perf_counter() - started if started is not None else 0.0
        return time.monotonic() + self.settings.llm_timeout - spent

    def answer(self, analysis: Analysis, offline: Answer, started: float | None = None) -> Answer:
        """The model's answer if it passes grounding (mode "llm"), else ``offline`` with a note (at
        once when the worker's model slots are all taken)."""
        with model_slot(self.slots) as taken:
            if not taken:
                return fallback(offline, BUSY)
            return self._answer(analysis, offline, started)

    def _answer(self, analysis: Analysis, offline: Answer, started: float | None) -> Answer:
        deadline = self._deadline(started)
        try:
            prepared = self._prepare(analysis, offline, deadline)
            analysis, offline = prepared.analysis, prepared.offline
            completion = self.writer.write_answer(prepared.messages, deadline)
            grounded = self._check_or_retry(
                prepared, offline.verdict, completion.text, completion.parsed, deadline
            )
        except LLMUnavailable as exc:
            return fallback(offline, unavailable(exc))
        except BudgetError:
            return fallback(offline, TOO_LONG)
        except AssistantError as exc:  # e.g. a prompt file missing: the user still gets an answer
            log.warning("LLM mode failed: %s", exc.message)
            return fallback(offline, f"大模型模式出错（{exc.message}），已使用离线答案")
        if grounded is None:
            return fallback(offline, UNGROUNDED)
        return final_answer(self.composer, analysis, offline, prepared.head, prepared.factors, grounded)

    def _check_or_retry(
        self, p: Prepared, verdict: Verdict, text: str, parsed: object, deadline: float
    ) -> Grounded | None:
        answer = parsed if isinstance(parsed, ModelAnswer) else parse_answer(text)
        grounded, problems = self.checker.check(answer, p.given, verdict, p.masker.unmask, p.words)
        if grounded is not None:
            return grounded
        log.info("model answer rejected: %s", ",".join(sorted({x.code for x in problems})))
        # Problems quote the restored text; they are masked again before they leave.
        stated = [Problem(x.code, p.masker.mask(x.message)) for x in problems]
        retry = self.writer.write_answer(self.writer.retry_messages(p.messages, text, stated), deadline)
        answer = retry.parsed if isinstance(retry.parsed, ModelAnswer) else parse_answer(retry.text)
        grounded, problems = self.checker.check(answer, p.given, verdict, p.masker.unmask, p.words)
        if grounded is None:
            log.info("retried answer rejected: %s", ",".join(sorted({x.code for x in problems})))
        return grounded

    # -- streams -------------------------------------------------------------------------------
    def stream(
        self, analysis: Analysis, offline: Answer, started: float | None = None
    ) -> Iterator[StreamEvent]:
        """Tokens as the model writes (sentence by sentence, each checked), then the final event with
        the verified answer. A failure after text was shown ends with an error event that carries the
        offline answer; before any text, the offline answer is streamed as if nothing happened."""
        with model_slot(self.slots) as taken:
            if not taken:
                yield from as_events(fallback(offline, BUSY))
                return
            yield from self._stream(analysis, offline, started)

    def _stream(self, analysis: Analysis, offline: Answer, started: float | None) -> Iterator[StreamEvent]:
        deadline = self._deadline(started)
        try:
            p = self._prepare(analysis, offline, deadline)
        except LLMUnavailable as exc:
            yield from as_events(fallback(offline, unavailable(exc)))
            return
        except BudgetError:
            yield from as_events(fallback(offline, TOO_LONG))
            return
        except AssistantError as exc:
            log.warning("LLM mode failed: %s", exc.message)
            yield from as_events(fallback(offline, f"大模型模式出错（{exc.message}），已使用离线答案"))
            return
        analysis, offline = p.analysis, p.offline
        reader = AnswerFieldReader()
        # Citations come last, so while streaming a quotation may be words of any unit given (or the
        # user's); the final check holds it to the units actually cited.
        gate = SentenceGate(
            lambda s: (
                self.checker.prose_problems(s, offline.verdict, p.given)
                + self.checker.quote_problems(s, p.given.values(), p.words)
            ),
            p.masker.unmask,
        )
        pieces: list[str] = []
        shown: list[str] = []
        try:
            for piece in self.writer.stream_answer(p.messages, deadline):
                pieces.append(piece)
                yield from show(gate.feed(reader.feed(piece)), p.head, shown)
            yield from show(gate.flush(), p.head, shown)
        except LLMUnavailable as exc:
            replacement = fallback(offline, unavailable(exc))
            if shown:
                yield StreamEvent("error", INTERRUPTED, answer=replacement)
            else:
                yield from as_events(replacement)
            return
        try:
            grounded = self._check_or_retry(p, offline.verdict, "".join(pieces), None, deadline)
            final = fallback(offline, UNGROUNDED) if grounded is None else None
        except LLMUnavailable as exc:
            grounded, final = None, fallback(offline, unavailable(exc))
        if grounded is not None:
            final = final_answer(self.composer, analysis, offline, p.head, p.factors, grounded)
            if shown and "".join(shown).strip() == grounded.prose:
                yield StreamEvent("token", "\n" + tail(self.composer, analysis, offline, grounded))
                yield StreamEvent("final", answer=final)
                return
        assert final is not None
        if not shown:
            yield from as_events(final)
            return
        yield StreamEvent("final", answer=final)  # differs from what was shown: the client replaces it

    # -- drafts --------------------------------------------------------------------------------
    def rewrite_draft(self, draft: DraftText) -> str:
        """A drafting.DraftWriter: the model's rewrite of a finished rationale draft. The drafting
        module keeps it only if marks, quotes, proposal and closing survive; this adds the checks it
        lacks (injection echoes, verdict statements) and raises rather than return a failing text."""
        with model_slot(self.slots) as taken:
            if not taken:
                raise AssistantError(BUSY)
            return self._rewrite_draft(draft)

    def _rewrite_draft(self, draft: DraftText) -> str:
        deadline = time.monotonic() + self.settings.llm_timeout
        masker = Masker(self.mask)
        keys = load_yaml(self.settings.prompts_dir / "draft_templates.yaml").get("proposal_keys", {})
        messages = self.writer.answer_messages(
            "draft", draft=masker.mask(draft.text), proposal=str(keys.get(draft.proposal, draft.proposal))
        )
        text = masker.unmask(self.writer.rewrite(messages, deadline)).strip()
        given = {c.id: self.kb.units[c.id] for c in draft.citations if c.id in self.kb.units}
        verdict = draft.assessment.verdict
        before = {x.code for x in self.checker.prose_problems(draft.text, verdict, given)}
        new = [x for x in self.checker.prose_problems(text, verdict, given) if x.code not in before]
        # The offline draft is verified text (clauses, the facts as given, templates): a quotation
        # in the rewrite must be found there, in a cited clause or in the user's words.
        words = [draft.text, *draft.analysis.turns, *draft.analysis.raw_turns]
        new += self.checker.quote_problems(text, given.values(), words)
        if new:
            raise AssistantError("改写未通过核验：" + "；".join(x.message for x in new))
        return text

    # -- parts ---------------------------------------------------------------------------------
    def _prepare(self, analysis: Analysis, offline: Answer, deadline: float) -> Prepared:
        masker = Masker(self.mask)
        a = analysis.assessment
        factors = dict(offline.factors)
        if a is not None and self.settings.llm_extract_factors and self.reassess is not None:
            # The model reads the story too; its reading, each item verified against the user's words,
            # is combined with the offline one and the same code decides again (reading/combine.py).
            # A slow endpoint gets a share of the time: writing needs the rest of the same deadline.
            story = "。".join(analysis.turns)
            share = min(deadline, time.monotonic() + self.settings.llm_timeout * FACTOR_SHARE)
            reading = self.writer.read_story(masker.mask(story), share, **self.vocabulary)
            again = self.reassess(analysis, reading, masker.unmask) if reading else None
            if again is not None:
                analysis, offline = again
                a = analysis.assessment
                factors = dict(offline.factors)
        t = self.composer.t
        judgement = render_judgement(
            dataclasses.replace(a, factors=factors) if a is not None else None,
            t["verdict_heading"],
            t["outcome"],
            self.composer.factor_labels,
            t["factor_values"],
        )
        units = self._units(analysis, offline)
        blocks = [
            GivenUnit(
                u.id, masker.mask(unit_title(u, self.kb.documents[u.doc_id].title)), masker.mask(u.text)
            ).render()
            for u in units
        ]
        history = [masker.mask(turn) for turn in analysis.turns[:-1]]
        values = {"judgement": masker.mask(judgement), "question": masker.mask(analysis.turns[-1])}
        skeleton = self.prompts.render("answer", units="", history="", **values)
        limit = self.settings.llm_context_tokens - self.settings.llm_max_tokens
        n_units, n_turns = fit(self.counter, limit, [self.writer.system().content, skeleton], blocks, history)
        kept_history = history[len(history) - n_turns :]
        messages = self.writer.answer_messages(
            "answer", units="\n\n".join(blocks[:n_units]), history=render_history(kept_history), **values
        )
        given = {u.id: u for u in units[:n_units]}
        return Prepared(
            messages, given, masker, factors, head(self.composer, analysis, offline), analysis, offline
        )

    def _units(self, analysis: Analysis, offline: Answer) -> list[Unit]:
        """The units the model may cite, most relevant first: those the code chose, then retrieval's."""
        ids = [c.id for c in offline.citations] + [h.unit.id for h in analysis.hits]
        units = [self.kb.units[i] for i in dict.fromkeys(ids) if i in self.kb.units]
        return units[:MAX_UNITS]
