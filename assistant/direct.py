"""Direct answers (knowledge/answers/direct.yaml): the one sentence that answers a knowledge or procedure
question, said before the clauses, each leaning on the exact words of the units that say it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from assistant.errors import KnowledgeError
from assistant.knowledge import KnowledgeBase

DIRECT_FILE = Path("answers") / "direct.yaml"


@dataclass(frozen=True)
class Support:
    """Words of a unit that say (part of) a direct answer."""

    unit_id: str
    says: str


@dataclass(frozen=True)
class DirectAnswer:
    """One answer sentence, when a question has a word of every group of ``when`` and none of ``unless``."""

    id: str
    when: tuple[tuple[str, ...], ...]
    unless: tuple[str, ...]
    answer: str
    because: tuple[Support, ...]

    def matches(self, question: str) -> bool:
        if any(word in question for word in self.unless):
            return False
        return all(any(word in question for word in group) for group in self.when)


def load_direct_answers(knowledge_dir: Path, kb: KnowledgeBase) -> list[DirectAnswer]:
    """The entries of the file (none when it is absent); KnowledgeError listing every entry that names
    a unit the base lacks or words its unit does not contain, so nothing unsupported is ever said."""
    path = knowledge_dir / DIRECT_FILE
    if not path.exists():
        return []
    where = path.relative_to(knowledge_dir)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or []
        entries = [
            DirectAnswer(
                id=str(e["id"]),
                when=tuple(tuple(str(w) for w in group) for group in e["when"]),
                unless=tuple(str(w) for w in e.get("unless", [])),
                answer=str(e["answer"]).rstrip("。"),
                because=tuple(Support(str(b["unit"]), str(b["says"])) for b in e["because"]),
            )
            for e in raw
        ]
    except (yaml.YAMLError, KeyError, TypeError, UnicodeDecodeError) as exc:
        raise KnowledgeError(f"{where} 格式有误", [f"{where}: {type(exc).__name__}: {exc}"]) from exc
    problems = []
    for entry in entries:
        if not entry.when or not all(entry.when) or not entry.because:
            problems.append(f"{where}: {entry.id}: when and because must not be empty")
        for support in entry.because:
            unit = kb.get(support.unit_id)
            if unit is None:
                problems.append(f"{where}: {entry.id}: unknown unit {support.unit_id}")
            elif support.says not in unit.text:
                problems.append(f"{where}: {entry.id}: {support.unit_id} does not say “{support.says}”")
    if problems:
        raise KnowledgeError(f"{where} 有 {len(problems)} 处错误", problems)
    return entries


def direct_answers(entries: list[DirectAnswer], question: str) -> list[DirectAnswer]:
    """The entries a question calls for, in file order."""
    return [entry for entry in entries if entry.matches(question)]
