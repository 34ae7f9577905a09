"""The rule reader: cue phrases (knowledge/rules) with negation and hedges, read clause by clause.

It is precise where its phrases reach; the clause model (``model.py``) reads what they miss.
"""

from __future__ import annotations

import dataclasses
import re

from assistant.cues import CLAUSE_BREAK, CueHit, find_cues, quoted_allegation
from assistant.domain import FactorValue
from assistant.reading.facts import Compliance, Fact, Facts, Sighting
from assistant.rules import FactorRule, Rules, ViolationRule

# A question about the fact itself ("有没有收", "是不是他定的", "…吗？") asks; anything else hedged reports.
_ASKS = re.compile(r"([有是收拿给报上定算])[没不]\1|吗[?？]?$|[?？]|是否|算不算|会不会")
# Whose conduct: the actor named first in the sentence of the act. A third party first ("企业伙同事务所
# 造假，骗取了补贴") makes it theirs; the teller, a pronoun or an official first makes it the subject's.
_THIRD_PARTY = re.compile(
    r"企业|公司|老板|中介|事务所|施工方|施工队|开发商|商户|申请人|承包人|承包商|供应商|对方|村民(?!代表|大会|小组|委员会|议事)|群众|家属|患者|骗子|评估机构"
    r"|团伙|不法分子|它(?!们)|一户人家|个体户|业主|承租人|申请户|种粮大户|厂方|厂里|厂家|工厂|商家|矿主|老板娘|项目经理|监理"
    # households said to have done it ("有四户多报了三十几头"), and the kin of someone named ("他儿子…是故意瞒到的")
    r"|(?<!还)有[一二三四五六七八九十几两\d]+户|养殖户|贫困户|低保户"
    r"|儿子|女儿|老婆|媳妇|丈夫|女婿|儿媳"
    # someone unnamed ("结果有个人虚假承诺骗了个补贴")
    r"|有个人|个别人"
)
_SUBJECT = re.compile(
    r"我|他(?!们|儿子|女儿|老婆|媳妇|家)|她(?!们|儿子|女儿|丈夫|老公|家)|本人|会计|出纳|支书|书记|主任|局长|科长|站长|所长|镇长|乡长|村长|院长|校长|(?<!项目)经理|干部|领导|班子|处长|厅长"
)
# "那套材料是专业造假团伙伪造的": the act's doer named after it, as the one who did it.
_DONE_BY_THIRD = re.compile(
    r"[^,，。；;]{0,16}(是|被|由)[^,，。；;]{0,8}("
    + _THIRD_PARTY.pattern
    + r")[^,，。；;]{0,6}(伪造|造假|编造|做|弄|提供|虚构|篡改|骗)"
)
# "专业造假团伙": the act's word naming the third party that does it.
_DOER_NOUN = re.compile(
    r"(伪造|造假|诈骗|骗保|骗贷|骗补|虚开(增值税)?(专用)?发票)(的)?(团伙|分子|公司|企业|中介|机构)"
)
# "让运维公司装了喷雾": a third party named right after a causative verb is the one made to act; the act is
# the causer's, so such a mention does not make the act a third party's.
# ("授意辖区一家重点排污企业调整参数": the one made to act may come with a few words of description)
_CAUSATIVE = re.compile(r"(让|叫|要求|安排|授意|指使|示意|吩咐|交代|逼着?|找了?)[^,，。；;]{0,10}$")
_DECEIVED = re.compile(r"被.{0,6}(骗|蒙骗|蒙蔽|糊弄|忽悠)|骗了(我们|他|咱)|瞒着(我们|他|单位)")
_SENTENCE = re.compile(r"[.;!?。；！？\n]")
# The families a third party can commit in a cadre's story without it being the cadre's own act.
THIRD_PARTY_FAMILIES = frozenset({"fraud", "coercion", "obstruct", "false_report", "ban"})
# Factor values a third party's act can carry in the subject's story ("企业故意隐瞒").
THIRD_PARTY_VALUES = frozenset({"deliberate", "not_remedied"})
FAVOURABLE = frozenset({"public", "negligent", "exploratory", "collective", "minor", "remedied"})


# "将两家企业产值各调高约15%": a third party named right after 将/把 is what is acted on, not the actor.
_OBJECT = re.compile(r"(将|把)[^,，。；;]{0,4}$")


def _acts(clause: str, at: int) -> bool:
    """Is the third party named at ``at`` acting, not made to act or acted on?"""
    before = clause[:at]
    return not _CAUSATIVE.search(before) and not _OBJECT.search(before)


def _acting_third(clause: str) -> re.Match[str] | None:
    """The first third party the clause names as acting, not as made to act or acted on."""
    return next((m for m in _THIRD_PARTY.finditer(clause) if _acts(clause, m.start())), None)


def third_party_actor(text: str, position: int) -> bool:
    """Is the actor of the act at ``position`` a third party (or the subject deceived)?"""
    start = 0
    for m in _SENTENCE.finditer(text, 0, position):
        start = m.end()
    sentence = text[start:position]
    if (
        _DECEIVED.search(text[start : position + 12])
        or _DONE_BY_THIRD.match(text, position)
        or _DOER_NOUN.match(text, position)
    ):
        return True
    # A clause that names the subject as its own actor is the subject's ("开发商说…，我知道按规定…必须…");
    # a clause naming no actor takes the sentence's first ("老板…另搭了个棚，故意用货堆挡着").
    clause = sentence[max((m.end() for m in CLAUSE_BREAK.finditer(sentence)), default=0) :]
    own_subject, own_third = _SUBJECT.search(clause), _acting_third(clause)
    if own_subject is not None and (own_third is None or own_subject.start() < own_third.start()):
        return False
    if own_third is not None and own_subject is None:
        return True  # "…审核不细，导致企业骗取财政补贴": the clause names its own doer, a third party
    # Otherwise the sentence's first actor, unless the person asked about is named after every third party
    # ("上访群众冲突…，党委书记…，让…材料都改成…": the secretary's act).
    thirds = [m.start() for m in _THIRD_PARTY.finditer(sentence) if _acts(sentence, m.start())]
    subjects = [m.start() for m in _SUBJECT.finditer(sentence)]
    if not thirds:
        return False
    if subjects and subjects[-1] > thirds[-1]:
        return False
    return not subjects or thirds[0] < subjects[0]


def certainty(hit: CueHit) -> str:
    if not hit.hedged:
        return "stated"
    return "asked" if _ASKS.search(hit.clause) else "reported"


# "系统漏掉了几个冒领的": the act named as what some people did ("几个…的") is theirs, not the teller's.
_DOERS_BEFORE = re.compile(
    r"(一些|个别|部分|有些|有的|少数|[一二三四五六七八九十几两\d]+)(个|户|家|名|位|人)?$"
)
# "这个会不会算统计造假？": the user asks how to classify what they told and names a violation only as the
# thing to rule out. Such words state no red flag; the facts the story states decide.
_CLASSIFY = re.compile(
    r"(会不会|算不算|是不是|属不属于|构不构成|能不能|会被|怕被|担心被)(算|认定为?|定性为?|属于|构成|当成|当作|说成)?"
    r"|(能说是|可以说是|能算|算得上|这种算|这个算|那个算|这样算|这也算|这都算|这算|算是|按)(在|是|作)?$|(?<![预打计清结核盘])算(他|她|我|是)?(个人|一个人|属于)?$|(能否|能不能|可否|可不可以|可以|想)(以|按|当作?|算作?|作为)[“‘]?[^,，。？?]{0,10}$|还是(可以|能|属于|算)?[^。]{0,8}$|(这种|这个|这样|这事|这)(也|都)?(属于|算是?)[^。，,？?]{0,8}$"
)


# Who is heard making a claim: the officials and others a story quotes.
_SPEAKERS = "[\u4e00-\u9fff]某|他|她|当事人|负责人|董事长|总经理|经理|局长|书记|镇长|乡长|县长|区长|村长|支书|主任|院长|校长|站长|所长|科长|处长|老板|领导"
# Words that present what follows as someone's claim or pretext ("说是急事急办", "美其名曰改革").
_CLAIMED = re.compile(
    r"说是|称是|号称|美其名曰|借口|名义上|打着[^,，。]{0,6}(旗号|名义)|理由是"
    # (the claim ends at a new clause: "书记开会说先社区垫上 我一分没拿" is the teller's own word)
    rf"|({_SPEAKERS})[^,，。\s]{{0,4}}(说|称|声称|辩称|解释)[^,，。\s]{{0,8}}$"
)
_QUESTION = re.compile(r"[吗么嘛？?]|能不能|可不可以|行不行|会不会|算不算|是不是|算[^,，。]{0,12}[不没]$")
# "这个不算接受宴请吧": a tag question whether the story counts as the act, after the story is told.
_TAG_QUESTION = re.compile(r"算[^,，。]{0,12}吧$")


def actor(text: str, hit: CueHit, family: str) -> str:
    """ "subject" unless the words make a third party the actor of this act, or the subject its victim."""
    if family not in THIRD_PARTY_FAMILIES:
        return "subject"
    if third_party_actor(text, hit.start):
        return "third_party"
    if _DOERS_BEFORE.search(text[max(0, hit.start - 4) : hit.start]) and text[hit.end : hit.end + 1] == "的":
        return "third_party"
    return "subject"


# "能否要求补记纪要？": whether one may do something, asked before it is done.
_MAY_I = re.compile(r"(能否|能不能|可否|可不可以|是否可以|该不该|要不要)[^,，。；;]{0,6}$")
_QUOTES = "“\"'‘"
_UNQUOTES = "”\"'’"


def names_in_question(text: str, start: int, end: int) -> bool:
    """Does a question name the act at ``start:end`` as a term or as something one might do, rather than tell
    it done? In quotation marks (“什么情况才算“对抗组织审查”？”, “这跟“串供”是一回事吗？”) or asked whether
    one may do it (“能否要求补记纪要？”), in a sentence that asks."""
    close = _SENTENCE.search(text, end)
    sentence_end = close.start() if close else len(text)
    opening = max((m.end() for m in _SENTENCE.finditer(text, 0, start)), default=0)
    sentence = text[opening : sentence_end + 1]
    if not ("?" in sentence or "？" in sentence or "吗" in sentence):
        return False
    before, after = text[opening:start], text[end:sentence_end]
    # (a quotation that closes inside the act names a word of it, not the act: "搞了个'团建'去桂林玩了三日")
    inside = text[start : end - 1]
    quoted = (
        bool(before)
        and before[-1] in _QUOTES
        and not any(q in inside for q in _UNQUOTES)
        or (any(q in before for q in _QUOTES) and any(q in after[:12] for q in _UNQUOTES))
    )
    # (words put on someone in quotation marks, "有人在背后说我“给自家人吃低保”", are an allegation, not a term)
    return (quoted and not quoted_allegation(text, start)) or bool(_MAY_I.search(before))


# "关于招商接洽中客商赠送礼金的情况说明：…": a report's title names its subject, not an act done.
_TITLE = re.compile(r"\s*关于[^。:：\n]{2,60}的(情况)?(说明|报告|请示|汇报|函|材料)")


def in_title(text: str, start: int) -> bool:
    """Does the position fall inside the title the message opens with?"""
    title = _TITLE.match(text)
    return title is not None and start < title.end()


def asks_classification(text: str, start: int) -> bool:
    """Do the words just before ``start`` ask whether the story counts as what follows?"""
    return bool(_CLASSIFY.search(text[max(0, start - 12) : start]))


def _pick(hits: list[tuple[CueHit, FactorRule, str]], dominant: str | None) -> tuple[CueHit, FactorRule, str]:
    firm = [h for h in hits if not h[0].hedged]
    rumours = [h for h in hits if h[2] == dominant]
    if rumours and all(h[0].hedged for h in rumours):
        # "有人举报说他收了钱…结论是没有问题，钱一分没收": the teller's own denial after the report settles it.
        later = [h for h in firm if h[0].negated and h[0].start > rumours[-1][0].start]
        if later:
            return later[-1]
    if dominant:
        # A dominant value wins even when only rumoured: it then stays hedged and must be confirmed.
        for group in (firm, hits):
            for hit in group:
                if hit[2] == dominant:
                    return hit
    # otherwise the last statement in the message wins (hits are grouped by rule: order them by position)
    return max(firm or hits, key=lambda h: h[0].start)


# What a rule requires is no fact of what was done ("制度规定对外担保必须经董事会审议"); what was done by the
# rules is ("按规定报了备案").
_REQUIRED = re.compile(
    r"(?<![按依照])(必须|应当|应该|需要|须|要求|规定)(先)?(经|经过|报|由)?[^,，。；]{0,8}$"
)
# A clause that goes on to what was done ends the claim ("他认为时间太紧，先后两次书面向县里报告…").
_CLAIM_ENDS = re.compile(r"[,，;；](先后|随后|于是|并且|接着|当即|马上)")


def _claimed_in_sentence(text: str, start: int) -> bool:
    """Is the circumstance at ``start`` inside what someone claims earlier in its sentence?"""
    sentence = text[max(text.rfind(m, 0, start) for m in "。！？!?") + 1 : start]
    said = [m.end() for m in _CLAIM_SPEECH.finditer(sentence)]
    return bool(said) and not _CLAIM_ENDS.search(sentence, said[-1])


# Reported speech that presents a circumstance as someone's claim ("总经理现在说企业倒闭是市场原因，谁也预料不到").
_CLAIM_SPEECH = re.compile(
    rf"(?<![跟和对向给])({_SPEAKERS}|对方|的人|他们|大家|有人|村委|班子|县长)(都|现在|事后|后来|一直|却)?(说|称|声称|辩称|解释|认为)"
)


def read_turn(text: str, rules: Rules, facts: Facts, turn: int = 0) -> None:
    """Update ``facts`` with what one (normalised) message says; later messages override earlier."""
    by_factor: dict[str, list[tuple[CueHit, FactorRule, str]]] = {}
    for rule in rules.factor_rules:
        for hit in find_cues(text, rule.patterns, rules.language):
            if hit.negated and not rule.negated:
                continue  # a denied cue with no stated opposite says nothing either way
            if asks_classification(text, hit.start) or in_title(text, hit.start):
                continue  # "会不会算故意", "这种算在探索吧": the question names a category, not a fact
            value = rule.negated if hit.negated and rule.negated else rule.value
            if value in FAVOURABLE and _REQUIRED.search(text[max(0, hit.start - 12) : hit.start]):
                continue  # a requirement named, not a fact told
            if (
                value in FAVOURABLE
                and not hit.hedged
                and (
                    _CLAIMED.search(text[max(0, hit.start - 8) : hit.start])
                    or _speaker_claims(text, hit.start, hit.end, rules)
                )
            ):
                hit = dataclasses.replace(hit, hedged=True)  # "说是帮企业渡难关": a claim, reported
            if value == "deliberate" and _SHORTCUT.search(hit.clause) and _in_emergency(text, hit, rules):
                continue  # "紧急采购，不走招标和比价": the emergency's own handling, not a knowing violation
            if value == "remedied" and _PLANNED.search(text[max(0, hit.start - 16) : hit.start]):
                continue  # "等第二年资金到了再补回去": a remedy planned, not made
            if value == "serious" and _rescued(text, hit):
                continue  # "巡查时发现一名村民被困山沟，腿部骨折…送至卫生院": the harm met, not caused
            if value == "prohibited" and _complied(text, hit, rules):
                continue  # "省里通知大型活动一律暂停，冰雪节只能取消": a ban obeyed is no ban defied
            if value == "private" and (
                _gift_handed_in(text, hit, rules) or _paid_own_after(text, hit, rules)
            ):
                # "对方临别时留下一个红包…次日原封不动交至局机关纪委": refused, no gain; "周末在杭州玩了两天，
                # 酒店门票都是自己掏的": a private trip paid privately
                continue
            if value == "private" and _RELATION.search(hit.clause) and _recused(text, rules):
                continue  # "堂哥的公司中标…村主任事前书面报告了这层关系，评标验收都回避了": no gain of his
            if value in THIRD_PARTY_VALUES and third_party_actor(text, hit.start):
                # "企业是用伪造的土地证骗的担保", "企业…未按期补齐材料": the third party's, not the subject's
                continue
            by_factor.setdefault(rule.factor, []).append((hit, rule, value))
    disputed: dict[str, str] = {}
    for factor, hits in by_factor.items():
        hit, rule, value = _pick(hits, rules.dominant.get(factor))
        rumoured_red_flag = hit.hedged and value == rules.dominant.get(factor)
        if rumoured_red_flag and cleared_after(text, hit.end, rules):
            continue  # "被人举报说收了红包，纪委查完说不属实": a rumour investigated and cleared
        firm_values = {h[2] for h in hits if not h[0].hedged}
        if len({h[2] for h in hits}) > 1 and not firm_values and not rumoured_red_flag:
            # Only reported accounts, and they disagree: the fact is in dispute. A fact the teller states
            # stands against hearsay; a rumoured red flag stays a red line to be confirmed.
            disputed[factor] = hit.clause
        polarity = "denied" if hit.negated else "stated"
        sure = certainty(hit)
        facts.items.append(Fact("factor", factor, value, hit.clause, turn, polarity, sure))
        if sure == "asked" and value != rules.dominant.get(factor) and value in FAVOURABLE:
            # "有没有上会？" asks for the fact; it does not state it (a red flag asked about stays, hedged).
            continue
        facts.factors[factor] = FactorValue(value, hit.clause, hit.hedged)
        if factor == "motive":
            # "没有哪个村干部从中拿好处": a firm denial of gain anywhere in the message, unless gain wins.
            denials = [h for h in hits if h[0].negated and h[2] == "public" and not h[0].hedged]
            facts.denied_gain = value == "public" and bool(denials)
        if rule.unit:
            facts.factor_units[factor] = rule.unit
    for red in rules.red_lines:
        cue_hits = find_cues(text, red.patterns, rules.language, acts=True)
        if not cue_hits:
            continue
        # "后查明该企业伪造了社保缴费证明": a third party's act is not the subject's red line.
        affirmed = [
            h
            for h in cue_hits
            if not h.negated
            and not third_party_actor(text, h.start)
            # "这算公款旅游吗": the question names the red line only to ask whether the story is one
            and not ((h.hedged or _QUESTION.search(h.clause)) and asks_classification(text, h.start))
            and not in_title(text, h.start)
        ]
        if not affirmed and not all(h.negated for h in cue_hits):
            continue
        if affirmed:
            hedged = all(h.hedged for h in affirmed)
            facts.red_cues[red.id] = (affirmed[0].clause, hedged)
        else:
            facts.red_cues.pop(red.id, None)  # "没有发过补贴": an earlier suspicion is cleared
    _read_violations(text, rules, facts, turn)
    for circ in rules.circumstances:
        stated = [
            h
            for h in find_cues(text, circ.patterns, rules.language)
            # "说是急事急办": a circumstance only claimed as a pretext is no circumstance established.
            if not h.negated
            and not asks_classification(text, h.start)
            and not h.asks  # "有没有具体规定": an A-not-A question names a circumstance only to ask
            and not _CLAIMED.search(text[max(0, h.start - 8) : h.start])
            and not _claimed_in_sentence(text, h.start)
        ]
        if stated:
            facts.circumstances[circ.id] = stated[0].clause
            facts.items.append(Fact("circumstance", circ.id, "yes", stated[0].clause, turn))
    for factor, patterns in rules.doubts.items():
        doubted = [m for p in patterns if (m := p.search(text)) and not cleared_after(text, m.end(), rules)]
        if doubted and factor == "disputed":
            # "也有人说就是局长一个电话让窗口先办的": the dispute is about the facts told beside it.
            about = _factors_in_sentence(text, doubted[0].start(), by_factor)
            for name in about or ["disputed"]:
                facts.doubts[name] = doubted[0].group(0)
        elif doubted:
            facts.doubts[factor] = doubted[0].group(0)
        elif factor in by_factor and not all(h[0].hedged for h in by_factor[factor]):
            facts.doubts.pop(factor, None)  # a later turn that states the fact settles the doubt
    facts.doubts.update(disputed)


def _read_violations(text: str, rules: Rules, facts: Facts, turn: int) -> None:
    for rule in rules.violations:
        found = find_cues(text, rule.patterns, rules.language, inner_negation=True, acts=True)
        if not found:
            continue
        # "这算公车私用吗": a question whether the story counts as an act names the act only to ask.
        hits = [
            h
            for h in found
            if not ((h.hedged or _QUESTION.search(h.clause)) and asks_classification(text, h.start))
            and not names_in_question(text, h.start, h.end)
            and not in_title(text, h.start)
            and not _permitted(rule, h, rules)
        ]
        # What others report of the act, and the questions that name it ("这种会不会被认定收礼啊", "担心属于
        # “滥发津贴补贴”"): what a story showing the act done by the rules answers.
        alleged = tuple(h.clause for h in hits if h.hedged) + tuple(
            h.clause for h in found if h not in hits and not in_title(text, h.start)
        )
        shown = complies_in(rule, text, rules) if hits or alleged else None
        if shown:
            facts.compliant[rule.id] = Compliance(shown, alleged)
            facts.items.append(Fact("circumstance", "compliant", "yes", shown, turn))
        if not hits:
            continue
        affirmed = [h for h in hits if not h.negated]
        if not affirmed:
            # "烟酒一样没收": a denial clears an earlier suspicion of the same act.
            facts.violations.pop(rule.id, None)
            facts.items.append(Fact("violation", rule.id, "yes", hits[0].clause, turn, "denied"))
            continue
        firm = [h for h in affirmed if not h.hedged]
        # The act as told, not as named again in the closing question ("…单位没报销一分 这个不算接受宴请吧"):
        # what undoes it is looked for after the telling.
        # (an allegation told after it, "有人把“班主任收购物卡”的截图发到家长群", does not retell the act)
        told = [
            h
            for h in affirmed
            if certainty(h) != "asked"
            and not (_TAG_QUESTION.search(h.clause) and asks_classification(text, h.start))
        ] or affirmed
        told = [h for h in told if not h.hedged] or told
        last_report = max(h.start for h in told)
        undoing = undone(rule.id, text, last_report, rules)
        if undoing:
            # "老板把购物卡放我家门口…我当天晚上就送到纪检登记上交了": refused, not accepted; "门票都是自己掏的".
            if rule.complies and not _claimed_at(text, undoing.start()):
                facts.compliant[rule.id] = Compliance(undoing.group(0), alleged)
                facts.items.append(Fact("circumstance", "compliant", "yes", undoing.group(0), turn))
            facts.violations.pop(rule.id, None)
            facts.items.append(Fact("violation", rule.id, "yes", affirmed[-1].clause, turn, "denied"))
            continue
        if not firm and (
            # "被人匿名举报说收了红包，纪委查完说不属实": the allegation was investigated and cleared; or
            # "有人举报说他收了施工队的钱…钱一分没收": it is denied in the teller's own words after it.
            cleared_after(text, last_report, rules)
            or any(h.negated and not h.hedged and h.start > last_report for h in hits)
        ):
            facts.violations.pop(rule.id, None)
            continue
        hit = (firm or affirmed)[0]
        who = actor(text, hit, rule.id)
        facts.violations[rule.id] = Sighting(hit.clause, not firm, who)
        facts.items.append(Fact("violation", rule.id, "yes", hit.clause, turn, "stated", certainty(hit), who))


# A procedure skipped (招标, 比价, 审批 …): in an emergency told in the same sentence, the handling itself.
_SHORTCUT = re.compile(
    r"(不走|没走|未走|绕开|跳过|简化|省去|先不)[^,，。；]{0,4}(招标|比价|比选|审批|程序|流程|手续|采购程序)"
)


_SENTENCE_MARKS = "。！？!?;；"


def _sentence_bounds(text: str, start: int, end: int | None = None) -> tuple[int, int]:
    """Where the sentence around ``text[start:end]`` begins and ends (a turn is folded: no line breaks)."""
    begin = max(text.rfind(mark, 0, start) for mark in _SENTENCE_MARKS) + 1
    after = end if end is not None else start
    ends = [i for i in (text.find(mark, after) for mark in _SENTENCE_MARKS) if i >= 0]
    return begin, min(ends, default=len(text))


# A remedy told as what will be done ("等资金到了再补回去", "打算下个月退"), not as done.
_PLANNED = re.compile(
    r"(等|准备|打算|计划|想着|到时候|回头|承诺|答应|保证)[^,，。；]{0,12}$|等[^,，。；]{0,12}再$"
)


# Someone the cadre came upon in harm ("巡查时发现", "路上碰到"), and taken to care or rescued.
_CAME_UPON = re.compile(r"发现|碰到|碰上|遇到|遇上|撞见|路遇")
_RESCUE = re.compile(r"送(至|到|往|去)?[^。]{0,8}(医院|卫生院|急诊|卫生所)|救援|抢救|救治|救出|救上来|送医")


def _rescued(text: str, hit: CueHit) -> bool:
    """Is the harm at ``hit`` one the cadre came upon and answered with a rescue, in its sentence or the
    next, rather than a consequence of the cadre's conduct?"""
    start, end = _sentence_bounds(text, hit.start, hit.end)
    after = _sentence_bounds(text, min(end + 1, len(text)))[1] if end < len(text) else end
    return bool(_CAME_UPON.search(text, start, hit.start)) and bool(_RESCUE.search(text[start:after]))


def _in_emergency(text: str, hit: CueHit, rules: Rules) -> bool:
    start, end = _sentence_bounds(text, hit.start, hit.end)
    sentence = text[start:end]
    emergency = next((c for c in rules.circumstances if c.id == "emergency"), None)
    return emergency is not None and any(p.search(sentence) for p in emergency.patterns)


# Someone the story names speaking: what they say runs to the end of the sentence.
_SPEECH = re.compile(rf"({_SPEAKERS})[^,，。\s]{{0,4}}(说|称|声称|辩称|解释|表示|认为)")


def _speaker_claims(text: str, position: int, end: int, rules: Rules) -> bool:
    """Is ``position`` inside what someone the story names says ("局长说出发点是发展旅游，自己没拿一分钱，属于
    为推动发展的无意过失"), with nothing after the speech that gives the teller's own word back?"""
    start, _ = _sentence_bounds(text, position)
    said = max(_SPEECH.finditer(text, start, position), key=lambda m: m.start(), default=None)
    if said is None:
        return False
    return not rules.language.hedge_breakers.search(text, said.end(), end)


# A tie named in a clause (a relative's company, a classmate's firm): a gain only if the cadre had a hand in it.
_RELATION = re.compile(
    r"亲戚|亲属|表[弟哥姐妹]|堂[弟哥兄姐妹]|弟弟|哥哥|姐夫|妹夫|小舅子|小姨子|连襟|侄|外甥|女婿|儿媳|同学|老乡|战友|发小"
)


def _says(pattern: re.Pattern[str] | None, text: str, position: int = 0) -> bool:
    """Does the story, from ``position`` on, say what an optional language.yaml list names?"""
    return pattern is not None and bool(pattern.search(text, position))


def _recused(text: str, rules: Rules) -> bool:
    """Does the story say the cadre declared the tie and stood aside (language.yaml `recused`)?"""
    return _says(rules.language.recused, text)


# What the story may say that undoes each act: a gift or cash handed back or in at once (纪律处分条例: 收受礼品
# 礼金 is the gift kept), a trip's or a meal's cost borne by the cadre ("酒店门票都是自己掏的，没报销").
_UNDOING = {
    "gifts": ("returned", "paid_own"),
    "bribe": ("returned",),
    "travel": ("paid_own",),
    "reception": ("paid_own",),
}


def undone(family: str, text: str, position: int, rules: Rules) -> re.Match[str] | None:
    """The words, after ``position``, that undo ``family``'s act (language.yaml `returned`, `paid_own`),
    or None."""
    for name in _UNDOING.get(family, ()):
        pattern: re.Pattern[str] | None = getattr(rules.language, name)
        found = pattern.search(text, position) if pattern is not None else None
        if found:
            return found
    return None


def _claimed_at(text: str, position: int) -> bool:
    """Is what is told at ``position`` someone's claim ("镇里回应称是私人聚会、自费"), not the teller's word?"""
    start, _ = _sentence_bounds(text, position)
    return bool(_CLAIMED.search(text[max(start, position - 8) : position])) or bool(
        _CLAIM_SPEECH.search(text[start:position])
    )


def _permitted(rule: ViolationRule, hit: CueHit, rules: Rules) -> bool:
    """Does the act's own clause say it was approved (violations.yaml `permitted`), not denied?"""
    if not rule.permitted:
        return False
    return any(not h.negated for h in find_cues(hit.clause, list(rule.permitted), rules.language))


def complies_in(rule: ViolationRule, text: str, rules: Rules) -> str | None:
    """The clause, anywhere in the turn, that shows ``rule``'s act done by the rules (violations.yaml
    `complies`), stated and not denied; or None."""
    hits = find_cues(text, list(rule.complies), rules.language) if rule.complies else []
    shown = [
        h
        for h in hits
        if not h.negated
        and not h.hedged
        and not asks_classification(text, h.start)
        and not _claimed_at(text, h.start)
    ]
    return shown[0].clause if shown else None


# The things handed to a cadre as gifts.
_GIFT = re.compile(
    r"红包|礼金|礼品|礼物|购物卡|消费卡|超市卡|提货券|烟酒|好烟|好酒|茶叶|土特产|辛苦费|感谢费|现金"
)
_RETURN_REACH = 60  # characters: the handing back told of this gift, not of another later in the story


def _gift_handed_in(text: str, hit: CueHit, rules: Rules) -> bool:
    """Does the hit's clause name a gift that the story says, right after, was handed back or in at once?"""
    returned = rules.language.returned
    return (
        bool(_GIFT.search(hit.clause))
        and returned is not None
        and bool(returned.search(text, hit.end, hit.end + _RETURN_REACH))
    )


# Leisure and meals: a private trip or a meal is no gain at public expense when the cadre paid for it.
_LEISURE = re.compile(r"玩|旅游|游览|景区|逛|度假|吃饭|吃了|饭局|宴|酒店|住宿")


def _paid_own_after(text: str, hit: CueHit, rules: Rules) -> bool:
    """Does the hit's clause tell of leisure or a meal that the story, right after, says the cadre paid?"""
    paid = rules.language.paid_own
    return (
        bool(_LEISURE.search(hit.clause))
        and paid is not None
        and bool(paid.search(text, hit.end, hit.end + _RETURN_REACH))
    )


def cleared_after(text: str, position: int, rules: Rules) -> bool:
    """Does the story say, after ``position``, that what was alleged was investigated and found untrue?"""
    return _says(rules.language.cleared, text, position)


def _complied(text: str, hit: CueHit, rules: Rules) -> bool:
    """Does the rest of the hit's sentence obey the ban it names?"""
    complied = rules.language.complied
    if complied is None:
        return False
    _, end = _sentence_bounds(text, hit.start, hit.end)
    return bool(complied.search(text, hit.end, end))


def _factors_in_sentence(
    text: str, position: int, by_factor: dict[str, list[tuple[CueHit, FactorRule, str]]]
) -> list[str]:
    start, end = _sentence_bounds(text, position)
    return [f for f, hits in by_factor.items() if any(start <= h[0].start < end for h in hits)]


def read_turns(turns: list[str], rules: Rules) -> Facts:
    """What the turns of a conversation state by the rules, oldest first (a later statement overrides)."""
    facts = Facts()
    for number, turn in enumerate(turns):
        read_turn(turn, rules, facts, number)
    _factors_from_acts(facts, rules)
    return facts


def _factors_from_acts(facts: Facts, rules: Rules) -> None:
    """An act stated of the person asked about states what its nature implies (violations.yaml `implies`:
    "周末开公车去钓鱼" is a private benefit), where nothing else in the story speaks to that factor."""
    implies = {v.id: v.implies for v in rules.violations}
    for name, seen in facts.violations.items():
        if seen.hedged or seen.actor != "subject" or seen.reader != "rules":
            continue
        turn = next((f.turn for f in facts.items if f.kind == "violation" and f.name == name), 0)
        for factor, value in implies.get(name, ()):
            if factor not in facts.factors:
                facts.factors[factor] = FactorValue(value, seen.evidence)
                facts.items.append(Fact("factor", factor, value, seen.evidence, turn))
