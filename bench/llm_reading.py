"""`python -m bench.llm_reading [--out readings.jsonl]`: what LLM mode's reading adds, per evaluation set.

For every set in eval/ it prints verdict accuracy and false-tolerable of the offline reading, of a model
that reads correctly (each story's labelled reading, `assistant.evaluation.labelled`) combined with the
offline reading as LLM mode combines them (`--reader llm`), of that reading alone (`--reader replay`) and
of the gold reading (`--reader gold`). Sets without reading labels have no correct reading to replay:
there LLM mode decides on the offline reading. The same figures come from
`assistant eval --set eval/SET.jsonl --reader llm readings.jsonl` with the file this writes.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from assistant.evaluation.dataset import load_set
from assistant.evaluation.labelled import has_reading_labels, labelled_reading
from assistant.evaluation.runner import evaluate
from assistant.pipeline import Assistant
from assistant.settings import PROJECT_ROOT, get_settings

READERS = ("rules", "llm", "replay", "gold")


def main() -> None:
    parser = argparse.ArgumentParser(prog="bench.llm_reading")
    parser.add_argument(
        "--out", type=Path, default=None, help="also write the labelled readings (a replay file)"
    )
    args = parser.parse_args()
    assistant = Assistant(get_settings())
    rows: list[dict[str, object]] = []
    print("| set | items | offline | LLM mode, correct reading | that reading alone | gold reading |")
    print("| --- | --- | --- | --- | --- | --- |")
    for path in sorted((PROJECT_ROOT / "eval").glob("*.jsonl")):
        items = load_set(path, assistant.kb)
        labelled = has_reading_labels(items)
        readings = {i.id: labelled_reading(i, assistant.rules, assistant.reader.model) for i in items}
        if labelled:
            rows += [{"id": k, "reading": v} for k, v in readings.items()]
        cells = []
        for reader in READERS:
            if reader in ("llm", "replay") and not labelled:
                cells.append("(offline reading)" if reader == "llm" else "–")
                continue
            result = evaluate(items, assistant, progress=False, reader=reader, replayed=readings)
            accuracy = result.verdicts.accuracy or 0.0
            cells.append(f"{accuracy:.1%} / {result.reading.false_tolerable}")
        print(f"| {path.stem} | {len(items)} | " + " | ".join(cells) + " |")
    print("\neach cell: verdict accuracy / false-tolerable (gold 不予容错 answered 可以容错)")
    if args.out is not None:
        args.out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
        print(f"{len(rows)} readings written to {args.out}")


if __name__ == "__main__":
    main()
