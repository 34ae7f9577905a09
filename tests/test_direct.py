"""Direct answers: knowledge and procedure questions answered in their first sentence, from the units
that say it (knowledge/answers/direct.yaml), and an entry that names words no unit says stops the start."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.direct import load_direct_answers
from assistant.errors import KnowledgeError
from assistant.pipeline import Assistant
from assistant.settings import Settings

CASES = [
    ("形象工程能容错吗", ["不能"], "zhejiang-tolerance-2023:exclusions.summary"),
    ("搞政绩工程的能不能免责？", ["不能"], "zhejiang-tolerance-2023:exclusions.summary"),
    ("三个区分开来哪年谁提出", ["2016年1月", "习近平总书记"], "shenzhen-commentary-2024:intro"),
    ("“三个区分开来”最早是什么时候提出来的", ["2016年1月"], "shenzhen-commentary-2024:intro"),
    ("容错和免责的区别", ["容错是", "免责是"], "sichuan-ftz-tolerance-2024:2"),
    ("容错跟免责是一回事吗", ["容错是", "免责是"], "sichuan-ftz-tolerance-2024:2"),
    ("哪些情形不能容错", ["明知故犯", "明令禁止", "谋取私利"], "three-distinctions-2016:1"),
    (
        "浙江2023年那个容错办法，哪些情况是明确不给容错的？",
        ["6种不予容错的情形", "形象工程", "谋取私利", "不积极整改"],
        "zhejiang-tolerance-2023:exclusions.summary",
    ),
    (
        "容错程序，找哪个部门，交啥材料",
        ["提出容错申请", "纪检监察机关、组织人事部门"],
        "zhejiang-tolerance-2023:procedure",
    ),
]


def first_sentence(text: str) -> str:
    return text.split("。", 1)[0]


@pytest.mark.parametrize(("question", "words", "unit_id"), CASES)
def test_the_answer_comes_first_from_the_unit_that_says_it(
    assistant: Assistant, question: str, words: list[str], unit_id: str
) -> None:
    answer = assistant.ask(question)
    first = first_sentence(answer.answer)
    assert all(w in first for w in words), answer.answer
    assert answer.citations[0].id == unit_id and answer.citations[0].verified
    assert answer.citations[0].quote in assistant.kb.units[unit_id].text
    assert "根据知识库收录的条文" in answer.answer or "关于程序" in answer.answer  # then the clauses


def test_the_materials_question_says_what_the_base_lacks(assistant: Assistant) -> None:
    answer = assistant.ask("容错程序，找哪个部门，交啥材料")
    second = answer.answer.split("。")[1]
    assert "没有列出申请材料清单" in second and "动机态度" in second


def test_stories_and_other_questions_get_no_direct_answer(assistant: Assistant) -> None:
    story = assistant.ask("县委书记为了迎检搞形象工程，花了两千万修景观大道，能容错吗")
    assert not story.answer.startswith("不能。") and story.verdict == "not_tolerable"
    other = assistant.ask("三个区分开来具体是哪三个？")
    assert other.answer.startswith("根据知识库收录的条文")


def test_words_no_unit_says_stop_the_load(assistant: Assistant, tmp_path: Path) -> None:
    (tmp_path / "answers").mkdir()
    (tmp_path / "answers" / "direct.yaml").write_text(
        """
- id: invented
  when: [[容错]]
  answer: "可以。"
  because:
    - unit: "ccp-accountability-2019:17"
      says: "一律免责"
    - unit: "no-such-doc:1"
      says: "x"
""",
        encoding="utf-8",
    )
    with pytest.raises(KnowledgeError) as raised:
        load_direct_answers(tmp_path, assistant.kb)
    problems = "\n".join(raised.value.problems)
    assert "does not say “一律免责”" in problems and "unknown unit no-such-doc:1" in problems


def test_the_shipped_file_loads(settings: Settings, assistant: Assistant) -> None:
    entries = load_direct_answers(settings.knowledge_dir, assistant.kb)
    assert len(entries) >= 4 and all(e.answer and not e.answer.endswith("。") for e in entries)
