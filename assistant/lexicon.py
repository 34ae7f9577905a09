"""The colloquial lexicon: everyday phrases mapped to the concepts of the rules and their units."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from assistant.normalize import fold


@dataclass(frozen=True)
class LexiconEntry:
    concept: str
    patterns: tuple[re.Pattern[str], ...]
    expand: tuple[str, ...]
    units: tuple[str, ...]


@dataclass(frozen=True)
class LexiconMatch:
    concept: str
    phrase: str
    expand: tuple[str, ...]
    units: tuple[str, ...]


class Lexicon:
    def __init__(self, entries: list[LexiconEntry]) -> None:
        self.entries = entries

    @classmethod
    def load(cls, knowledge_dir: Path) -> Lexicon:
        path = knowledge_dir / "rules" / "lexicon.yaml"
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else None
        entries = []
        for item in (raw or {}).get("entries", []):
            entries.append(
                LexiconEntry(
                    concept=str(item["concept"]),
                    patterns=tuple(re.compile(fold(str(p))) for p in item["phrases"]),
                    expand=tuple(str(t) for t in item.get("expand", [item["concept"]])),
                    units=tuple(str(u) for u in item.get("units", [])),
                )
            )
        return cls(entries)

    def match(self, text: str) -> list[LexiconMatch]:
        """Every entry one of whose phrases occurs in the (normalised) text, in lexicon order."""
        found = []
        for entry in self.entries:
            for pattern in entry.patterns:
                hit = pattern.search(text)
                if hit:
                    found.append(LexiconMatch(entry.concept, hit.group(0), entry.expand, entry.units))
                    break
        return found
