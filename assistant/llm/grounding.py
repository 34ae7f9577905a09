"""Grounding in code: what a model writes is checked before a user sees it.

The model answers in JSON, ``{"answer": "… [1] … [2] …", "citations": [{"id", "quote"}]}``. The
answer is accepted only if every cited id is one of the units it was given, every quote is an exact
substring of that unit's text (after restoring masked names), every [n] mark has a citation, the prose
names no article outside the given units, does not contradict the verdict the assessment decided,
and does not echo an injected instruction. The problems found are stated back to the model once.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, Field, ValidationError

from assistant.cues import compile_cues, load_yaml
from assistant.domain import Citation, Unit, Verdict
from assistant.knowledge import KnowledgeBase
from assistant.llm.quotations import unverified
from assistant.llm.verdicts import conflicts, verdict_claim
from assistant.normalize import fold

MIN_QUOTE = 6  # characters; a shorter "quote" (一个词) proves nothing about the source
MARK = re.compile(r"\[(\d{1,2})\]")
_OWN_MARK = re.compile(r"〔[^〔〕\n]{1,40}〕")
_SENTENCE = re.compile(r"[^。！？!?；;\n]+[。！？!?；;]*")
# Of the user-side injection cues (intents.yaml), those about rules and roles; the rest (盖章,
# 决定书 …) are requests a user makes, words a procedure answer may well contain.
_ECHO_KEYS = (
    "忽略",
    "无视",
    "ignore",
    "系统提示",
    "system prompt",
    "扮演",
    "开发者",
    "无限制",
    "不受",
    "越狱",
    "jailbreak",
    "你现在",
)
# What a model says when an injected instruction took hold (the user's own injection cues are added).
_ECHOES = [
    r"我(?:现在|已经|将)?(?:是|进入|切换到?|处于).{0,8}(?:无限制|不受限制|开发者|越狱)",
    r"(?:好的|好|明白|收到|遵命)[，,。]?\s*我(?:将|会|就)(?:忽略|无视|不再遵守)",
    r"已(?:经)?(?:忽略|无视|解除)(?:了)?(?:所有|全部|以上|之前)?的?(?:规则|限制|指令)",
    r"(?:作为|我是)(?:一个)?(?:没有|不受)(?:任何)?限制的",
]


class CitedQuote(BaseModel):
    id: str = Field(description="所引条文的编号：必须是所给 <unit id=…> 中的某一个，原样照抄")
    quote: str = Field(description="从该条文原文中逐字摘录的一句或一段话，不得改动任何字")


class ModelAnswer(BaseModel):
    """What the model is asked to return."""

    answer: str = Field(description="给用户的中文回答；引用处写 [1] [2]，编号是 citations 中的顺序")
    citations: list[CitedQuote] = Field(description="回答所依据的条文，按 [n] 的编号顺序排列")


@dataclass(frozen=True)
class Problem:
    """One reason an answer may not be shown. ``message`` is stated back to the model (Chinese)."""

    code: str  # unknown_id, altered_quote, short_quote, bad_mark, no_citation, verdict_conflict,
    # injection_echo, unknown_article, own_mark, unverified_quote, malformed
    message: str


@dataclass
class Grounded:
    """An answer that passed: its prose (names restored, [n] marks kept) and verified citations."""

    prose: str
    citations: list[Citation]
    marks: dict[int, Citation] = field(default_factory=dict)


def parse_answer(raw: str) -> ModelAnswer | None:
    """The JSON object in a reply (code fences and chatter around it ignored), or None."""
    start, end = raw.find("{"), raw.rfind("}")
    if start < 0 or end <= start:
        return None
    try:
        return ModelAnswer.model_validate_json(raw[start : end + 1])
    except ValidationError:
        return None


def _folded(text: str) -> tuple[str, list[int]]:
    """``text`` width-folded (NFKC) without spacing or punctuation, and where each character came from."""
    chars: list[str] = []
    where: list[int] = []
    for i, ch in enumerate(text):
        for part in unicodedata.normalize("NFKC", ch):
            if not part.isspace() and not unicodedata.category(part).startswith("P"):
                chars.append(part)
                where.append(i)
    return "".join(chars), where


def locate_quote(quote: str, text: str) -> str | None:
    """The exact words of ``text`` that ``quote`` copies: itself when it is a substring; else the span
    whose characters match in order once width, spacing and punctuation are ignored (models retype
    ，as , and 、as ,). What is shown is always taken from ``text``, never from the model; a single
    changed, added or missing character (not punctuation) makes it None."""
    quote = quote.strip().strip("“”\"'‘’「」…. ")
    if not quote:
        return None
    if quote in text:
        return quote
    want, _ = _folded(quote)
    have, where = _folded(text)
    at = have.find(want) if want else -1
    if at < 0:
        return None
    return text[where[at] : where[at + len(want) - 1] + 1]


class Checker:
    """Checks answers written for one question against the units it was given and the code's verdict."""

    def __init__(
        self,
        kb: KnowledgeBase,
        knowledge_dir: Path,
        article_refs: Callable[[str], list[str | None]] | None = None,
    ) -> None:
        self.kb = kb
        self.article_refs = article_refs
        injection = load_yaml(knowledge_dir / "rules" / "intents.yaml")["refuse"]["injection"]
        about_rules = [c for c in injection if any(k in str(c) for k in _ECHO_KEYS)]
        self.echoes = compile_cues([*about_rules, *_ECHOES])
        # Names the base uses may stand in quotation marks without being quotations of a clause:
        # 按照“三个区分开来”的要求, 第三个“区分开来”. (Headings are not names: they paraphrase.)
        names: set[str] = set()
        for doc in kb.documents.values():
            names |= {doc.title, doc.short_title.strip("《》")}
        names |= {unit.label for unit in kb}
        self.names = sorted(n for n in names if n)

    def prose_problems(self, prose: str, verdict: Verdict, given: dict[str, Unit]) -> list[Problem]:
        """Problems of the prose alone (also run sentence by sentence while a stream is shown)."""
        problems: list[Problem] = []
        folded = fold(prose).lower()
        if any(p.search(folded) for p in self.echoes):
            problems.append(
                Problem("injection_echo", "回答中出现了改变或忽略规则的内容，请只依据条文和事实作答")
            )
        for sentence in _SENTENCE.findall(prose):
            if conflicts(verdict_claim(sentence), verdict):
                problems.append(
                    Problem(
                        "verdict_conflict", f"“{sentence.strip()}”与程序确定的研判结论不一致，不得改变结论"
                    )
                )
        if _OWN_MARK.search(prose):
            problems.append(Problem("own_mark", "请只用 [1] [2] 这样的编号标注引用，不要自己写〔〕标注"))
        for ref in self.article_refs(prose) if self.article_refs else []:
            if ref is None:
                problems.append(Problem("unknown_article", "回答提到了知识库中没有的条文，不得编造条文"))
            elif not any(ref == g or g.startswith(ref + ".") or ref.startswith(g + ".") for g in given):
                problems.append(
                    Problem("unknown_article", f"回答提到了未提供的条文（{ref}），只能依据所给条文")
                )
        return problems

    def quote_problems(self, prose: str, units: Iterable[Unit], words: Sequence[str] = ()) -> list[Problem]:
        """Quotations in the prose that are not words of ``units``, of ``words`` (the user's own, or
        other text already verified) or a name the base uses; words attributed to a named article
        must be that article's."""
        sources = [*(u.text for u in units), *words, *self.names]
        return [
            Problem(
                "unverified_quote",
                f"引号内或“规定：”后的文字“{q.text.strip()[:60]}”不是"
                + (f"{q.named}的原文" if q.named else "所引条文或用户原话的原文")
                + "；引用只能逐字摘录，否则不要加引号",
            )
            for q in unverified(prose, sources, self._article_texts)
        ]

    def _article_texts(self, ref: str) -> list[str] | None:
        """The texts of the article a reference names and of its paragraphs and items; None when the
        reference names no article of the base (the unknown_article check covers that)."""
        ids = [i for i in (self.article_refs(ref) if self.article_refs else []) if i is not None]
        if not ids:
            return None
        return [u.text for u in self.kb if any(u.id == i or u.id.startswith(i + ".") for i in ids)]

    def check(
        self,
        answer: ModelAnswer | None,
        given: dict[str, Unit],
        verdict: Verdict,
        restore: Callable[[str], str] = lambda s: s,
        words: Sequence[str] = (),
    ) -> tuple[Grounded | None, list[Problem]]:
        """The grounded answer, or None and every problem found. ``words`` are the user's turns (as
        typed and as normalised): the prose may quote them as well as the units it cites."""
        if answer is None:
            return None, [Problem("malformed", "输出不是约定格式的 JSON（含 answer 和 citations 两个字段）")]
        prose = restore(answer.answer).strip()
        problems = self.prose_problems(prose, verdict, given)
        citations: list[Citation] = []
        for n, cited in enumerate(answer.citations, 1):
            unit = given.get(cited.id.strip())
            if unit is None:
                problems.append(Problem("unknown_id", f"引用 {n} 的编号 {cited.id} 不在所给条文之中"))
                continue
            quote = locate_quote(restore(cited.quote), unit.text)
            if quote is None:
                problems.append(
                    Problem("altered_quote", f"引用 {n}（{unit.id}）的引文不是该条文原文的逐字摘录")
                )
                continue
            if len(quote) < min(MIN_QUOTE, len(unit.text.strip())):
                problems.append(Problem("short_quote", f"引用 {n}（{unit.id}）的引文太短，请摘录完整的句子"))
                continue
            citations.append(self._citation(unit, quote))
        for m in MARK.finditer(prose):
            if not 1 <= int(m.group(1)) <= len(answer.citations):
                problems.append(Problem("bad_mark", f"标注 [{m.group(1)}] 没有对应的引用"))
        if not answer.citations or not prose:
            problems.append(Problem("no_citation", "回答必须有正文，并至少引用一条所给条文"))
        problems += self.quote_problems(prose, [given[c.id] for c in citations], words)
        if problems:
            return None, problems
        marks = dict(enumerate(citations, 1))
        return Grounded(prose, _dedupe(citations), marks), []

    def _citation(self, unit: Unit, quote: str) -> Citation:
        return self.kb.citation(unit, quote)


def _dedupe(citations: list[Citation]) -> list[Citation]:
    seen: dict[tuple[str, str], Citation] = {}
    for c in citations:
        seen.setdefault((c.id, c.quote), c)
    return list(seen.values())
