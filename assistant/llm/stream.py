"""Streaming a JSON answer to a user: decode its "answer" string as it arrives, and let it through a
sentence at a time, only sentences that pass the prose checks. Citations are never streamed: they are
verified when the model has finished and sent with the final event."""

from __future__ import annotations

import re
from collections.abc import Callable

from assistant.llm.grounding import Problem
from assistant.llm.quotations import open_quotation

_START = re.compile(r'"answer"\s*:\s*"')
_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}
_SENTENCE_END = re.compile(r"[。！？!?；;\n]+")
_ANY_MARK = re.compile(r"\[\d{1,2}\]|〔[^〔〕\n]{1,60}〕|（条文待核）|\s")


class AnswerFieldReader:
    """Decodes the JSON string value of "answer" from pieces of a JSON text as they arrive."""

    def __init__(self) -> None:
        self.buffer = ""
        self.pos: int | None = None  # where decoding resumes (inside the string)
        self.done = False

    def feed(self, piece: str) -> str:
        """Append a piece; return the newly decoded characters of the answer (possibly none)."""
        self.buffer += piece
        if self.done:
            return ""
        if self.pos is None:
            m = _START.search(self.buffer)
            if not m:
                return ""
            self.pos = m.end()
        out: list[str] = []
        b, i = self.buffer, self.pos
        while i < len(b):
            ch = b[i]
            if ch == '"':
                self.done, i = True, i + 1
                break
            if ch != "\\":
                # A raw lone surrogate (the client decoded an escape of one) cannot reach a user.
                out.append("\ufffd" if "\ud800" <= ch <= "\udfff" else ch)
                i += 1
                continue
            if i + 1 >= len(b):
                break  # the escape is split across pieces: wait for the rest
            if b[i + 1] != "u":
                out.append(_ESCAPES.get(b[i + 1], b[i + 1]))
                i += 2
                continue
            decoded, used = _unicode_escape(b, i)
            if used == 0:
                break
            out.append(decoded)
            i += used
        self.pos = i
        return "".join(out)


def _unicode_escape(b: str, i: int) -> tuple[str, int]:
    """Decode \\uXXXX (or a surrogate pair) at ``i``; (text, characters used), or ("", 0) if incomplete.
    A lone surrogate becomes U+FFFD: it could not be encoded for the user (the stream would break)."""
    if i + 6 > len(b):
        return "", 0
    try:
        code = int(b[i + 2 : i + 6], 16)
    except ValueError:
        return b[i : i + 6], 6
    if 0xDC00 <= code < 0xE000:
        return "\ufffd", 6
    if 0xD800 <= code < 0xDC00:
        follows = b[i + 6 : i + 8]
        if not "\\u".startswith(follows):
            return "\ufffd", 6
        if i + 12 > len(b):
            return "", 0
        try:
            low = int(b[i + 8 : i + 12], 16)
        except ValueError:
            return "\ufffd", 6
        if not 0xDC00 <= low < 0xE000:
            return "\ufffd", 6
        return chr(0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)), 12
    return chr(code), 6


class SentenceGate:
    """Holds streamed prose until a sentence is complete; shows it only if ``check`` finds nothing.

    After the first failing sentence nothing more is shown (the answer will be replaced anyway).
    ``restore`` puts masked names back before the check and before the user sees the sentence.
    """

    def __init__(self, check: Callable[[str], list[Problem]], restore: Callable[[str], str]) -> None:
        self.check = check
        self.restore = restore
        self.pending = ""
        self.problems: list[Problem] = []

    @property
    def closed(self) -> bool:
        return bool(self.problems)

    def feed(self, text: str) -> str:
        """Add decoded prose; return the complete sentences that passed (names restored)."""
        if self.closed:
            return ""
        self.pending += text
        shown: list[str] = []
        while (end := self._sentence_end()) is not None:
            sentence, self.pending = self.pending[:end], self.pending[end:]
            if not self._passes(sentence, shown):
                break
        return "".join(shown)

    def _sentence_end(self) -> int | None:
        """Where the first complete sentence of the pending text ends; a 。 or ； inside a quotation
        does not end it (the quotation is checked whole, so it is shown whole or not at all)."""
        for m in _SENTENCE_END.finditer(self.pending):
            if not open_quotation(self.pending[: m.end()]):
                return m.end()
        return None

    def flush(self) -> str:
        """The last, unterminated sentence, if it passes."""
        rest, self.pending = self.pending, ""
        shown: list[str] = []
        if rest and not self.closed:
            self._passes(rest, shown)
        return "".join(shown)

    def _passes(self, sentence: str, shown: list[str]) -> bool:
        restored = self.restore(sentence)
        self.problems = self.check(restored)
        if not self.problems:
            shown.append(restored)
        return not self.problems


def same_text(streamed: str, final: str) -> bool:
    """Whether the streamed text is the final answer's, up to citation marks ([1] while streaming,
    〔问责条例第十七条〕 in the final answer) and spacing. A client that showed the stream replaces it
    with the final answer when this is False (a fallback or a corrected retry)."""
    return _ANY_MARK.sub("", streamed) == _ANY_MARK.sub("", final)
