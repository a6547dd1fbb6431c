"""What the parsers return: rows that passed the row schema, and rejects that say exactly why not.

Work is bounded so no input can hang a parser: one row's text may be at most ``MAX_ROW_CHARS``
characters (longer text is a reject, never scanned), and a reject keeps at most ``MAX_RAW_KEPT``
characters of its raw text so a rejects file stays readable.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

MAX_ROW_CHARS = 1_000_000
MAX_RAW_KEPT = 10_000


def clip_raw(text: str) -> str:
    """The raw text to keep in a reject: all of it, or its start with a note of how much was cut."""
    if len(text) <= MAX_RAW_KEPT:
        return text
    return f"{text[:MAX_RAW_KEPT]}… [{len(text) - MAX_RAW_KEPT} more characters not kept]"


def too_long(text: str) -> str | None:
    """The reject reason for text over the one-row limit, else None."""
    if len(text) > MAX_ROW_CHARS:
        return f"text too long ({len(text):,} characters; one row may have at most {MAX_ROW_CHARS:,})"
    return None


@dataclass(frozen=True)
class ParseReject:
    """Text that did not become a row: where it was, what it was, which parser, and why."""

    raw: str
    parser: str
    reason: str
    line: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """The reject as a row of the rejects file."""
        return {"line": self.line, "parser": self.parser, "reason": self.reason, "raw": self.raw}


@dataclass(frozen=True)
class Candidate:
    """Raw values a parser found for one row, keyed by schema column name, before coercion."""

    values: dict[str, Any]
    raw: str
    line: int | None = None


@dataclass
class ParseResult:
    """Rows that passed the row schema (in input order) and everything that did not."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    rejects: list[ParseReject] = field(default_factory=list)

    def reasons_count(self) -> dict[str, int]:
        """Rejects per reason, most frequent first."""
        return dict(Counter(r.reason for r in self.rejects).most_common())
