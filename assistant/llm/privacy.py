"""Personal data stays on this network: names, ID, phone and bank numbers are masked before text goes
to an endpoint that is not on loopback or a private address, and restored in what comes back.

What is recognised (case descriptions name people in these forms): 张某 / 欧阳某某 (a surname and
某), 王建国同志, 老王 / 小李, 王局长 / 李书记 (a surname and a title), 18- and 15-digit ID numbers,
mobile and landline numbers, 16–19 digit bank card numbers. A full name with no such marker (王建国
alone) is not recognised: to send nothing personal at all, use an intranet model (masking off).
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit

from assistant.settings import Settings

# Common surnames (百家姓, by frequency). Words that are also surnames but mostly something else
# (和, 向, 于, 关, 任 …) count only in the 某某 form: "和局长说", "任局长期间", "关于某项" are no names.
_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁"
    "沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武"
    "戴莫孔汤康施牛樊葛邢齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕"
    "季裴霍涂苗谷盛曲翁冉骆蓝游辛靳柴蒙鲍喻祁蒲房滕屈饶牟艾尤穆农卓古吉缪车项麦褚娄窦戚岑景党宫费卜"
    "冷晏席卫米柏宗瞿桂佟臧闵苟邬卞姬仇栾隋刁沙荣巫寇桑郎甄丛仲虞敖巩佘池麻苑迟邝"
)
_AMBIGUOUS = "于和向成时明全应关文安解单常商查管路将任"  # surnames only before 某某
_COMPOUND = "欧阳|司马|上官|诸葛|东方|皇甫|尉迟|公孙|慕容|长孙|宇文|司徒|夏侯|令狐"
_TITLES = (
    "书记|副书记|局长|副局长|处长|科长|主任|县长|镇长|乡长|村长|市长|区长|厅长|部长|所长|站长|队长"
    "|院长|校长|经理|总经理|董事长|主席|会计|出纳|组长|馆长|行长|秘书长"
)
_NOT_NAMES = frozenset(
    [
        "全体",
        "各位",
        "广大",
        "有关",
        "相关",
        "其他",
        "其余",
        "这位",
        "那位",
        "年轻",
        "青年",
        "老年",
        "党员",
        "领导",
        "负责",
        "单位",
        "同事",
    ]
)

_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("身份证号", re.compile(r"(?<![\dA-Za-z])(?:\d{17}[\dXx]|\d{15})(?![\dA-Za-z])")),
    ("银行卡号", re.compile(r"(?<!\d)(?:\d{16,19}|\d{4}(?:[ -]\d{4}){3,4}(?:[ -]\d{1,3})?)(?!\d)")),
    ("电话", re.compile(r"(?<!\d)(?:(?:\+?86[- ]?)?1[3-9]\d{9}|0\d{2,3}-\d{7,8})(?!\d)")),
    ("人名", re.compile(rf"(?:{_COMPOUND}|[{_SURNAMES}])某{{1,2}}|[{_AMBIGUOUS}]某某")),
    ("人名", re.compile(rf"(?:{_COMPOUND}|[{_SURNAMES}])[\u4e00-\u9fff]{{1,2}}(?=同志)")),
    ("人名", re.compile(rf"(?!小金库|小康|老黄牛|小车)[老小](?:{_COMPOUND}|[{_SURNAMES}])")),
    ("人名", re.compile(rf"(?:{_COMPOUND}|[{_SURNAMES}])(?=(?:{_TITLES}))")),
]
_PLACEHOLDER = re.compile(r"[〔\[]\s*(人名|身份证号|电话|银行卡号)\s*(\d+)\s*[〕\]]")


def is_local_endpoint(base_url: str) -> bool:
    """True for loopback and private addresses (and ``localhost``). A host name is not resolved:
    resolving is a network call and its answer can change, so a named host counts as remote."""
    host = urlsplit(base_url).hostname
    if not host:
        return False
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_private or address.is_link_local


def should_mask(settings: Settings) -> bool:
    """ASSISTANT_LLM_MASK: on, off, or auto (mask unless the endpoint is local or private)."""
    if settings.llm_mask == "on":
        return True
    if settings.llm_mask == "off":
        return False
    return not is_local_endpoint(settings.llm_base_url or "")


class Masker:
    """Replaces personal data with numbered placeholders (〔人名1〕) and puts it back.

    One masker serves one answer: the same value gets the same placeholder in every text it masks
    (question, history, units), so quotes the model copies from a masked unit restore exactly.
    """

    def __init__(self, enabled: bool = True) -> None:
        self.enabled = enabled
        self._by_value: dict[tuple[str, str], str] = {}
        self._by_placeholder: dict[tuple[str, int], str] = {}

    def _placeholder(self, kind: str, value: str) -> str:
        key = (kind, value)
        if key not in self._by_value:
            number = 1 + sum(1 for k, _ in self._by_value if k == kind)
            self._by_value[key] = f"〔{kind}{number}〕"
            self._by_placeholder[(kind, number)] = value
        return self._by_value[key]

    def mask(self, text: str) -> str:
        """``text`` with personal data replaced (unchanged when masking is off)."""
        if not self.enabled:
            return text
        for kind, pattern in _PATTERNS:
            text = pattern.sub(lambda m, kind=kind: self._replace(kind, m), text)  # type: ignore[misc]
        return text

    def _replace(self, kind: str, match: re.Match[str]) -> str:
        value = match.group(0)
        if kind == "人名" and value in _NOT_NAMES:
            return value
        return self._placeholder(kind, value)

    def unmask(self, text: str) -> str:
        """Placeholders (also as [人名1] or 〔人名 1〕, as models rewrite them) back to the values."""
        if not self.enabled or not self._by_placeholder:
            return text

        def restore(match: re.Match[str]) -> str:
            return self._by_placeholder.get((match.group(1), int(match.group(2))), match.group(0))

        return _PLACEHOLDER.sub(restore, text)

    @property
    def masked_values(self) -> list[str]:
        """Every value masked so far (for tests and audits)."""
        return [value for _, value in self._by_value]
