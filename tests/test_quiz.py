"""Quizzes: deterministic by seed, answer keys that really come from the clause each question tests."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from assistant.drafting.quiz import FALSE, LETTERS, TRUE, Quiz, make_quiz
from assistant.errors import InputError
from assistant.knowledge import KnowledgeBase, load_knowledge
from assistant.settings import Settings
from tests.console import cli

QUOTED = re.compile(r"“([^“”]+)”")


@pytest.fixture(scope="module")
def kb(settings: Settings) -> KnowledgeBase:
    return load_knowledge(settings.knowledge_dir)


@pytest.fixture(scope="module")
def big(kb: KnowledgeBase, settings: Settings) -> Quiz:
    return make_quiz(kb, settings.prompts_dir, n=40, seed=11)


def test_same_seed_same_quiz_and_another_seed_another(kb: KnowledgeBase, settings: Settings) -> None:
    first = make_quiz(kb, settings.prompts_dir, n=12, seed=5)
    again = make_quiz(kb, settings.prompts_dir, n=12, seed=5)
    other = make_quiz(kb, settings.prompts_dir, n=12, seed=6)
    assert first.to_json() == again.to_json() and first.to_markdown() == again.to_markdown()
    assert other.to_json() != first.to_json()
    default = make_quiz(kb, settings.prompts_dir)
    assert len(default.questions) == 10 and default.to_json() == make_quiz(kb, settings.prompts_dir).to_json()


def test_quiz_mixes_both_kinds_and_tests_a_different_unit_each_time(big: Quiz) -> None:
    assert len(big.questions) == 40
    assert [q.number for q in big.questions] == list(range(1, 41))
    kinds = [q.kind for q in big.questions]
    assert kinds.count("choice") >= 10 and kinds.count("truefalse") >= 10
    # Each question tests another clause; a scenario question applies a clause to one of the cases.
    plain = [q for q in big.questions if not q.stem.startswith("案例（")]
    assert len({q.unit_id for q in plain}) == len(plain)
    cases = [q.stem.split("）：")[0] for q in big.questions if q.stem.startswith("案例（")]
    assert len(set(cases)) == len(cases)


def test_the_right_option_is_the_exact_words_of_the_unit_it_tests(big: Quiz, kb: KnowledgeBase) -> None:
    for q in (q for q in big.questions if q.kind == "choice"):
        right = LETTERS.index(q.answer)
        assert q.option_units[right] == q.unit_id
        assert q.options[right] in kb.units[q.unit_id].text
        assert (
            q.unit_title == f"《{kb.documents[kb.units[q.unit_id].doc_id].title}》{kb.units[q.unit_id].label}"
        )
        assert len(set(q.options)) == len(q.options) >= 3
        for text, unit_id in zip(q.options, q.option_units, strict=True):
            assert text in kb.units[unit_id].text  # wrong options are other units' words, never altered
        assert sum(u == q.unit_id for u in q.option_units) == 1


def test_true_false_keys_quote_the_original_and_name_the_swap(big: Quiz, kb: KnowledgeBase) -> None:
    answers = set()
    for q in (q for q in big.questions if q.kind == "truefalse"):
        unit = kb.units[q.unit_id]
        answers.add(q.answer)
        assert q.options == [TRUE, FALSE]
        assert f"“{unit.text}”" in q.explanation  # the key quotes the whole unit exactly
        words = unit.text.rstrip("；。").removesuffix("的")
        if q.answer == TRUE:
            assert words in q.stem
        else:
            swapped = re.search(r"题干将“([^”]+)”改成了([^。“”]+)。", q.explanation)
            assert swapped, q.explanation
            original, altered = swapped.groups()
            assert (
                altered in q.stem and altered not in unit.text
            )  # the changed term is not left unquoted elsewhere
            assert words in q.stem.replace(altered, original, 1)
    assert answers == {TRUE, FALSE}


def test_nothing_altered_is_presented_as_a_quote(big: Quiz, kb: KnowledgeBase) -> None:
    texts = [u.text for u in kb]
    for q in big.questions:
        for span in QUOTED.findall(q.stem):
            assert any(span in t for t in texts), (q.number, span)


def test_markdown_has_questions_then_the_key(big: Quiz) -> None:
    text = big.to_markdown()
    assert text.index("## 答案与解析") > text.index("### 40.")
    assert text.count("考查条文：") == 40


@pytest.mark.parametrize("n", [0, -1, 41])
def test_out_of_range_counts_are_input_errors(kb: KnowledgeBase, settings: Settings, n: int) -> None:
    with pytest.raises(InputError):
        make_quiz(kb, settings.prompts_dir, n=n)


def test_cli_quiz_is_deterministic_and_writes_json(settings: Settings, tmp_path: Path) -> None:
    first = cli(["quiz", "--n", "6", "--seed", "3"], settings.data_dir)
    again = cli(["quiz", "--n", "6", "--seed", "3"], settings.data_dir)
    assert first.returncode == 0, first.stderr
    assert first.stdout == again.stdout and "## 答案与解析" in first.stdout
    out = tmp_path / "quiz.json"
    written = cli(["quiz", "--n", "6", "--seed", "3", "--out", str(out)], settings.data_dir)
    assert written.returncode == 0 and str(out) in written.stdout
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["seed"] == 3 and len(data["questions"]) == 6


@pytest.mark.parametrize("args", [["quiz", "--n", "0"], ["quiz", "--out", "quiz.pdf"], ["quiz", "--n", "x"]])
def test_cli_quiz_bad_input_exits_2(settings: Settings, args: list[str]) -> None:
    result = cli(args, settings.data_dir)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_forty_questions_never_repeat_a_stem_nor_say_pending_in_one(
    kb: KnowledgeBase, settings: Settings
) -> None:
    for seed in (2016, 11, 3):
        quiz = make_quiz(kb, settings.prompts_dir, n=40, seed=seed)
        stems = [q.stem for q in quiz.questions]
        assert len(quiz.questions) == 40 and len(set(stems)) == 40, seed
        assert not any("待核" in stem for stem in stems)


def test_false_statements_change_a_condition_not_negate_a_truism(big: Quiz) -> None:
    false = [q for q in big.questions if q.kind == "truefalse" and q.answer == FALSE]
    assert false
    for q in false:
        assert "不受法律保护" not in q.stem and "不承担任何责任" not in q.stem
        # The key names the changed condition, one of the plausible swaps (免予 ↔ 从轻, 可以 ↔ 应当 …).
        changed = re.search(r"题干将“([^”]+)”改成了([^。]+)。", q.explanation)
        assert changed, q.explanation
        assert changed.group(2) in q.stem and changed.group(1) not in q.stem


def test_every_option_is_a_clauses_own_words(big: Quiz, kb: KnowledgeBase) -> None:
    for q in (q for q in big.questions if q.kind == "choice"):
        for option, unit_id in zip(q.options, q.option_units, strict=True):
            unit = kb.units[unit_id]
            assert option in unit.text and unit.type.value in ("regulation", "disclosure"), (option, unit_id)


def test_cli_quiz_docx_has_a_student_and_a_teacher_version(settings: Settings, tmp_path: Path) -> None:
    import docx

    out = tmp_path / "自测题.docx"
    result = cli(["quiz", "--n", "40", "--out", str(out)], settings.data_dir)
    assert result.returncode == 0, result.stderr
    teacher = tmp_path / "自测题（教师版）.docx"
    student_text = [p.text for p in docx.Document(str(out)).paragraphs]
    teacher_text = [p.text for p in docx.Document(str(teacher)).paragraphs]
    assert "学生版" in student_text[0] and "教师版" in teacher_text[0]
    assert not any(t.startswith("答案：") for t in student_text)
    assert sum(t.startswith("答案：") for t in teacher_text) == 40
    questions = [t for t in student_text if re.match(r"^\d+．〔", t)]
    assert len(questions) == 40 and all(t.endswith("（　　）") for t in questions)


def test_scenario_questions_come_from_the_bases_cases(kb: KnowledgeBase, settings: Settings) -> None:
    quiz = make_quiz(kb, settings.prompts_dir, n=40, seed=2016)
    scenarios = [q for q in quiz.questions if q.stem.startswith("案例（")]
    assert len(scenarios) >= 3
    for q in scenarios:
        facts = re.search(r"：“(.+)”对照有关规定", q.stem)
        assert facts, q.stem
        case = next(u for u in kb.units.values() if u.type.value == "case" and facts.group(1) in u.text)
        conclusion = re.match(r"案例结论：“([^”]+)”", q.explanation)
        assert conclusion and conclusion.group(1) in case.text and conclusion.group(1) not in facts.group(1)
        right = q.option_units[LETTERS.index(q.answer)]
        assert q.options[LETTERS.index(q.answer)] in kb.units[right].text
