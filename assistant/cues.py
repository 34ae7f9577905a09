"""Cue matching with negation and hedges: the shared mechanism behind factors, red lines and intents."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from assistant.normalize import fold

# A full stop between digits is a decimal point ("1.6万"), not a break.
# A space is a break too: unpunctuated phone messages separate their clauses with spaces.
CLAUSE_BREAK = re.compile(r"[,;!?，。；！？\s]|(?<!\d)\.|\.(?!\d)")
SENTENCE_BREAK = re.compile(r"[;!?。；！？\n]|(?<!\d)\.|\.(?!\d)")
# A denial after the thing denied, ending its clause: "好处都莫得", "回扣？没有", "一分钱也没拿".
_POST_NEGATION = re.compile(
    r"(上|里)?(都|也|全|一点|一分|一个|根本)?(没有|没|莫得|冇得?|没得|无)(拿|要|收|得|捞|沾|有|过|开|上|开过|上过|研究|讨论|碰|截|贪|揣|落)?(过|着|到)?(?=[,;!?，。；！？\s]|$)"
    # "董事会和国资委都不知道": the body named was never told
    r"|(和[^,;!?，。；！？\s]{0,6})?(都|也)(不知道|不知情|蒙在鼓里)(?=[,;!?，。；！？\s]|$)"
    # "自己家里没人涉及股份分配": nobody of those named took part
    r"|(里|家里)?(都|也)?(没人|没有人|无人|没一个人|没有一个人)(涉及|参与|拿|要|得|沾|占|入股|享受|分)"
)
LONG_CLAUSE = 40
HEDGE_REACH = 14
_A_NOT_A = re.compile(r"(.)[没不]\1")
# Of those, the ones that put a fact in question ("有没有", "收没收"); "能不能容错" asks for the verdict.
_FACT_QUESTION = re.compile(r"([有是收拿给报上定受算要用让批交退追查])[没不]\1")


@dataclass(frozen=True)
class CueHit:
    pattern: str
    start: int
    end: int
    clause: str
    negated: bool
    hedged: bool
    # The cue sits inside an A-not-A question of its own ("上没上会", "有没有具体规定"): it asks, not states.
    asks: bool = False


@dataclass(frozen=True)
class Language:
    """Negators, hedges and the words that end a negation's reach (from rules/language.yaml)."""

    negators: re.Pattern[str]
    hedges: re.Pattern[str]
    blockers: re.Pattern[str]
    hedge_breakers: re.Pattern[str]
    window: int
    # Doubt later in the sentence about whether the act broke a rule ("发了一笔高温补贴，我不确定标准是不是
    # 超了"): the teller does not state the violation, they ask about it.
    trailing_doubts: re.Pattern[str] | None = None
    # Confirmation later in the sentence settles what was reported ("听办公室的人聊…占了干股，纪委已经查实").
    confirmations: re.Pattern[str] | None = None
    # Compliance later in the sentence: a ban obeyed ("省里通知一律暂停，冰雪节只能取消") is no ban defied.
    complied: re.Pattern[str] | None = None
    # An allegation the story says was investigated and found untrue ("纪委查完说不属实").
    cleared: re.Pattern[str] | None = None
    # The teller says, in a sentence after, that they do not know the fact that decides it ("最后谁买的单、
    # 用的谁的钱，我不清楚"): what they told before it is not stated as a violation, it is asked about.
    unknowns: re.Pattern[str] | None = None
    # A gift handed back or in at once ("当天晚上就把卡送到单位纪检登记上交了"): what the rules ask of whoever
    # is given one, not a gift accepted.
    returned: re.Pattern[str] | None = None
    # The cost borne by the cadre ("酒店门票都是自己掏的，没报销"): a trip or a meal not at public expense.
    paid_own: re.Pattern[str] | None = None
    # The cadre declared a tie and stood aside ("投标前就书面报告了这层关系，评标、验收都回避了").
    recused: re.Pattern[str] | None = None

    @classmethod
    def load(cls, knowledge_dir: Path) -> Language:
        raw = load_yaml(knowledge_dir / "rules" / "language.yaml")
        return cls(
            negators=_alternation(raw["negators"]),
            hedges=_alternation(raw["hedges"]),
            blockers=_alternation(raw["negation_blockers"]),
            hedge_breakers=_alternation(raw["hedge_breakers"]),
            window=int(raw.get("negation_window", 10)),
            **{name: _alternation(raw[name]) if raw.get(name) else None for name in _OPTIONAL},
        )


# The lists language.yaml may leave out (each a Language field of the same name).
_OPTIONAL = (
    "trailing_doubts",
    "confirmations",
    "complied",
    "cleared",
    "unknowns",
    "returned",
    "paid_own",
    "recused",
)


def load_yaml(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"{path.name}: expected a mapping")
    return data


def _alternation(items: list[str]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{fold(str(i))})" for i in sorted(items, key=len, reverse=True)))


def compile_cues(cues: list[str]) -> list[re.Pattern[str]]:
    return [re.compile(fold(str(c))) for c in cues]


def _sentence_start(text: str, before: int) -> int:
    start = 0
    for m in SENTENCE_BREAK.finditer(text, 0, before):
        start = m.end()
    return start


# A negator's phrase that modifies a noun ("没完工的那段渠", "未验收的工程"), not a predicate; the negation stays
# real in "没上会的情况下" and in 是…的 ("我是没拿钱的。").
# "没有书面的安排" says there is none: an existential negator stays a negation.
_ATTRIBUTIVE = re.compile(
    r"[^\s,，。；;!?！？的]{1,4}的(?!情况|前提|时候|状态|[\s,，。；;!?！？啊呀吧嘛呢了]|$)"
)
_EXISTENTIAL = frozenset({"没有", "并没有", "没得", "莫得", "木有", "冇得"})


def _attributive(text: str, neg: re.Match[str]) -> bool:
    """Is the negator the head of a modifier ("没完工的那段渠"), not of the predicate?"""
    if neg.group(0) in _EXISTENTIAL or text[neg.start() : neg.end() + 1] in _EXISTENTIAL:
        return False
    return bool(_ATTRIBUTIVE.match(text, neg.end()))


# Someone's words put on the cadre in quotation marks ("巡察说他“个人决定大额资金”", "老师们传成“校长挪用
# 经费”", "有人讲阿拉“乱发补贴”"): what they call it, reported, not what the story states was done.
_ALLEGING = re.compile(
    r"(传成|说成|反映|举报|投诉|质疑|指责|定性为|扣(上)?|(说|讲|话|骂)(他|她|我|我们|阿拉|阮|俺|俺们|咱们|学校|街道|单位|村里|镇里|局里)"
    r"(是|在)?|(有人|群众|家长|村民|网友|网上|同事|居民)[^“”\"。，,]{0,6}(说|讲|话|把|发帖|发了|贴了|传))[^“”\"。，,]{0,2}[“\"]$"
)


def quoted_allegation(text: str, position: int) -> bool:
    """Does the position fall inside quotation marks that open right after someone's allegation?"""
    opening = max(text.rfind("“", 0, position), text.rfind('"', 0, position))
    if opening < 0 or "”" in text[opening:position]:
        return False
    closing = text.find("”", position)
    if closing < 0 or closing - opening > 40:
        return False
    return bool(_ALLEGING.search(text[max(0, opening - 10) : opening + 1]))


def _clause_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    left = 0
    for m in CLAUSE_BREAK.finditer(text, 0, start):
        left = m.end()
    nxt = CLAUSE_BREAK.search(text, end)
    return left, (nxt.start() if nxt else len(text))


def hedged_at(text: str, left: int, right: int, cue: int, lang: Language, trailing: bool = False) -> bool:
    """A hedge in the cue's own clause, or earlier in its sentence with no confirmation between:
    reported speech runs on ("有村民举报说分得不公平，他亲戚家也领了") until something settles it
    ("公司说是公开比选的，可后来纪委查出来，他拿了六万多").
    ``trailing``: doubt later in the sentence reaches back too (for acts, not for the favourable facts told
    beside them: "发了一笔高温补贴，我不确定标准是不是超了")."""
    sentence_end = SENTENCE_BREAK.search(text, right)
    end = sentence_end.start() if sentence_end else len(text)
    if trailing and lang.trailing_doubts is not None and lang.trailing_doubts.search(text, right, end):
        return True
    if lang.unknowns is not None and lang.unknowns.search(text, right):
        return True
    if lang.confirmations is not None and lang.confirmations.search(text, right, end):
        return False  # what was reported is confirmed later in the sentence
    if right - left > LONG_CLAUSE:
        # An unpunctuated phone message is one long "clause": a hedge reaches only the words near it
        # ("…他自己一分没拿 现在财政说没走采购程序 这个算不算" does not put 一分没拿 in doubt).
        if lang.hedges.search(text, max(left, cue - HEDGE_REACH), min(right, cue + HEDGE_REACH)):
            return True
    elif lang.hedges.search(text, left, right):
        return True
    start = _sentence_start(text, left)
    # (a hedge begun before the clause may run into it: "网上有个帖子，说某局长…")
    for hedge in lang.hedges.finditer(text, start, right):
        if hedge.start() >= left:
            break
        if not lang.hedge_breakers.search(text, hedge.end(), cue):
            return True
    return False


def find_cues(
    text: str,
    patterns: list[re.Pattern[str]],
    lang: Language,
    inner_negation: bool = False,
    acts: bool = False,
) -> list[CueHit]:
    """Every match of the patterns in text, each marked negated/hedged by its own clause.

    ``inner_negation``: the patterns carry no negation of their own (the violation lexicon), so a
    negator inside a match denies it ("村干部没人入股分钱" matches "干部…入股").
    ``acts``: the patterns name acts (violations, red lines), which doubt later in the sentence reaches
    too."""
    hits: list[CueHit] = []
    for pattern in patterns:
        for m in pattern.finditer(text):
            left, right = _clause_bounds(text, m.start(), m.end())
            # "有没有人拿好处" asks, it does not deny: A-not-A questions never negate.
            before = _A_NOT_A.sub("？？？", text[left : m.start()])
            negated = False
            # A negator negates the cue only when it stands close before it, with no word between
            # them that starts a new predicate ("没走程序就收了好处" is not a denial of 好处).
            for neg in lang.negators.finditer(before):
                gap = before[neg.end() :]
                if inner_negation and _attributive(before, neg):
                    continue  # an act told after a modifier ("提前让乡里把没完工的那段渠用彩条布盖上")
                if len(gap) <= lang.window and not lang.blockers.search(gap):
                    negated = True
            if not negated and _POST_NEGATION.match(text, m.end()):
                negated = True
            if inner_negation and not negated:
                # "把没完工的那段渠用彩条布盖上": a negator inside a modifier ("没完工的渠") denies nothing.
                negated = any(
                    not _attributive(text, neg)
                    for neg in lang.negators.finditer(text, m.start() + 1, m.end())
                )
            if m.group(0) and lang.negators.match(m.group(0)):
                negated = False  # the cue carries its own negation ("没上会")
            # "上没上会": an A-not-A question around a cue that carries its own negation asks, not states.
            asks = (
                m.start() > 0
                and m.group(0)[:1] in "没不"
                and text[m.start() - 1] == text[m.start() + 1 : m.start() + 2]
            )
            clause = text[left:right]
            near = clause
            if right - left > LONG_CLAUSE:
                near = text[max(left, m.start() - HEDGE_REACH) : min(right, m.end() + HEDGE_REACH)]
            hedged = (
                asks
                or bool(_FACT_QUESTION.search(near))
                or hedged_at(text, left, right, m.start(), lang, acts)
                or quoted_allegation(text, m.start())
            )
            hits.append(
                CueHit(pattern.pattern, m.start(), m.end(), text[left:right].strip(), negated, hedged, asks)
            )
    hits.sort(key=lambda h: h.start)
    return hits
