"""Quotations in a model's prose: every span it presents as somebody's words must be those words.

A span counts as quoted when it stands between quotation marks (“…”, 「…」, 『…』, "…") or when it
follows a named article and a colon (《问责条例》第十七条规定：……). The citation check only covers the
``citations`` field; without this a model could cite a real clause and, beside it, put words in the
clause's mouth (条文明确规定“收受财物数额较小的可以免予问责”) that a reader takes for the source.

Quoted words must be an exact substring of one of the texts allowed for them (the caller decides:
the units cited, the user's own words, names the knowledge base uses). Words attributed to a named
article must be that article's own (or one of its items'): a true sentence of 第十八条 presented as
第十七条 misleads as much as an invented one. Only the edges are forgiving: surrounding spaces and
a closing 。； that the model adds, and an ellipsis (……) marking an omission, splitting the quote
into parts that must each be found in the same source.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

OPENERS = {"“": "”", "「": "」", "『": "』", '"': '"'}
_EDGE = " \t\r\n　。；;，,、：:！？!?"
_ELLIPSIS = re.compile(r"…+|\.{3,}|⋯+")
_NUMBER = r"[一二三四五六七八九十百零〇两\d]+"
# A named article: 《中国共产党问责条例》第十七条, 问责条例第十七条第一款第（一）项.
_REF = (
    r"(?P<ref>(?:《[^《》\n]{1,40}》|[\u4e00-\u9fff]{2,12})"
    rf"第{_NUMBER}条(?:第{_NUMBER}款)?(?:第[（(]?{_NUMBER}[)）]?项)?)"
)
# ... followed by a verb of saying and a colon or an opening quotation mark: the words are its.
_ATTRIBUTED = re.compile(
    _REF
    + r"(?:中|里)?的?(?:明确)?(?:规定|指出|写道|要求|载明|提出|强调|表述|明确)?(?:为|是|了)?[，,]?\s*"
    + r"(?P<open>[：:“「『\"])"
)
# Unnamed but still presented as the text itself: 条文规定：…, 原文为：…
_SAID = re.compile(r"(?:规定|写道|载明|原文(?:为|是)?)[：:]")
_UNTIL_SENTENCE_END = re.compile(r"[^。；;！？!?\n]+")
_CITATION_MARK = re.compile(r"\[\d{1,2}\]")


@dataclass(frozen=True)
class Quotation:
    """Words the prose presents as a source's: where they start, and the article named, if any."""

    text: str
    start: int
    named: str | None = None  # the article reference (问责条例第十七条) the words are attributed to


def _marked(prose: str) -> list[tuple[int, int, int]]:
    """(opening mark index, content start, content end) of every quotation-mark pair; an opening
    mark never closed quotes the rest of the prose (it still must be verified)."""
    spans: list[tuple[int, int, int]] = []
    i = 0
    while i < len(prose):
        closer = OPENERS.get(prose[i])
        if closer is None:
            i += 1
            continue
        end = prose.find(closer, i + 1)
        if end < 0:
            spans.append((i, i + 1, len(prose)))
            break
        spans.append((i, i + 1, end))
        i = end + 1
    return spans


def open_quotation(text: str) -> bool:
    """Whether ``text`` ends inside a quotation (an opening mark not yet closed): a stream must not
    show a sentence cut there, since the rest of the quotation is not known yet."""
    return any(end == len(text) for _, _, end in _marked(text))


def quotations(prose: str) -> list[Quotation]:
    """Every quotation in ``prose``: marked spans (with the article they follow, if named) and the
    unmarked words after a named article and a colon."""
    named_at: dict[int, str] = {}  # opening-mark index → the article named right before it
    found: list[Quotation] = []
    for m in _ATTRIBUTED.finditer(prose):
        if m.group("open") in OPENERS:
            named_at[m.start("open")] = m.group("ref")
            continue
        rest = _UNTIL_SENTENCE_END.match(prose, m.end())
        if rest and rest.group(0).strip() and rest.group(0).lstrip()[0] not in OPENERS:
            found.append(Quotation(rest.group(0), rest.start(), m.group("ref")))
        elif rest and rest.group(0).strip():
            at = rest.start() + (len(rest.group(0)) - len(rest.group(0).lstrip()))
            named_at[at] = m.group("ref")
    covered = {q.start for q in found}
    for m in _SAID.finditer(prose):
        rest = _UNTIL_SENTENCE_END.match(prose, m.end())
        words = rest.group(0) if rest else ""
        if words.strip() and rest and rest.start() not in covered and words.lstrip()[0] not in OPENERS:
            found.append(Quotation(rest.group(0), rest.start()))
    for mark, start, end in _marked(prose):
        found.append(Quotation(prose[start:end], start, named_at.get(mark)))
    return sorted(found, key=lambda q: q.start)


def _parts(text: str) -> list[str]:
    text = _CITATION_MARK.sub("", text)  # the model's [n] marks are ours, not the source's words
    return [p.strip(_EDGE) for p in _ELLIPSIS.split(text) if p.strip(_EDGE)]


def found_in(quote: str, sources: Sequence[str]) -> bool:
    """Whether every part of ``quote`` (split at ellipses) is an exact substring of one same source."""
    parts = _parts(quote)
    if not parts:
        return True  # “” or “……”: no words are claimed
    return any(all(p in source for p in parts) for source in sources)


def unverified(
    prose: str, sources: Sequence[str], named_sources: Callable[[str], list[str] | None]
) -> list[Quotation]:
    """The quotations of ``prose`` found in none of the sources allowed. ``named_sources(ref)`` gives
    the texts of a named article (None when it cannot be resolved: then ``sources`` apply)."""
    bad: list[Quotation] = []
    for q in quotations(prose):
        allowed = named_sources(q.named) if q.named else None
        if not found_in(q.text, sources if allowed is None else allowed):
            bad.append(q)
    return bad
