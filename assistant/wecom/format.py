"""Answers formatted for WeChat Work: a verdict line, the answer, a compact numbered citation list,
split into messages of at most 2048 UTF-8 bytes (the limit of text and markdown messages).

Splits fall between lines; a line too long for one message is cut between sentences, and never inside
a citation mark 〔…〕 or a quotation “…”, so a cited clause always arrives whole in one message.
"""

from __future__ import annotations

from assistant.domain import Answer, Verdict

MESSAGE_BYTES = 2048
_PART_MARK_BYTES = 24  # room kept for "（2/3）\n"
VERDICT_LABELS: dict[Verdict, str] = {
    Verdict.TOLERABLE: "可以容错",
    Verdict.NOT_TOLERABLE: "不予容错",
    Verdict.NEEDS_MORE_FACTS: "需补充事实",
    Verdict.NOT_APPLICABLE: "知识问答",
    Verdict.OUT_OF_SCOPE: "超出范围",
}
# WeChat Work markdown knows three font colours: info (green), warning (orange), comment (grey).
_COLOURS: dict[Verdict, str] = {
    Verdict.TOLERABLE: "info",
    Verdict.NOT_TOLERABLE: "warning",
    Verdict.NEEDS_MORE_FACTS: "comment",
}
_SENTENCE_END = "。；！？!?;"
_OPENERS, _CLOSERS = "〔“「（(《", "〕”」）)》"


def size(text: str) -> int:
    """The length WeChat counts: UTF-8 bytes."""
    return len(text.encode("utf-8"))


def citation_list(answer: Answer) -> list[str]:
    """The citations as compact numbered lines: [1] 《…》第十七条（条文待核）."""
    return [
        f"[{n}] {c.title}{'（条文待核）' if not c.verified else ''}"
        for n, c in enumerate(answer.citations, 1)
    ]


def layout_lines(answer: Answer) -> list[str]:
    """A judgement laid out for a phone: conclusion and advisory, what changed, the numbered follow-ups
    with the replies that answer them, the six factors in the user's words, the reasons, and how to
    correct the reading. Each cited quote appears once, in the citation list."""
    lines = [f"（{answer.advisory}）"]  # the conclusion goes beside the verdict badge
    if answer.changes:
        lines.append(answer.changes)
    if answer.follow_ups:
        lines.append("")
        lines.append("请补充（回复编号和答案即可，如“1 是”）：")
        for n, f in enumerate(answer.follow_ups, 1):
            lines.append(f"{n}. {f['question']}")
            picks = [a["label"] for a in f["answers"]]
            keys = ["是", "否"] + [""] * len(picks)
            shown = [
                f"“{n} {p}”" if p == "不清楚" or not k else f"“{n} {k}”={p}"
                for k, p in zip(keys, picks, strict=False)
            ]
            if shown:
                lines.append("   回复 " + "；".join(shown))
    lines.append("")
    lines.append("六个方面：")
    unknown = []
    for card in answer.factor_card:
        if card["value"] == "unknown" and not card["confirmed"]:
            unknown.append(card["label"])
            continue
        item = f"· {card['label']}：{card['value_label']}"
        if card["confirmed"]:
            item += "（您已确认）"
        elif card["words"]:
            item += f"——“{card['words']}”" + ("（据称）" if card["hedged"] else "")
        lines.append(item)
    if unknown:
        lines.append("· 未说明：" + "、".join(unknown))
    if answer.reasons:
        lines.append("理由：" + "；".join(answer.reasons) + "。")
    lines.append("读得不对？回复如“动机：为公”“决策过程：集体研究”即可更正；“重新开始”清空。")
    return lines


def cited_quotes(answer: Answer) -> list[str]:
    """The citations with their quotes, once each: [1] 《…》第十七条：“…”."""
    return [
        f"[{n}] {c.title}{'（条文待核）' if not c.verified else ''}：“{c.quote}”"
        for n, c in enumerate(answer.citations, 1)
    ]


def render(answer: Answer, markdown: bool) -> str:
    """The whole message before splitting."""
    label = VERDICT_LABELS.get(answer.verdict, str(answer.verdict))
    head = ""
    if answer.factor_card:  # a judgement: the structured layout, not the prose
        head, body = answer.conclusion, "\n".join(layout_lines(answer)).strip()
        cites = cited_quotes(answer)
    else:
        body, cites = answer.answer.strip(), citation_list(answer)
    if not markdown:
        parts = [f"【{label}】{head}", body]
        if cites:
            parts.append("引用：\n" + "\n".join(cites))
        return "\n\n".join(parts)
    colour = _COLOURS.get(answer.verdict)
    badge = f'<font color="{colour}">{label}</font>' if colour else label
    parts = [f"**{badge}** {head}".rstrip(), body]
    if cites:
        parts.append("> 引用\n" + "\n".join(f"> {c}" for c in cites))
    return "\n\n".join(parts)


def _protected_cut(line: str) -> list[str]:
    """Sentences of a line, each ending at a sentence mark outside any 〔〕 “” 《》 （） pair."""
    pieces, depth, start = [], 0, 0
    for i, ch in enumerate(line):
        if ch in _OPENERS:
            depth += 1
        elif ch in _CLOSERS:
            depth = max(0, depth - 1)
        elif ch in _SENTENCE_END and depth == 0:
            pieces.append(line[start : i + 1])
            start = i + 1
    if start < len(line):
        pieces.append(line[start:])
    return pieces


def _hard_cut(text: str, limit: int) -> list[str]:
    """Last resort for one sentence longer than a message: cut at character (never byte) boundaries."""
    out, current = [], ""
    for ch in text:
        if size(current + ch) > limit:
            out.append(current)
            current = ""
        current += ch
    return out + ([current] if current else [])


def _units(text: str, limit: int) -> list[str]:
    """Pieces that each fit ``limit`` and may be joined back with newlines or nothing."""
    units: list[str] = []
    for line in text.split("\n"):
        if size(line) <= limit:
            units.append(line)
            continue
        sentences: list[str] = []
        for sentence in _protected_cut(line):
            sentences.extend([sentence] if size(sentence) <= limit else _hard_cut(sentence, limit))
        # Pieces of one line are glued without a newline; mark them so packing knows.
        units.extend(sentences[:1] + ["\x00" + s for s in sentences[1:]])
    return units


def split_message(text: str, limit: int = MESSAGE_BYTES) -> list[str]:
    """Split text into messages of at most ``limit`` bytes, numbered （1/n） when more than one."""
    if size(text) <= limit:
        return [text]
    budget = limit - _PART_MARK_BYTES
    parts: list[str] = []
    current = ""
    for unit in _units(text, budget):
        glued = unit.startswith("\x00")
        piece = unit[1:] if glued else unit
        joined = (current + piece if glued else f"{current}\n{piece}") if current else piece
        if size(joined) <= budget:
            current = joined
        else:
            parts.append(current)
            current = piece
    if current:
        parts.append(current)
    parts = [p.strip("\n") for p in parts if p.strip()]
    return [f"（{i}/{len(parts)}）\n{p}" for i, p in enumerate(parts, 1)]


def format_answer(answer: Answer, markdown: bool, limit: int = MESSAGE_BYTES) -> list[str]:
    """The messages that carry an answer to a WeChat Work user."""
    return split_message(render(answer, markdown), limit)
