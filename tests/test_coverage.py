"""`assistant check` lists, per province, what the base holds as clause text and what as disclosure."""

from __future__ import annotations

from assistant.coverage import coverage, coverage_lines
from assistant.knowledge import load_knowledge
from assistant.settings import PROJECT_ROOT


def test_each_province_named_in_the_sources_is_covered_at_its_level() -> None:
    kb = load_knowledge(PROJECT_ROOT / "knowledge")
    found = coverage(kb)
    assert any("绵阳市容错纠错实施办法" in d for d in found["四川"]["条文"])
    assert any("自由贸易试验区" in d for d in found["四川"]["条文"])
    for place in ("浙江", "湖北", "江苏", "山东", "安徽", "河北"):
        assert found[place]["披露"], place
    assert any("仅标题与文号" in d for d in found["广东"]["条文"])
    assert "全国" not in found
    lines = coverage_lines(kb, ["四川", "湖南"])
    assert lines[-1].endswith("无本省文件（只按全国性规定回答）：湖南")
    assert any("（5 个条文待核）" in line for line in lines)  # 绵阳: single source, unverified
