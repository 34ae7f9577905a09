"""A measure's own structure, as units with the ids of the knowledge spec.

- Articles: 第X条 → ``X``; its later paragraphs (款) → ``X.pK`` (K ≥ 2); its items （一） → ``X.N``
  (``X.pK.N`` in a later 款), and 1. / （1） inside an item → ``X.N.M``. An article's text is the
  whole article, items included, as 《问责条例》第十七条 is in the base.
- Outlines (no articles): 一、 → ``1``, （一） → ``1.1``, 1. → ``1.1.1``, （1） → ``1.1.1.1``; a level
  may be skipped. A section's text is the whole section, its subsections included.
- Chapter headings (第X章 / 第X节) are context, not units. They, an outline's headings and a list's
  lead-in ("有下列情形之一的，不予容错：") tag the units under them: 容错情形 → ``situations``,
  不予容错 → ``exclusions``, 免责 → ``exemption``, 从轻减轻 → ``mitigation``.

Text is kept exactly as extracted (each paragraph stripped; a PDF's wrapped lines joined).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.ingest.extract import Extracted, IngestError
from assistant.numerals import chinese_number

NUM = "零〇一二三四五六七八九十百千两"
ARTICLE_RE = re.compile(rf"^第([{NUM}]+|\d+)条[\s\u3000]*")
CHAPTER_RE = re.compile(rf"^第([{NUM}]+|\d+)[章节编](?:[\s\u3000]+|$)")
# Outline markers, outermost first: 一、  （一）  1.  （1）
OUTLINE_RES = (
    re.compile(r"^([一二三四五六七八九十]+)[、．.]\s*"),
    re.compile(r"^[（(]([一二三四五六七八九十]+)[)）]\s*"),
    re.compile(r"^(\d{1,2})(?:[、．]|\.(?!\d))\s*"),
    re.compile(r"^[（(](\d{1,2})[)）]\s*"),
)
GENERIC_CHAPTERS = {"总则", "附则", "总纲"}
SENTENCE_END = "。：；！？:;!?"
CLOSERS = "”’」』）)"

# Tags from headings, the first that matches (an exclusion heading also says 容错).
TAG_RULES = (
    ("exclusions", re.compile(r"不予容错|不得容错|不能容错|不适用容错|不予免责|不属于容错|不予免除")),
    ("mitigation", re.compile(r"从轻|减轻")),
    ("exemption", re.compile(r"免责|免予|免于|不予问责|不予追究")),
    ("situations", re.compile(r"容错情形|容错的情形|容错条件|容错的条件|可以容错|予以容错|容错纠错情形")),
)
TAG_NAMES = {
    "situations": "容错情形",
    "exclusions": "不予容错",
    "exemption": "免责",
    "mitigation": "从轻减轻",
}
LEAD_IN_RE = re.compile(r"(情形|条件|之一)[^。]*[：:]$")


@dataclass
class ParsedUnit:
    """A unit found in the document: its id, label, heading, text and tags."""

    id: str
    label: str
    heading: str
    paragraphs: list[str] = field(default_factory=list)
    tags: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        return "\n".join(self.paragraphs)


@dataclass
class Structure:
    """What was found: the units, the kind of structure and the paragraphs left out (title, 文号…)."""

    units: list[ParsedUnit]
    kind: str  # articles | outline | paragraphs
    context: list[str]


def tag_of(text: str) -> str | None:
    for name, pattern in TAG_RULES:
        if pattern.search(text):
            return name
    return None


def _is_marker(line: str) -> bool:
    return bool(ARTICLE_RE.match(line) or CHAPTER_RE.match(line) or any(r.match(line) for r in OUTLINE_RES))


def paragraphs_of(extracted: Extracted) -> list[str]:
    """Paragraphs: a .docx/.txt line is one; a PDF's lines are joined until a sentence ends or a new
    article, item or heading starts."""
    if not extracted.wrapped:
        return list(extracted.paragraphs)
    joined: list[str] = []
    for line in extracted.paragraphs:
        previous = joined[-1].rstrip(CLOSERS) if joined else ""
        if (
            not joined
            or _is_marker(line)
            or previous.endswith(tuple(SENTENCE_END))
            or _is_heading(joined[-1])
        ):
            joined.append(line)
        else:
            joined[-1] += line
    return joined


def _is_heading(paragraph: str) -> bool:
    match = CHAPTER_RE.match(paragraph)
    return bool(match) and len(paragraph) <= 30 and not paragraph.endswith(tuple(SENTENCE_END))


def parse(extracted: Extracted, as_paragraphs: bool = False) -> Structure:
    """The units of a document; IngestError when it has no recognisable structure (the paragraphs
    found are in the error, and ``as_paragraphs`` takes each paragraph as a unit instead)."""
    paragraphs = paragraphs_of(extracted)
    if as_paragraphs:
        units = [ParsedUnit(f"p{n}", f"第{n}段", "", [p]) for n, p in enumerate(paragraphs, 1)]
        return Structure(units, "paragraphs", [])
    if any(ARTICLE_RE.match(p) for p in paragraphs):
        structure = _articles(paragraphs)
    elif any(r.match(p) for r in OUTLINE_RES[:2] for p in paragraphs):
        structure = _outline(paragraphs)
    else:
        shown = [f"第{n}段：{p[:30]}" for n, p in enumerate(paragraphs[:20], 1)]
        raise IngestError(
            f"未识别出文件结构：找到 {len(paragraphs)} 段文字，但没有“第X条”或“一、（一）”等编号。"
            "如确需按段落入库，请加 --paragraphs（每段作为一个条文单元），入库前请核对。",
            shown,
        )
    _check_ids(structure.units)
    empty = [u.label for u in structure.units if not u.text.strip()]
    if empty:
        raise IngestError(f"以下条文没有文字：{'、'.join(empty[:10])}。请检查文件是否完整。")
    return structure


def _check_ids(units: list[ParsedUnit]) -> None:
    seen: dict[str, ParsedUnit] = {}
    for unit in units:
        if unit.id in seen:
            raise IngestError(
                f"编号重复：“{unit.label}”出现不止一次（单元编号 {unit.id}）。"
                "请检查文件是否含有附件或重复的条文编号，删去后再导入。",
                [f"{u.id}  {u.label}" for u in units],
            )
        seen[unit.id] = unit


def _articles(paragraphs: list[str]) -> Structure:
    units: list[ParsedUnit] = []
    context: list[str] = []
    chapter_tag: str | None = None
    chapter_title = ""
    article: _Article | None = None
    for paragraph in paragraphs:
        if _is_heading(paragraph):
            if article is not None:
                units.extend(article.units())
                article = None
            context.append(paragraph)
            title = CHAPTER_RE.sub("", paragraph).replace(" ", "").replace("\u3000", "")
            # A chapter's title is its articles' heading, unless it says nothing about them (总则).
            chapter_title = "" if title in GENERIC_CHAPTERS else title
            chapter_tag = tag_of(title)
            continue
        match = ARTICLE_RE.match(paragraph)
        if match:
            if article is not None:
                units.extend(article.units())
            article = _Article(match.group(1), paragraph[match.end() :], chapter_title, chapter_tag)
        elif article is None:
            context.append(paragraph)  # title, 文号, preface: not a unit
        else:
            article.add(paragraph)
    if article is not None:
        units.extend(article.units())
    return Structure(units, "articles", context)


@dataclass
class _Item:
    kind: int  # index into OUTLINE_RES
    number: str
    text: str  # without its marker
    paragraph: str  # as it stands in the article


class _Article:
    """One article being read: its paragraphs (款) and items."""

    def __init__(self, number: str, first: str, chapter: str, chapter_tag: str | None) -> None:
        self.id = str(chinese_number(number))
        self.label = f"第{number}条"
        self.chapter = chapter
        self.chapter_tag = chapter_tag
        self.paragraphs: list[str] = []
        self.clauses: list[tuple[str, list[_Item]]] = []  # per 款: its own paragraph and its items
        if first:
            self.add(first)

    def add(self, paragraph: str) -> None:
        self.paragraphs.append(paragraph)
        for kind, pattern in enumerate(OUTLINE_RES[1:], 1):
            match = pattern.match(paragraph)
            if match and self.clauses:
                self.clauses[-1][1].append(_Item(kind, match.group(1), paragraph[match.end() :], paragraph))
                return
        self.clauses.append((paragraph, []))

    def _tags(self, lead: str, default: tuple[str, ...]) -> tuple[str, ...]:
        """A list's lead-in names what its items are ("有下列情形之一的，不予容错："); else the chapter's."""
        tag = tag_of(lead) if LEAD_IN_RE.search(lead) else None
        return (tag,) if tag else default

    def units(self) -> list[ParsedUnit]:
        chapter = (self.chapter_tag,) if self.chapter_tag else ()
        tags = self._tags(self.clauses[0][0], chapter) if self.clauses else chapter
        out = [ParsedUnit(self.id, self.label, self.chapter, list(self.paragraphs), tags)]
        several = len(self.clauses) > 1
        for k, (lead, items) in enumerate(self.clauses, 1):
            if k == 1:
                prefix, label, clause_tags = self.id, self.label + ("第一款" if several else ""), tags
            else:
                prefix, label = f"{self.id}.p{k}", f"{self.label}第{_cn(k)}款"
                clause_tags = self._tags(lead, chapter)  # a later 款 is not its article's list
                body = [lead, *(i.paragraph for i in items)]
                out.append(ParsedUnit(prefix, label, self.chapter, body, clause_tags))
            out.extend(self._items(prefix, label, items, clause_tags))
        return out

    def _items(self, prefix: str, label: str, items: list[_Item], tags: tuple[str, ...]) -> list[ParsedUnit]:
        out: list[ParsedUnit] = []
        top_kind = items[0].kind if items else 0
        current: ParsedUnit | None = None
        for item in items:
            shown = f"（{item.number}）" if item.paragraph[:1] in "（(" else f"{item.number}."
            number = chinese_number(item.number)
            if item.kind == top_kind or current is None:
                current = ParsedUnit(
                    f"{prefix}.{number}", f"{label}第{shown}项", self.chapter, [item.text], tags
                )
                out.append(current)
            else:  # a sub-item: part of its item's text, and a unit of its own
                current.paragraphs.append(item.paragraph)
                out.append(
                    ParsedUnit(
                        f"{current.id}.{number}", f"{current.label}{shown}", self.chapter, [item.text], tags
                    )
                )
        return out


def _cn(n: int) -> str:
    names = "零一二三四五六七八九十"
    if n <= 10:
        return names[n]
    return ("" if n < 20 else names[n // 10]) + "十" + (names[n % 10] if n % 10 else "")


def _outline(paragraphs: list[str]) -> Structure:
    units: list[ParsedUnit] = []
    context: list[str] = []
    stack: list[tuple[int, ParsedUnit]] = []  # (marker rank, unit) from the outermost down
    for paragraph in paragraphs:
        found = _outline_marker(paragraph)
        if found is None:
            if not stack:
                context.append(paragraph)
                continue
            for _, open_unit in stack:  # a section's text is its whole subtree
                open_unit.paragraphs.append(paragraph)
            continue
        rank, match = found
        while stack and stack[-1][0] >= rank:
            stack.pop()
        number = chinese_number(match.group(1))
        parent = stack[-1][1] if stack else None
        marker = paragraph[: match.end()].strip()
        body = paragraph[match.end() :]
        heading = _heading_of(body)
        tag = tag_of(heading) if heading else None
        tags = (tag,) if tag else (parent.tags if parent else ())
        unit = ParsedUnit(
            f"{parent.id}.{number}" if parent else str(number),
            (parent.label if parent else "") + marker,
            heading,
            [body] if body else [],
            tags,
        )
        for _, open_unit in stack:
            open_unit.paragraphs.append(paragraph)
        units.append(unit)
        stack.append((rank, unit))
    for unit in units:
        if not unit.paragraphs:  # a bare heading with nothing under it: its words are its text
            unit.paragraphs = [unit.heading or unit.label]
    return Structure(units, "outline", context)


def _outline_marker(paragraph: str) -> tuple[int, re.Match[str]] | None:
    for rank, pattern in enumerate(OUTLINE_RES):
        match = pattern.match(paragraph)
        if match:
            return rank, match
    return None


def _heading_of(body: str) -> str:
    """The words a section opens with, when they read as its title (short, before the first 。)."""
    first = re.split(r"[。；;]", body, maxsplit=1)[0]
    return first if len(first) <= 30 else ""


def tag_names(tags: tuple[str, ...]) -> str:
    return "、".join(TAG_NAMES[t] for t in tags)
