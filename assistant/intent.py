"""Classify a request: scenario, knowledge, procedure, drafting, or out of scope (incl. refusals)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from assistant.cues import compile_cues, load_yaml
from assistant.domain import Intent
from assistant.errors import InputError
from assistant.normalize import fold


@dataclass(frozen=True)
class IntentResult:
    intent: Intent
    refusal: str | None = None  # "injection" or "improper" when the request must be declined
    injection_in_story: bool = False  # an injection appended to a real story: answer the story


class IntentClassifier:
    def __init__(self, knowledge_dir: Path) -> None:
        raw = load_yaml(knowledge_dir / "rules" / "intents.yaml")
        self.injection = compile_cues(raw["refuse"]["injection"])
        self.improper = compile_cues(raw["refuse"]["improper"])
        evasion = raw.get("evasion") or {}
        self.scrutiny = compile_cues(evasion.get("scrutiny", []))
        self.evasion = compile_cues(evasion.get("requests", []))
        self.evasion_asks = compile_cues(evasion.get("asks", []))
        self.evasion_whether = compile_cues(evasion.get("whether", []))
        self.commissions = compile_cues(evasion.get("commissions", []))
        self.disguise = compile_cues(evasion.get("disguise", []))
        self.obstruct = compile_cues(evasion.get("obstruct", []))
        self.honest = compile_cues(evasion.get("honest", []))
        self.drafting = compile_cues(raw["drafting"])
        self.procedure = compile_cues(raw["procedure"])
        self.knowledge = compile_cues(raw["knowledge"])
        self.actors = compile_cues(raw["actors"])
        self.general = compile_cues(raw["general"])
        self.mishaps = compile_cues(raw.get("mishaps") or [])
        self.events = compile_cues(raw["events"])
        self.judgement = compile_cues(raw["judgement"])
        self.drafting_topic = compile_cues(raw["drafting_topic"])
        self.domain = compile_cues(raw["domain"])
        questions = raw.get("questions") or {}
        self.asks_verdict = compile_cues(questions.get("verdict", []))
        self.asks_rules = compile_cues(questions.get("rules", []))

    def _evades(self, text: str) -> bool:
        """Does the message ask how to get past an investigation (intents.yaml `evasion`)?"""
        scrutiny = bool(self._count(self.scrutiny, text))
        if scrutiny and self._count(self.evasion, text):
            return True
        # The request told by its parts, within one sentence: a request told as what happened ("日期都写成
        # 投资之前") asks nothing, and one sentence asking how to tell the truth clears only itself.
        commissioned = bool(self._count(self.commissions, text))
        sentences = _SENTENCE.split(text)
        for i, sentence in enumerate(sentences):
            if self._count(self.honest, sentence):
                continue
            how = bool(self._count(self.evasion_asks, sentence))
            asked = how or commissioned or bool(self._count(self.evasion_whether, sentence))
            # the disguise may be a short rider after the request ("能不能都写成他拍板的？写得自然点，别太刻意。");
            # a longer sentence after a question tells more of the story
            after = sentences[i + 1] if i + 1 < len(sentences) else ""
            if len(after) > _RIDER or self._count(self.honest, after):
                after = ""
            if asked and (self._count(self.disguise, sentence) or self._count(self.disguise, after)):
                return True
            if how and scrutiny and self._count(self.obstruct, sentence):
                return True
        return False

    def _asks_rules_only(self, text: str) -> bool:
        """Does every question the message asks ask about the rules or the procedure (intents.yaml
        `questions`)? Its questions are the sentences that ask; without one, its last sentence."""
        sentences = [s for s in _QUESTION_SPLIT.findall(text) if s.strip()]
        asked = [s for s in sentences if _QUESTION.search(s) or _ASKS_FOR_TEXT.search(s)]
        if not asked and len(sentences) == 1:  # an unpunctuated message: its clauses that ask, or its last
            clauses = [c for c in re.split(r"[，,\s]+", sentences[0]) if c]
            asked = [c for c in clauses if _ASKS_RULES.search(c) or _QUESTION.search(c)] or clauses[-1:]
        return any(self._count(self.asks_rules, s) for s in asked) and not any(
            self._count(self.asks_verdict, s) for s in asked
        )

    @staticmethod
    def _count(patterns: list[re.Pattern[str]], text: str) -> int:
        return sum(1 for p in patterns if p.search(text))

    def classify(
        self, text: str, story_factors: int = 0, violation: bool = False, red_flag: bool = False
    ) -> IntentResult:
        """``story_factors``: how many facts (factors, red lines) the reading found in the text.
        ``violation``: the reading found a named violation told as someone's act (even one only alleged);
        ``red_flag``: it found a red-flag value stated (gain, deliberate, banned, serious harm)."""
        has_actor = bool(self._count(self.actors, text))
        happened = bool(self._count(self.events, text))
        asks_judgement = bool(self._count(self.judgement, _last_sentence(text)))
        # Conduct told of someone is a story to judge, whatever words it uses ("迎检前一晚把没复垦的地块
        # 用绿网盖了": an act that happened needs no named actor).
        conduct = (violation or red_flag) and (has_actor or happened)
        work_words = bool(self._count(self.domain, text))
        domain = work_words or conduct
        # A story tells what someone did: facts the rules weigh, and an actor or enough facts to show
        # it is not a general question put in general words ("党员行为造成损失…还要处分吗").
        general = bool(self._count(self.general, text))
        # Without an actor, facts make a story only when something happened ("…发了补贴"); "逢年过节收
        # 购物卡，算不算违纪？" names an act in general.
        is_story = bool(story_factors) and (has_actor or (story_factors >= 2 and not general and happened))
        # "周末开单位的车回了趟老家": an act the rules name, told of someone, is a story with or without a question.
        is_story = is_story or (conduct and not general)
        # A fact of the story, something that happened, and a request for a judgement: a story, however thin
        # ("这个项目是班子集体研究定的，后来亏了点钱，能容错吗？").
        is_story = is_story or (bool(story_factors) and happened and not general and asks_judgement)
        # An account of what happened at work, with no question about the rules in it, is a story told to
        # be judged ("项目没招标直接给了一家公司 现在审计问起来了"); knowledge questions ask.
        is_story = is_story or (
            happened and work_words and not _ASKS_RULES.search(text) and not _REQUEST.search(text)
        )
        # Someone, something that happened, and a request for a judgement: a story, however thin.
        is_story = is_story or (has_actor and not general and happened and asks_judgement)
        # Something that went wrong at work and whether it can be tolerated, with no one named: a thin story
        # to ask about ("项目延期了被问责 能容错吗", "先施工后招标 被审计查出来了"), not a question on the rules.
        is_story = is_story or (
            bool(self._count(self.mishaps, text))
            and not general
            and work_words
            and bool(_ASKS_TOLERANCE.search(_last_sentence(text)))
        )
        # A long account of what someone did at work is a story, whatever its closing question asks
        # ("…钱下来以后村干部跟这三户对半分了…如果我把钱退了，是不是就能从轻？").
        long_account = len(text) >= _LONG_ACCOUNT and has_actor and happened and work_words
        is_story = is_story or long_account
        if self._count(self.improper, text) or self._evades(text):
            return IntentResult(Intent.OUT_OF_SCOPE, refusal="improper")
        if self._count(self.injection, text):
            # An injection riding on a real story is ignored and the story is judged on its facts.
            if is_story and domain:
                return IntentResult(Intent.SCENARIO, injection_in_story=True)
            return IntentResult(Intent.OUT_OF_SCOPE, refusal="injection")
        if not domain and story_factors < 2:
            return IntentResult(Intent.OUT_OF_SCOPE)
        if self._count(self.drafting, text):
            if not self._count(self.drafting_topic, text):
                return IntentResult(Intent.OUT_OF_SCOPE)  # an event plan, a speech: not this assistant's
            return IntentResult(Intent.DRAFTING)
        procedure = bool(self._count(self.procedure, text))
        # A story whose questions all ask about the rules is answered with the rules, unless it tells a red
        # flag: a cadre who asks "退回去是什么程序" about an inflated claim must still hear it is one.
        # (…unless the conduct is only the example the question gives: "公款吃喝是哪一条？比如用办公经费请客那种")
        if self._asks_rules_only(text) and (not (violation or red_flag) or _EXAMPLE.search(text)):
            return IntentResult(Intent.PROCEDURE if procedure else Intent.KNOWLEDGE)
        # A thin story whose closing question is about procedure ("被人匿名举报了…组织上怎么澄清？")
        # asks how, not whether.
        last = _last_sentence(text)
        # ("按程序核了合同", "每周会商推进" tell what was done; they do not ask how).
        asks_procedure = (
            bool(self._count(self.procedure, last))
            and bool(_ASKS_RULES.search(last) or _REQUEST.search(last))
            and not self._count(self.judgement, last)
        )
        # Likewise a knowledge question with an aside ("三个区分开来是哪三个？我老是记混"): one stray fact
        # and no request for a judgement do not make a story.
        # A story that mentions a knowledge word without asking ("依据是县里的文件。") asks nothing.
        asks_knowledge = (
            bool(self._count(self.knowledge, text))
            and bool(_ASKS_RULES.search(text) or _REQUEST.search(text))
            and not self._count(self.judgement, text)
        )
        if is_story and (
            conduct or long_account or not ((asks_procedure or asks_knowledge) and story_factors <= 1)
        ):
            return IntentResult(Intent.SCENARIO)
        if procedure:
            return IntentResult(Intent.PROCEDURE)
        return IntentResult(Intent.KNOWLEDGE)


# A sentence that asks: a question mark, or a question particle ("…还能评优不", "啥意思嘛").
_QUESTION = re.compile(r"[?？]|[吗么嘛呢][。！!]?$|[不没][。！!]?$|㗎|未[。]?$")
# A sentence with its closing mark: a question keeps its "？".
_QUESTION_SPLIT = re.compile(r"[^。！？!?；;\n]+[。！？!?；;\n]?")
_SENTENCE = re.compile(r"[。！？!?；;\n]")
_RIDER = 16  # characters: the longest sentence read as a rider on the request before it
_LONG_ACCOUNT = 80  # characters: an account this long that tells events is told to be judged
# "啥也没说", "什么都没拿" deny; they ask nothing.
_ASKS_RULES = re.compile(
    r"[?？]|吗|(?<![没不])(?:什么|啥)(?![也都])|怎么|怎样|如何|哪些|哪个|哪种|哪几|是否|有没有|能不能|可不可以|算不算|咋|多少"
)


# A sentence that asks for a text of the rules without a question word ("请给出条文内容", "请把…情形列一下").
_ASKS_FOR_TEXT = re.compile(r"请[^。，,]{0,16}(给出|列出|列一下|提供|说明|介绍|告知)|想(知道|了解)")


# A case given as an example of what a question about the rules asks ("比如…那种", "他举的例子是…").
_EXAMPLE = re.compile(r"比如|例如|譬如|举例|举的例子|举个例子|打个比方|以[^。，,]{0,10}为例")


# A request with no question word ("请告知申请流程", "请予研判").
# Whether this can be tolerated, asked outright ("能容错吗", "这个容错吗", "能不能免责"); not how a
# tolerance is decided ("容错认定是等处理完再说，还是一起启动？").
_ASKS_TOLERANCE = re.compile(
    r"(容错|免责)(吗|不|么|啊|嘛|呀|[?？。]|$)|(能不能|能否|可不可以|可否|可以|能)[^，。？?]{0,4}(容错|免责)"
)
_REQUEST = re.compile(r"请(问|告知|介绍|说明|讲讲|列出|予)|想(问|了解|知道)|麻烦")


def _last_sentence(text: str) -> str:
    parts = [p for p in re.split(r"[。！？!?]", text) if p.strip()]
    return parts[-1] if parts else text


class Provinces:
    """Province names and aliases; resolves --province and finds a province named in a question."""

    def __init__(self, knowledge_dir: Path) -> None:
        raw = load_yaml(knowledge_dir / "rules" / "provinces.yaml")["provinces"]
        self.aliases: list[tuple[str, str]] = sorted(
            ((alias, name) for name, names in raw.items() for alias in [name, *names]),
            key=lambda p: -len(p[0]),
        )
        self.names = set(raw)

    def resolve(self, value: str | None) -> str | None:
        """The canonical short name for a user-given province; InputError for an unknown one."""
        if value is None or not str(value).strip():
            return None
        value = str(value).strip()
        folded = fold(value)  # as questions are: 廣東 → 广东, full-width letters and spaces folded
        for alias, name in self.aliases:
            if folded == alias:
                return name
        raise InputError(f"未知的省份：{value}（请使用如“浙江”“广东”的省级行政区名称）")

    def detect(self, text: str) -> str | None:
        for alias, name in self.aliases:
            if alias in text:
                return name
        return None
