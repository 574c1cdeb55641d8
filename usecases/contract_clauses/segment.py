"""Split a contract's text into clauses with character offsets (paragraphs, then sentences)."""

from __future__ import annotations

import re

#: A clause longer than this is cut at sentence ends.
MAX_CHARS = 700
#: Pieces shorter than this are merged with the next one (headings, numbering).
MIN_CHARS = 25

_PARAGRAPH = re.compile(r"\n\s*\n|\n(?=\s*(?:article|art\.|section|clause|\d+(?:\.\d+)*[.)]?\s|[ivxlc]+[.)]\s|[a-z][.)]\s)"
                        r")", re.I)
_SENTENCE = re.compile(r"(?<=[.;:!?])[\"'»)\]]?\s+(?=[\"'«(\[]?[A-ZÀ-Ý0-9])")


def _spans(text: str, pattern: re.Pattern[str], start: int, end: int) -> list[tuple[int, int]]:
    out = []
    pos = start
    for m in pattern.finditer(text, start, end):
        out.append((pos, m.start()))
        pos = m.end()
    out.append((pos, end))
    return out


def _strip(text: str, a: int, b: int) -> tuple[int, int]:
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    return a, b


def split(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of the clauses of ``text``, in order, covering every non-blank piece."""
    pieces: list[tuple[int, int]] = []
    for a, b in _spans(text, _PARAGRAPH, 0, len(text)):
        a, b = _strip(text, a, b)
        if a >= b:
            continue
        if b - a <= MAX_CHARS:
            pieces.append((a, b))
            continue
        for c, d in _spans(text, _SENTENCE, a, b):
            c, d = _strip(text, c, d)
            if c < d:
                pieces.append((c, d))
    merged: list[tuple[int, int]] = []
    carry: int | None = None
    for a, b in pieces:
        if carry is not None:
            a = carry
            carry = None
        if b - a < MIN_CHARS:
            carry = a
            continue
        merged.append((a, b))
    if carry is not None:
        if merged:
            merged[-1] = (merged[-1][0], pieces[-1][1])
        else:
            merged.append((carry, pieces[-1][1]))
    return merged
