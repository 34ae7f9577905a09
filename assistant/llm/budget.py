"""Token budget: the units, the question and the history must fit the model's context window.

Counting uses tiktoken when its encoding file is already on disk in ``TIKTOKEN_CACHE_DIR`` (tiktoken's
own layout: the file is named by the SHA-1 of its download URL, and must match tiktoken's SHA-256).
Nothing is ever downloaded: ``tiktoken.get_encoding`` fetches a missing file, and behind a proxy that
accepts and never answers that hangs with no timeout, on a user's request.

Without the file the count is a documented conservative estimate: every CJK character (including
CJK punctuation and full-width forms) counts 1.5 tokens, any other run of text ceil(bytes / 3).
Chinese-trained tokenisers (DeepSeek, Qwen) spend under one token per common character and
cl100k_base one to two, and English averages about four characters a token, so the estimate runs
high for the models this assistant is set up with: it may drop a unit too many, never overflow.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from assistant.errors import AssistantError

log = logging.getLogger("assistant.llm")
CJK_TOKENS = 1.5
MESSAGE_OVERHEAD = 4  # role and separators of one chat message
_CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")

_CL100K_PAT = (
    r"""'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+"""
    r"""|\s++$|\s*[\r\n]|\s+(?!\S)|\s"""
)
_O200K_PAT = "|".join(
    [
        r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
        r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
        r"""\p{N}{1,3}""",
        r""" ?[^\s\p{L}\p{N}]+[\r\n/]*""",
        r"""\s*[\r\n]+""",
        r"""\s+(?!\S)""",
        r"""\s+""",
    ]
)
_BASE = "https://openaipublic.blob.core.windows.net/encodings/"


@dataclass(frozen=True)
class EncodingSpec:
    """Where tiktoken downloads an encoding from, its checksum, and how it splits text."""

    url: str
    sha256: str
    pat_str: str


ENCODINGS: dict[str, EncodingSpec] = {
    "cl100k_base": EncodingSpec(
        _BASE + "cl100k_base.tiktoken",
        "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7",
        _CL100K_PAT,
    ),
    "o200k_base": EncodingSpec(
        _BASE + "o200k_base.tiktoken",
        "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d",
        _O200K_PAT,
    ),
}


class BudgetError(AssistantError):
    """The question and the least context needed do not fit the context window."""


def cached_encoding_file(name: str, cache_dir: Path | None) -> Path | None:
    """The pre-placed encoding file in tiktoken's cache layout, if it is there."""
    spec = ENCODINGS.get(name)
    if spec is None or cache_dir is None:
        return None
    path = cache_dir / hashlib.sha1(spec.url.encode()).hexdigest()
    return path if path.is_file() else None


@lru_cache(maxsize=4)
def load_encoding(name: str, cache_dir: Path | None) -> object | None:
    """A tiktoken Encoding built from the pre-placed file only (None when absent or corrupt)."""
    path = cached_encoding_file(name, cache_dir)
    if path is None:
        return None
    data = path.read_bytes()
    spec = ENCODINGS[name]
    if hashlib.sha256(data).hexdigest() != spec.sha256:
        # tiktoken would delete a mismatching file and download it again; we count without it.
        log.warning("tiktoken file %s does not match %s; using the estimate", path, name)
        return None
    import tiktoken

    ranks = {}
    for line in data.splitlines():
        if line:
            token, rank = line.split()
            ranks[base64.b64decode(token)] = int(rank)
    return tiktoken.Encoding(name=name, pat_str=spec.pat_str, mergeable_ranks=ranks, special_tokens={})


def estimate_tokens(text: str) -> int:
    """The conservative estimate described in the module docstring."""
    cjk = len(_CJK.findall(text))
    rest = _CJK.sub("", text)
    return math.ceil(cjk * CJK_TOKENS) + math.ceil(len(rest.encode("utf-8")) / 3)


class TokenCounter:
    """Counts tokens with the pre-placed tiktoken encoding, else with the estimate."""

    def __init__(self, encoding_name: str = "cl100k_base", cache_dir: Path | None = None) -> None:
        self.encoding = load_encoding(encoding_name, cache_dir)
        self.name = f"tiktoken:{encoding_name}" if self.encoding is not None else "estimate"

    def count(self, text: str) -> int:
        """Tokens of ``text`` (an upper estimate when the encoding file is absent)."""
        if self.encoding is None:
            return estimate_tokens(text)
        return len(self.encoding.encode(text, disallowed_special=()))  # type: ignore[attr-defined]


def fit(
    counter: TokenCounter, limit: int, fixed: list[str], units: list[str], history: list[str]
) -> tuple[int, int]:
    """How many units (the most relevant first) and recent history turns fit in ``limit`` tokens
    beside the ``fixed`` texts (system prompt, instructions, question, judgement).

    The least relevant units go first, down to one; then the oldest history turns; a question that
    does not fit with one unit raises BudgetError (the offline answer is used).
    """
    used = sum(counter.count(t) + MESSAGE_OVERHEAD for t in fixed) + 3  # 3: the reply's priming
    unit_costs = [counter.count(u) + 1 for u in units]
    turn_costs = [counter.count(t) + 1 for t in history]
    n_units, n_turns = len(units), len(history)
    while used + sum(unit_costs[:n_units]) + sum(turn_costs[len(history) - n_turns :]) > limit:
        if n_units > 1:
            n_units -= 1
        elif n_turns > 0:
            n_turns -= 1
        else:
            raise BudgetError("问题和所需条文超出了大模型的上下文长度")
    return n_units, n_turns
