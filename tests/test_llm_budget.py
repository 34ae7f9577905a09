"""Token counting (a pre-placed tiktoken file, else the conservative estimate) and fitting the context."""

from __future__ import annotations

import base64
import hashlib
import time
from pathlib import Path

import pytest

from assistant.llm import budget
from assistant.llm.budget import BudgetError, EncodingSpec, TokenCounter, estimate_tokens, fit
from assistant.settings import Settings


def test_estimate_is_documented_and_conservative() -> None:
    assert estimate_tokens("三个区分开来") == 9  # 6 CJK characters × 1.5
    assert estimate_tokens("abcdef") == 2  # 6 bytes / 3
    assert estimate_tokens("第17条，") == 6  # 第 条 ， → ceil(4.5) = 5, "17" → ceil(2 / 3) = 1
    assert estimate_tokens("") == 0


def test_without_the_file_nothing_is_downloaded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import tiktoken

    def refuse(name: str) -> None:
        raise AssertionError("tiktoken.get_encoding must never be called: it downloads")

    monkeypatch.setattr(tiktoken, "get_encoding", refuse)
    budget.load_encoding.cache_clear()
    started = time.perf_counter()
    counter = TokenCounter("cl100k_base", tmp_path)  # an empty cache folder
    assert counter.name == "estimate" and counter.count("问责条例") == 6
    assert TokenCounter("cl100k_base", None).name == "estimate"
    assert time.perf_counter() - started < 0.5


def _place_toy_encoding(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A byte-level encoding file (256 single bytes + one merge) where tiktoken would cache cl100k_base."""
    lines = [base64.b64encode(bytes([b])) + f" {b}".encode() for b in range(256)]
    lines.append(base64.b64encode(b"ab") + b" 256")
    data = b"\n".join(lines) + b"\n"
    spec = budget.ENCODINGS["cl100k_base"]
    (folder / hashlib.sha1(spec.url.encode()).hexdigest()).write_bytes(data)
    toy = EncodingSpec(spec.url, hashlib.sha256(data).hexdigest(), spec.pat_str)
    monkeypatch.setitem(budget.ENCODINGS, "cl100k_base", toy)
    budget.load_encoding.cache_clear()


def test_a_pre_placed_encoding_file_is_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _place_toy_encoding(tmp_path, monkeypatch)
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(tmp_path))
    settings = Settings()
    assert settings.tiktoken_cache_dir == tmp_path
    counter = TokenCounter(settings.llm_encoding, settings.tiktoken_cache_dir)
    assert counter.name == "tiktoken:cl100k_base"
    assert counter.count("中文") == 6  # byte-level: three tokens per character
    assert counter.count("ab") == 1  # the merge
    budget.load_encoding.cache_clear()


def test_a_corrupt_file_falls_back_to_the_estimate(tmp_path: Path) -> None:
    spec = budget.ENCODINGS["cl100k_base"]
    (tmp_path / hashlib.sha1(spec.url.encode()).hexdigest()).write_bytes(b"garbage")
    budget.load_encoding.cache_clear()
    assert TokenCounter("cl100k_base", tmp_path).name == "estimate"
    budget.load_encoding.cache_clear()


def test_fit_drops_the_least_relevant_units_first_then_old_turns() -> None:
    counter = TokenCounter()
    units = ["甲" * 100, "乙" * 100, "丙" * 100, "丁" * 100]  # 150 (+1) tokens each, most relevant first
    history = ["早" * 20, "晚" * 20]  # 30 (+1) tokens each
    fixed = ["系统" * 10]  # 30 + 4 overhead, + 3 priming = 37
    assert fit(counter, 10_000, fixed, units, history) == (4, 2)
    assert fit(counter, 37 + 2 * 151 + 2 * 31, fixed, units, history) == (2, 2)
    assert fit(counter, 37 + 151 + 31, fixed, units, history) == (1, 1)  # the oldest turn goes
    assert fit(counter, 37 + 151, fixed, units, history) == (1, 0)
    with pytest.raises(BudgetError):
        fit(counter, 100, fixed, units, history)
