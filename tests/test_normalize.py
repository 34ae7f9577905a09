from __future__ import annotations

import pytest

from assistant.errors import InputError
from assistant.normalize import fold, normalize_question
from assistant.settings import PROJECT_ROOT

K = PROJECT_ROOT / "knowledge"


def test_traditional_and_full_width_are_folded() -> None:
    assert fold("這種情況能容錯嗎？ＡＢＣ１２３") == "这种情况能容错吗?ABC123"


def test_typos_are_fixed() -> None:
    assert "容错" in normalize_question("这个能容措吗，是集体研空的", K, 100)
    assert "集体研究" in normalize_question("这个能容措吗，是集体研空的", K, 100)


@pytest.mark.parametrize("bad", ["", "   ", "\x00\x01abc", "问" * 101])
def test_bad_questions_get_a_chinese_message(bad: str) -> None:
    with pytest.raises(InputError) as caught:
        normalize_question(bad, K, 100)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in caught.value.message)
