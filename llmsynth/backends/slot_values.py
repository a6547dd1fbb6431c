"""What a slot's text may be while it is written and when it ends: the checks behind rejection sampling
of numbers, the character rules of text, and the word-boundary cut of a text at its length limit.

Pure functions of strings, so every rule is tested without a model.
"""

from __future__ import annotations

import datetime as dt
import math
import re

from llmsynth.spec.schema import ColumnSchema

NUMBER_CHARS = frozenset("-0123456789.")
INTEGER_CHARS = frozenset("-0123456789")
# longest number text tried before the attempt counts as a rejection (a model looping on digits)
MAX_NUMBER_CHARS = 24
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?")
_INTEGER = re.compile(r"-?(?:0|[1-9][0-9]*)")
_NUMBER_PREFIX = re.compile(r"-?(?:0|[1-9][0-9]*)?(?:(?<=[0-9])\.[0-9]*)?")
# text ends its value at the first quote; these never appear in a written text value
_FORBIDDEN_TEXT = re.compile(r'[\\\x00-\x1f\ufffd]')
_DANGLING = " \t,;:-–—(/&+"


def text_char_ok(text: str) -> bool:
    """Whether text may appear inside a written string value (no escapes, controls or broken bytes)."""
    return _FORBIDDEN_TEXT.search(text) is None


def number_end(text: str, integer: bool) -> int | None:
    """Index where a number's text ends (the first character that cannot belong to it), or None."""
    allowed = INTEGER_CHARS if integer else NUMBER_CHARS
    for index, char in enumerate(text):
        if char not in allowed:
            return index
    return None


def number_complete(text: str, schema: ColumnSchema) -> bool:
    """A finished number text: JSON syntax, the field's type and its bounds."""
    pattern = _INTEGER if schema.type == "integer" else _NUMBER
    if not pattern.fullmatch(text):
        return False
    value = float(text)
    if not math.isfinite(value):
        return False
    if schema.minimum is not None and value < schema.minimum:
        return False
    return not (schema.maximum is not None and value > schema.maximum)


def number_feasible(text: str, schema: ColumnSchema) -> bool:
    """Whether some completion of this partial number text is a valid value (early rejection)."""
    if len(text) > MAX_NUMBER_CHARS or not _NUMBER_PREFIX.fullmatch(text):
        return False
    if schema.type == "integer" and "." in text:
        return False
    low = -math.inf if schema.minimum is None else schema.minimum
    high = math.inf if schema.maximum is None else schema.maximum
    negative = text.startswith("-")
    body = text[1:] if negative else text
    if not body:
        return (low < 0) if negative else True
    intervals = _prefix_intervals(body)
    for lo, hi in intervals:
        if negative:
            lo, hi = -hi, -lo
        if hi >= low and lo <= high:
            return True
    return False


def _prefix_intervals(body: str) -> list[tuple[float, float]]:
    """Closed hulls of the non-negative numbers whose text starts with ``body``."""
    if "." in body:
        whole, fraction = body.split(".", 1)
        base = float(f"{whole}.{fraction or '0'}")
        return [(base, base + 10.0 ** -len(fraction))]
    if body == "0":
        return [(0.0, 1.0)]
    start = int(body)
    # the number itself (with any decimals), or more digits: [start*10^k, (start+1)*10^k)
    return [(start * 10.0**k, (start + 1) * 10.0**k) for k in range(0, MAX_NUMBER_CHARS - len(body) + 1)]


def date_feasible(text: str) -> bool:
    """A prefix of YYYY-MM-DD."""
    shape = "dddd-dd-dd"
    if len(text) > len(shape):
        return False
    return all((c == "-") if s == "-" else c.isdigit() for c, s in zip(text, shape, strict=False))


def date_complete(text: str) -> bool:
    """Whether the text is a whole valid ISO date."""
    if len(text) != 10 or not date_feasible(text):
        return False
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return True


def cut_at_boundary(text: str, limit: int) -> str:
    """The longest start of ``text`` within ``limit`` characters that ends at a sentence or word boundary,
    without dangling punctuation; a single word longer than the limit is cut at the limit."""
    if len(text) <= limit:
        return text
    head = text[: limit + 1]  # one more character tells whether the limit falls on a boundary
    sentence = max(head.rfind(". "), head.rfind("! "), head.rfind("? "))
    if sentence >= limit // 2:
        return head[: sentence + 1]
    space = head.rfind(" ")
    if space <= 0:  # one long word: cut at the limit, still without a dangling mark
        return text[:limit].rstrip(_DANGLING) or text[:limit]
    return head[:space].rstrip(_DANGLING) or text[:limit]
