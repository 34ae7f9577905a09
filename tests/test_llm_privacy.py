"""Masking personal data for remote endpoints, restoring it in answers, and telling local from remote."""

from __future__ import annotations

import re

import pytest

from assistant.llm.privacy import Masker, is_local_endpoint, should_mask
from assistant.settings import Settings

STORY = (
    "王建国同志任局长期间，经党委书记黄某同意，老王和李书记决定先施工；张某某的电话13912345678，"
    "身份证号110101199003071234，补贴打到银行卡6222021234567890123，办公室电话0571-87654321。"
)
SECRETS = [
    "王建国",
    "黄某",
    "老王",
    "张某某",
    "13912345678",
    "110101199003071234",
    "6222021234567890123",
    "0571-87654321",
]


def test_names_and_numbers_are_masked_and_restored() -> None:
    masker = Masker()
    masked = masker.mask(STORY)
    for secret in SECRETS:
        assert secret not in masked, secret
    assert re.search(r"〔人名\d〕同志", masked) and "〔电话1〕" in masked and "〔身份证号1〕" in masked
    assert "〔银行卡号1〕" in masked
    assert "李" not in masked.split("书记决定")[0][-3:]  # 李书记 → 〔人名n〕书记
    assert masker.unmask(masked) == STORY


def test_the_same_value_gets_the_same_placeholder_in_every_text() -> None:
    masker = Masker()
    first = masker.mask("黄某同意先施工")
    second = masker.mask("经局长黄某同意，该项目未进行政府采购")
    assert first.startswith("〔人名1〕") and "〔人名1〕同意" in second


def test_words_that_look_like_names_are_left_alone() -> None:
    masker = Masker()
    text = "全体同志要坚持集体研究，关于某项工作的规定，在任局长期间违规设立小金库，和局长汇报过"
    assert masker.mask(text) == text


def test_rewritten_placeholders_are_restored() -> None:
    masker = Masker()
    masker.mask("张某收了好处")
    assert masker.unmask("〔人名 1〕和[人名1]") == "张某和张某"
    assert masker.unmask("〔人名9〕") == "〔人名9〕"  # unknown placeholders stay as written


def test_masking_off_changes_nothing() -> None:
    masker = Masker(enabled=False)
    assert masker.mask(STORY) == STORY and masker.unmask("〔人名1〕") == "〔人名1〕"


@pytest.mark.parametrize(
    ("url", "local"),
    [
        ("http://127.0.0.1:8000/v1", True),
        ("http://localhost:11434/v1", True),
        ("http://[::1]:8000/v1", True),
        ("http://10.1.2.3/v1", True),
        ("http://192.168.1.20:8000/v1", True),
        ("http://172.16.5.4/v1", True),
        ("https://api.deepseek.com", False),
        ("https://dashscope.aliyuncs.com/compatible-mode/v1", False),
        ("http://8.8.8.8/v1", False),
        ("http://llm.intranet/v1", False),  # a name is not resolved: treated as remote
        ("not a url", False),
    ],
)
def test_local_endpoints(url: str, local: bool) -> None:
    assert is_local_endpoint(url) is local


def test_the_mask_setting() -> None:
    remote = Settings(llm_base_url="https://api.deepseek.com", llm_model="deepseek-chat")
    local = Settings(llm_base_url="http://127.0.0.1:8000/v1", llm_model="m")
    assert should_mask(remote) and not should_mask(local)
    assert not should_mask(remote.model_copy(update={"llm_mask": "off"}))
    assert should_mask(local.model_copy(update={"llm_mask": "on"}))
