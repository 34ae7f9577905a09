"""The tolerance assessment (研判): from the facts a reading found, a verdict and what is missing.

The reading (``assistant.reading``) finds the facts; this module only decides, by the rules in
knowledge/rules (red_lines.yaml, violations.yaml, verdict.yaml).
"""

from __future__ import annotations

from typing import Any

from assistant.cues import find_cues
from assistant.domain import FACTOR_NAMES, Assessment, FactorValue, RedLine, Verdict
from assistant.reading.facts import Facts
from assistant.rules import RedLineRule, Rules


def _holds(facts: Facts, key: str, value: str) -> bool:
    """Does the story establish ``key`` (a circumstance, or a factor) as ``value``?"""
    if key == "circumstance":
        return value in facts.circumstances
    stated = facts.factors.get(key)
    # A red line is cleared only by what the rules read, never by the model's guess.
    return stated is not None and stated.value == value and not stated.hedged and key not in facts.model_read


def _red_lines(facts: Facts, rules: Rules, story: str) -> tuple[list[RedLine], list[RedLine]]:
    firm: list[RedLine] = []
    hedged: list[RedLine] = []
    for red in rules.red_lines:
        evidence: str | None = None
        is_hedged = False
        if red.id in facts.red_cues:
            evidence, is_hedged = facts.red_cues[red.id]
        elif red.when and not any(f in facts.doubts for f in (*red.when, *red.doubted_by)):
            # A factor the story itself puts in doubt cannot carry a red line; it is asked for instead.
            values = [facts.factors.get(f) for f in red.when]
            if all(
                v is not None and v.value == want for v, want in zip(values, red.when.values(), strict=True)
            ):
                evidence = "；".join(v.evidence for v in values if v)
                is_hedged = any(v.hedged for v in values if v)
        if evidence is None:
            continue
        if _excused(red, facts) or _loss_alone(red, evidence, facts, story, rules):
            continue
        line = RedLine(red.id, red.name, evidence, red.units)
        (hedged if is_hedged else firm).append(line)
    return firm, hedged


def assess(
    turns: list[str],
    facts: Facts,
    rules: Rules,
    province: str | None = None,
    read_elsewhere: dict[str, FactorValue] | None = None,
) -> Assessment:
    """Assess a conversation (normalised user turns, oldest first) and return the verdict with reasons.

    ``read_elsewhere``: factors another reader (an LLM) found where the rules found nothing. They count
    as reported, not established (hedged): a red flag among them must be confirmed (needs more facts),
    a favourable one never makes a case tolerable, and none can clear a red line the rules found.
    ``facts``: what the reading found in the turns (it is completed here, so pass a fresh reading).
    """
    for name, value in (read_elsewhere or {}).items():
        if name not in facts.factors and value.value != "unknown":
            facts.factors[name] = FactorValue(value.value, value.evidence, hedged=True)
    complied = _clear_compliant(facts, rules)
    factors = {name: facts.factors.get(name, FactorValue()) for name in FACTOR_NAMES}
    if facts.denied_gain:
        # "有人传老板是他同学…没发现任何利益输送": gain denied in so many words settles the hearsay.
        facts.doubts.pop("motive", None)
    story = "。".join(turns)
    for patterns, factor in rules.decisive_when:
        hit = next((m for p in patterns if (m := p.search(story))), None)
        if hit and factors[factor].value == "unknown":
            facts.doubts.setdefault(factor, hit.group(0))
    for factor in [f for f in facts.disagreements if f in facts.doubts and not _decisive(f, facts, rules)]:
        # Two readers differ on a factor no red line can rest on here ("没等乡里批" in a blizzard: one-man
        # action in an emergency is excused): whichever is right, the verdict stands, so it is not asked.
        # (A story that doubts a fact itself still has it asked.)
        facts.doubts.pop(factor)
    objection = facts.circumstances.get("objected")
    if objection is not None and not _own_objection(rules, objection, story):
        # Others' objection ("两个副总都明确反对") is no excuse for the one who decided: shown, weighs nothing.
        facts.circumstances["objected_by_others"] = facts.circumstances.pop("objected")
    named_firm, named_hedged, cited = _violations(facts, rules)
    firm, hedged = _red_lines(facts, rules, story)
    firm, hedged = named_firm + firm, named_hedged + hedged
    if "lawfulness" in facts.doubts:
        # "是否符合政策尚未查清": an act the story names is asked about; stated red-flag facts still decide.
        # A red flag read from the very words that doubt it ("不知道是故意规避招标还是…") is asked about too.
        doubt = facts.doubts["lawfulness"]
        asked = [
            r
            for r in firm
            if r.id.startswith("violation:")
            or r.id in facts.red_cues
            # a factor the act implies ("报高了两个亿" is knowing) stands or falls with the act
            or any(r.evidence == seen.evidence for seen in facts.violations.values())
            or any(part and (part in doubt or doubt in part) for part in r.evidence.split("；"))
        ]
        firm, hedged = [r for r in firm if r not in asked], asked + hedged
    cfg = rules.verdict
    ask = cfg["follow_up"]
    result = Assessment(
        verdict=Verdict.NEEDS_MORE_FACTS, factors=factors, red_lines=firm, hedged_red_lines=hedged
    )
    if firm:
        result.verdict = Verdict.NOT_TOLERABLE
        result.reasons = [f"触及不予容错的情形：{r.name}（“{r.evidence}”）" for r in firm]
        # Each red line's defining unit first (the article that names the act, the case that shows it),
        # then the rest: a short answer still cites the rule for every red line it names.
        result.support_unit_ids = _dedupe(
            [r.unit_ids[0] for r in firm if r.unit_ids]
            + [u for r in firm for u in r.unit_ids[1:]]
            + cited
            + cfg["support_units"]["not_tolerable"]
        )
        return _with_province(result, cfg, province)
    support = cfg["tolerable"]["support"]
    # A favourable value only the model read, and not confidently, is shown but decides nothing.
    weak = facts.model_read - facts.model_confident
    supported = [
        f
        for f, good in support.items()
        if factors[f].value in good and not factors[f].hedged and f not in weak
    ]
    circumstances = [c for c in cfg["tolerable"]["support_circumstances"] if c in facts.circumstances]
    # Tolerance needs positive evidence: the public purpose stated (or gain denied in words) and, beside
    # it, a fact that makes the failure a tolerable kind. One favourable fact alone is not enough.
    motive = factors["motive"]
    public = (motive.value == "public" and not motive.hedged and "motive" not in weak) or facts.denied_gain
    supported = [f for f in supported if f != "motive"]
    # Without a stated public purpose, two independent favourable facts must show the tolerable kind
    # (the answer then says it presumes nobody gained).
    # (a fault with no harm done counts as the second: 问责条例第十八条's 及时补救 of a harmless slip).
    # Distinct facts: "汛期紧急采购" read as an emergency and as an exploratory basis is one fact, not two.
    shown = len(
        {factors[f].evidence for f in set(supported)} | {facts.circumstances[c] for c in circumstances}
    )
    # An objection settles the objector's part; in a story of one person deciding alone ("李某明确反对，
    # 黄某随后个人决定…") the objector is not the one who decided, so it settles nothing for the decider.
    alone = factors["process"].value == "unilateral" and not factors["process"].hedged
    if not alone and any(
        c in facts.circumstances for c in cfg["tolerable"].get("decisive_circumstances", [])
    ):
        shown += 1
    consequence = factors["consequence"]
    harmless = (
        consequence.value == "minor" and not consequence.hedged and "consequence" not in facts.model_read
    )
    # A harm left unremedied ("一拖就是三年，村民到现在只拿到一半") is no failure to exempt yet: what was
    # done about it, and why, is asked first (the measures exclude 不积极整改、消除影响).
    blocked = [
        f
        for f, bad in rules.tolerable_blocks.items()
        # (only words can tell harm left standing from a loss that could not be recovered: a value with no
        # words, as in a gold reading without evidence, blocks nothing)
        if factors[f].value in bad.values
        and not factors[f].hedged
        and factors[f].evidence
        and not bad.unless.search(factors[f].evidence)
    ]
    if blocked:
        facts.doubts.update({f: factors[f].evidence for f in blocked if f not in facts.doubts})
    if hedged or facts.doubts or not shown or (not public and shown + harmless < 2):
        return _needs_more_facts(result, facts, rules, province, public, bool(supported or circumstances))
    result.verdict = Verdict.TOLERABLE
    result.reasons = _favourable_reasons(factors, facts, rules)
    if motive.value != "public":
        result.caveats.append(ask["presumed_public"])
    outcomes = cfg["outcomes"]
    if complied and not firm:
        # The act asked about was done by the rules: nothing to exempt, the article it was measured against
        # first, then the clause for clearing a cadre of an untrue report (澄清正名).
        result.outcome = "compliant"
        defining = [u for r in rules.violations if r.id in complied for u in r.units]
        result.support_unit_ids = _dedupe(defining + list(outcomes["compliant"]["units"]))
        return _with_province(result, cfg, province)
    exempt = outcomes["exempt"]
    mitigate = outcomes["mitigate"]
    is_exempt = any(c in facts.circumstances for c in exempt["circumstances"]) or any(
        factors[f].value in exempt[f] for f in ("basis", "process", "intent")
    )
    is_fault = any(c in facts.circumstances for c in mitigate["circumstances"])
    chosen = [c for c in exempt["items"] if c in facts.circumstances]
    exempt_units = [u for c in chosen for u in exempt["items"][c]] or list(exempt["units"])
    if (is_fault or not is_exempt) and factors["remedy"].value in mitigate["remedy"]:
        result.outcome = "mitigate"
        # A tolerable kind of failure remedied after a fault: 第十八条 first, and the 第十七条 item it fits.
        units = list(outcomes["mitigate"]["units"]) + (exempt_units if is_exempt else [])
    else:
        result.outcome = "exempt"
        # The item of 第十七条 the facts fit: 不可抗力 only when the story names an unforeseeable cause.
        units = exempt_units
    if "staff" in facts.circumstances:
        units = list(outcomes["staff"]["units"]) + units
    result.support_unit_ids = _dedupe(units + _distinction_units(facts, rules, province))
    return _with_province(result, cfg, province)


def _clear_compliant(facts: Facts, rules: Rules) -> list[str]:
    """The acts the story only reports or asks about and shows done by the rules ("有人说村干部亲戚吃低保"…
    "评议时我主动回避了"): no longer asked about, and the compliance is a fact toward tolerance. What was
    read from the allegation itself goes with it (a gain doubted, a private motive reported, in the same
    words). An act the teller states stands, whatever else the story says. Returns the families cleared."""
    cleared = []
    for family, shown in facts.compliant.items():
        seen = facts.violations.get(family)
        if (seen is not None and not seen.hedged) or (seen is None and not shown.allegations):
            # the act the teller states stands; with nothing reported or asked, there is nothing to answer
            continue
        facts.violations.pop(family, None)
        facts.circumstances.setdefault("compliant", shown.words)
        cleared.append(family)
        said = [*shown.allegations, *([seen.evidence] if seen is not None else [])]
        for other, sighting in list(facts.violations.items()):
            # the same words alleging another act too ("说“城管开公车办私事”"): answered with it
            if sighting.hedged and _overlaps(sighting.evidence, said):
                facts.violations.pop(other)
        for factor, doubt in list(facts.doubts.items()):
            if _overlaps(doubt, said):
                facts.doubts.pop(factor)
        for factor, value in list(facts.factors.items()):
            if value.hedged and value.value == rules.dominant.get(factor) and _overlaps(value.evidence, said):
                facts.factors.pop(factor)
        for red, (evidence, hedged) in list(facts.red_cues.items()):
            if hedged and _overlaps(evidence, said):
                facts.red_cues.pop(red)
    return cleared


def _overlaps(words: str, clauses: list[str]) -> bool:
    """Are ``words`` read from one of ``clauses`` (one holds the other)?"""
    return bool(words) and any(words in c or c in words for c in clauses)


def _decisive(factor: str, facts: Facts, rules: Rules) -> bool:
    """Could the factor's value decide the verdict? Yes if a red line rests on it that no established fact
    excuses (its ``unless``), or if its adverse value blocks tolerance."""
    if factor in rules.tolerable_blocks:
        return True
    return any(factor in red.when and not _excused(red, facts) for red in rules.red_lines)


def _excused(red: RedLineRule, facts: Facts) -> bool:
    """Does an established fact of the story lift this red line (its ``unless``: an emergency, a remedy)?"""
    return any(_holds(facts, key, value) for key, value in red.unless.items())


def _loss_alone(red: RedLineRule, evidence: str, facts: Facts, story: str, rules: Rules) -> bool:
    """Is the red line read from a loss of money alone ("投资亏了两千万", "钱基本收不回来") in a decision the
    story shows to be a tolerable kind (diligent, pioneering, exploratory, urgent, overtaken by the
    unforeseeable, or objected to by the one the story is about)? Then the loss is the failure the tolerance
    decision weighs (问责条例第十七条第一款第（二）（三）项), not a red line of its own. Harm to people, a loss
    named 重大 or 严重, or a one-man decision still decide (a collective decision alone does not excuse it:
    its reading is the likeliest to be wrong)."""
    loss = red.loss
    if loss is None or red.id in facts.red_cues or not loss.words.search(evidence):
        return False
    if any(p.search(evidence) for p in loss.harm) or any(
        not hit.negated for hit in find_cues(story, loss.harm, rules.language)
    ):
        return False
    process = facts.factors.get("process")
    alone = process is not None and process.value == "unilateral" and not process.hedged
    if not alone and "objected" in facts.circumstances:
        return True  # who objected did not decide (问责条例第十七条第一款第（二）项); only theirs is kept
    return any(_holds(facts, key, value) for key, value in loss.excused_by)


def _own_objection(rules: Rules, objection: str, story: str) -> bool:
    """Is the objection that of the one the story is about? Not when others are named as a group objecting
    ("两个同志反对", "财务总监和一个副总都说") to the one who decided; a single objector named, or the teller's
    own word in or just before it ("本人认为…，当场投反对票"), is."""
    who = rules.objector
    if who is None:
        return True
    at = story.find(objection)
    start = max(story.rfind(m, 0, at) for m in "。！？!?;；") + 1 if at >= 0 else 0
    before = story[max(start, at - 30) : at] if at >= 0 else ""
    if who.own.search(objection) or who.own.search(before[-8:]):
        return not who.others.search(objection)
    return not who.others.search(before + objection)


def _violations(facts: Facts, rules: Rules) -> tuple[list[RedLine], list[RedLine], list[str]]:
    """Named violations the story tells of the person asked about: red lines citing the article that
    defines each (stated → firm, reported or asked → to be confirmed), and the articles of the
    cited-only ones. A third party's act ("企业伙同事务所造假") is a circumstance, not the subject's."""
    firm: list[RedLine] = []
    hedged: list[RedLine] = []
    cited: list[str] = []
    for rule in rules.violations:
        seen = facts.violations.get(rule.id)
        if seen is None:
            continue
        if seen.actor != "subject":
            facts.circumstances.setdefault("third_party", seen.evidence)
            continue
        if not rule.red_line:
            cited.extend(rule.units)
            continue
        line = RedLine(f"violation:{rule.id}", rule.name, seen.evidence, rule.units)
        (hedged if seen.hedged else firm).append(line)
    return firm, hedged, cited


def _needs_more_facts(
    result: Assessment,
    facts: Facts,
    rules: Rules,
    province: str | None,
    public: bool = False,
    kind_shown: bool = False,
) -> Assessment:
    """Ask for the one or two facts that decide, never for one the story already states."""
    cfg = rules.verdict
    ask = cfg["follow_up"]
    factors = result.factors
    if result.hedged_red_lines:
        named = [r for r in result.hedged_red_lines if r.id.startswith("violation:")]
        # A named act is asked about in the user's own words; other unconfirmed red flags as one question.
        result.follow_up.extend(
            ask["confirm_violation"].format(evidence=r.evidence, name=r.name) for r in named[:2]
        )
        if len(named) < len(result.hedged_red_lines):
            result.follow_up.append(ask["confirm"])
        result.reasons.append("有未经查实的不利情况：" + "、".join(r.name for r in result.hedged_red_lines))
    for factor, words in facts.doubts.items():
        result.follow_up.append(ask[factor])
        result.reasons.append(f"“{words}”——这一事实尚待查清")
    if not result.follow_up:
        if not public:
            result.reasons.append("所述情况未说明是出于公心、没有任何人从中谋取私利")
            if factors["motive"].value == "unknown":  # never ask for what the story states
                result.follow_up.append(ask["motive"])
        if not kind_shown:
            result.reasons.append(
                "现有事实未显示属于可以容错的情形（如集体决策、探索创新、应急处置、及时补救）"
            )
            missing = [f for f in ("process", "basis", "remedy") if factors[f].value == "unknown"]
            result.follow_up.extend(ask[f] for f in missing[:1])
    if factors["consequence"].value == "unknown" and len(result.follow_up) < 2:
        result.follow_up.append(ask["consequence"])
    result.follow_up = _dedupe(result.follow_up)
    asked = [f for f in ask if ask[f] in result.follow_up]
    by_question = cfg["support_units"]["follow_up"]
    # The article defining each act asked about, then the rule that makes the missing facts decide (问责条例
    # 第十七条: what would make it tolerable), then the rest: a capped citation list keeps both sides.
    red_units = [u for r in result.hedged_red_lines for u in r.unit_ids]
    result.support_unit_ids = _dedupe(
        [r.unit_ids[0] for r in result.hedged_red_lines if r.unit_ids]
        + list(cfg["support_units"]["needs_more_facts"])[::-1]
        + [u for f in asked for u in by_question.get(f, [])]
        + red_units
        + rules.criteria_units[:1]
    )
    return _with_province(result, cfg, province)


def _favourable_reasons(factors: dict[str, FactorValue], facts: Facts, rules: Rules) -> list[str]:
    reasons = []
    labels = {c.id: c.label for c in rules.circumstances}
    for circ in facts.circumstances:
        if circ in labels and circ != "staff":
            reasons.append(f"属于{labels[circ]}的情形（“{facts.circumstances[circ]}”）")
    if factors["motive"].value == "public":
        reasons.append("出于公心，未见谋取私利")
    else:
        reasons.append("所述情况未显示有人谋取私利")
    reasons.append("不属于明令禁止后我行我素、造成严重后果等不予容错的情形")
    return reasons


def _distinction_units(facts: Facts, rules: Rules, province: str | None) -> list[str]:
    """The distinction the case falls under (and the province's own clause for it, cited first)."""
    table = rules.verdict["distinctions"]
    chosen = [key for key in table if key in facts.circumstances and table[key]["units"]] or ["default"]
    units: list[str] = []
    for key in chosen:
        units = list(table[key].get(province or "", [])) + units + list(table[key]["units"])
    return _dedupe(units)


def _with_province(result: Assessment, cfg: dict[str, Any], province: str | None) -> Assessment:
    units = cfg["support_units"].get("province", {}).get(province or "", {})
    extra = list(units.get(str(result.verdict), []))
    if result.verdict is Verdict.NEEDS_MORE_FACTS and result.hedged_red_lines:
        # A red line asked about: the province's own list of what is never tolerated is the clause it turns on.
        extra += units.get(str(Verdict.NOT_TOLERABLE), [])
    result.support_unit_ids = _dedupe(extra + result.support_unit_ids)
    return result


def _dedupe(items: list[str]) -> list[str]:
    seen: list[str] = []
    for item in items:
        if item and item not in seen:
            seen.append(item)
    return seen
