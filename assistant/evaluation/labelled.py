"""A careful reader's reading of each labelled story, in the factor prompt's shape (the contract), built
from the item's labels: what a model that reads correctly would return.

Only sets whose items carry ``factor_evidence`` (dev4 onward, the blind sets) can be read this way: each
factor's value is the label and its evidence the labelled words. A labelled violation (an article) becomes
its named family, with the words of the story that tell the act: the clause the family's phrases match,
else the clause the clause model reads as that act most strongly. Certainty is left to the code, which
reads it from the words around each span, as it does for a live model.

``python -m assistant.evaluation.labelled eval/dev4.jsonl … --out readings.jsonl`` writes a replay file
for ``assistant eval --reader replay|llm FILE``; the tests' fake model serves the same readings over HTTP.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from assistant.cues import _clause_bounds
from assistant.evaluation.dataset import EvalItem, load_set
from assistant.evaluation.gold import _family
from assistant.knowledge import load_knowledge
from assistant.normalize import fold
from assistant.reading.model import ClauseModel, load_model, segments
from assistant.rules import Rules
from assistant.settings import get_settings


def has_reading_labels(items: list[EvalItem]) -> bool:
    """Does the set label where each fact is said (``factor_evidence``)? Older sets do not."""
    return any(item.factor_evidence for item in items)


def _act_words(question: str, family: str, rules: Rules, model: ClauseModel | None) -> str:
    """The clause of the story that tells the act of ``family``."""
    rule = next(v for v in rules.violations if v.id == family)
    for pattern in rule.patterns:
        m = pattern.search(question)
        if m:
            left, right = _clause_bounds(question, m.start(), m.end())
            return question[left:right].strip()
    label = f"violation:{family}"
    pieces = segments([question])
    if model is None or label not in model.index or not pieces:
        return question
    column = model.index[label]
    probs = model.predict([p.text for p in pieces])[:, column]
    return pieces[int(probs.argmax())].text


def labelled_reading(item: EvalItem, rules: Rules, model: ClauseModel | None = None) -> dict[str, Any]:
    """The item's labels as a reading: six factors (each with the labelled words), violations."""
    question = fold(item.question)
    reading: dict[str, Any] = {}
    for name, value in item.factors.items():
        evidence = fold(item.factor_evidence.get(name, ""))
        if value == "unknown" or not evidence:
            reading[name] = {"value": "unknown", "evidence": ""}
        else:
            reading[name] = {"value": value, "evidence": evidence}
    violations: list[dict[str, str]] = []
    for article in item.violations:
        family = _family(article, rules)
        if family and family not in {v["name"] for v in violations}:
            violations.append({"name": family, "evidence": _act_words(question, family, rules, model)})
    reading["violations"] = violations
    return reading


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sets", nargs="+", type=Path, help="evaluation sets (JSON Lines)")
    parser.add_argument("--out", type=Path, required=True, help="the replay file to write")
    args = parser.parse_args(argv)
    settings = get_settings()
    kb = load_knowledge(settings.knowledge_dir)
    rules = Rules.load(settings.knowledge_dir)
    model = load_model(settings.knowledge_dir / "reading" / "corpus", settings.data_dir)
    rows = []
    for path in args.sets:
        items = load_set(path, kb)
        if not has_reading_labels(items):
            print(f"{path}: no factor_evidence labels, skipped", file=sys.stderr)
            continue
        rows += [{"id": i.id, "reading": labelled_reading(i, rules, model)} for i in items]
    args.out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    print(f"{len(rows)} readings written to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
