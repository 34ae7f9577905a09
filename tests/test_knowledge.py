"""The loader validates the whole base and reports every error with file and unit id."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from assistant.domain import SourceType
from assistant.errors import KnowledgeError
from assistant.knowledge import load_knowledge
from assistant.settings import PROJECT_ROOT

KNOWLEDGE = PROJECT_ROOT / "knowledge"

# Every document and unit id fixed by the knowledge spec (shared/knowledge-spec.md).
SPEC_UNITS = {
    "three-distinctions-2016": ["1", "2", "3"],
    "incentive-opinions-2018": ["4"],
    "ccp-accountability-2019": ["1", "2", "3", "7", "8", "17", "18", "19"],
    "ccp-discipline-2023": [],
    "public-sanctions-law-2020": [],
    "central-statements": ["third-plenum-2024"],
    "zhejiang-tolerance-2023": [
        "principles",
        "situations",
        "exclusions",
        "criteria",
        "procedure",
        "outcomes",
        "prevention",
        "clarification",
    ],
    "province-survey": [
        "framework",
        "look-1",
        "look-2",
        "look-3",
        "look-4",
        "look-5",
        "case-li-allowance",
        "case-huang-floodgate",
        "case-lin-lottery",
        "case-devzone-contractor",
    ],
    "gzucm-implementation-2017": [
        "1",
        "1.1",
        "1.2",
        "1.3",
        "2",
        "2.1",
        "2.2",
        "2.3",
        "2.1.3",
        "3",
        "3.1",
        "3.2",
        "3.3",
        "3.4",
        "3.5",
        "3.6",
        "4",
        "4.1",
        "4.2",
        "4.3",
        "4.4",
    ],
    "shenzhen-commentary-2024": ["1.1", "1.2", "2.1", "2.2", "3.1", "3.2", "4.1", "4.2", "4.3"],
    "zhejiang-cases-2023": [
        "jingning-bus",
        "lucheng-project-delay",
        "shangcheng-clarification",
        "songyang-revisit",
    ],
}
SPEC_TYPES = {
    "three-distinctions-2016": "regulation",
    "incentive-opinions-2018": "regulation",
    "ccp-accountability-2019": "regulation",
    "ccp-discipline-2023": "regulation",
    "public-sanctions-law-2020": "regulation",
    "province-survey": "commentary",
    "shenzhen-commentary-2024": "commentary",
    "zhejiang-cases-2023": "case",
    "zhejiang-tolerance-2023": "disclosure",
}


def test_base_loads_and_holds_every_spec_unit() -> None:
    kb = load_knowledge(KNOWLEDGE)
    for doc_id, units in SPEC_UNITS.items():
        assert doc_id in kb.documents, doc_id
        assert any(u.doc_id == doc_id for u in kb), f"{doc_id} has no units"
        for unit in units:
            assert f"{doc_id}:{unit}" in kb.units, f"{doc_id}:{unit} missing"


def test_document_types_and_case_units() -> None:
    kb = load_knowledge(KNOWLEDGE)
    for doc_id, kind in SPEC_TYPES.items():
        assert kb.documents[doc_id].type == SourceType(kind)
    for case in SPEC_UNITS["province-survey"][6:]:
        assert kb.units[f"province-survey:{case}"].type is SourceType.CASE


def test_every_document_carries_its_metadata() -> None:
    kb = load_knowledge(KNOWLEDGE)
    for doc in kb.documents.values():
        assert doc.title and doc.short_title and doc.issuer and doc.date and doc.jurisdiction, doc.id
        assert doc.source_file.startswith(("sources/", "seeds/")), doc.id
        assert doc.status in {"现行有效", "已修订", "已废止", "未知"}


def test_unverified_wording_is_flagged() -> None:
    kb = load_knowledge(KNOWLEDGE)
    assert kb.units["ccp-accountability-2019:18"].verified is False
    assert kb.units["ccp-accountability-2019:17"].verified is True


def _broken_copy(tmp_path: Path) -> Path:
    target = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, target)
    doc = target / "docs" / "three-distinctions-2016.yaml"
    text = doc.read_text(encoding="utf-8")
    text = text.replace('id: "2"', 'id: "1"', 1)  # duplicate unit id
    text = text.replace('type: "regulation"', 'type: "rumour"', 1)  # unknown source type
    doc.write_text(text, encoding="utf-8")
    (target / "docs" / "orphan-2020.yaml").write_text(
        "id: orphan-2020\ntitle: 孤儿\nshort_title: 《孤儿》\ntype: commentary\nissuer: 某\ndate: '2020'\n"
        "status: 未知\njurisdiction: 全国\nsource: {file: seeds/x.txt}\n"
        "units:\n  - {id: '1.2', label: 一, text: 文字, verified: true}\n  - {id: '3', label: 三, text: '  ', verified: true}\n",
        encoding="utf-8",
    )
    return target


def test_loader_reports_every_problem_with_file_and_unit(tmp_path: Path) -> None:
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(_broken_copy(tmp_path))
    problems = "\n".join(caught.value.problems)
    assert "three-distinctions-2016.yaml" in problems and "rumour" in problems
    # Each problem names the file and the line its unit starts on.
    assert "orphan-2020.yaml:11: orphan-2020:1.2: parent orphan-2020:1 does not exist" in problems
    assert "orphan-2020.yaml:12: orphan-2020:3: empty text" in problems


def test_a_yaml_syntax_error_names_the_file_and_line(tmp_path: Path) -> None:
    from assistant.knowledge import yaml_problems

    target = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, target)
    doc = target / "docs" / "three-distinctions-2016.yaml"
    lines = doc.read_text(encoding="utf-8").splitlines()
    lines.insert(4, "title: [unclosed")  # line 5
    doc.write_text("\n".join(lines) + "\n", encoding="utf-8")
    rules = target / "rules" / "verdict.yaml"
    rules.write_text("a: 1\nb: [\n", encoding="utf-8")
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(target)
    assert caught.value.problems[0].startswith("three-distinctions-2016.yaml:6: (file): cannot parse")
    found = yaml_problems(target)
    assert found[0].startswith("docs/three-distinctions-2016.yaml:6: cannot parse")
    assert found[1].startswith("rules/verdict.yaml:3: cannot parse")


def test_duplicate_unit_ids_are_reported(tmp_path: Path) -> None:
    target = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, target)
    doc = target / "docs" / "three-distinctions-2016.yaml"
    doc.write_text(doc.read_text(encoding="utf-8").replace('id: "2"', 'id: "1"', 1), encoding="utf-8")
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(target)
    assert any("three-distinctions-2016:1: duplicate unit id" in p for p in caught.value.problems)
