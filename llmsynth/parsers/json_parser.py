"""Find JSON rows in model text: the first complete object (also in a ``` fence), JSONL lines, or arrays.

Brackets are matched with a scanner that skips string contents (``{"a": "x}"}`` is one object),
jumping between structural characters with a compiled regex so long texts stay fast. Common slips
(trailing commas, single quotes, unquoted keys) are repaired with ``json-repair``; never ``eval``.
An object cut off by the end of the output is dropped as a reject, not completed by guessing.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from typing import Any

import json_repair

from llmsynth.errors import ParseError
from llmsynth.parsers.keys import KeyMap
from llmsynth.parsers.result import MAX_ROW_CHARS, Candidate, ParseReject, clip_raw

NAME = "json"
MAX_DEPTH = 64
_START = re.compile(r"[{\[]")
_INSIDE = re.compile(r"[\"'{}\[\]]")
_STRING_END = {'"': re.compile(r'["\\]'), "'": re.compile(r"['\\]")}
_OBJECT_START = re.compile(r"\s*[\"'}A-Za-z_]")
_ARRAY_START = re.compile(r"\s*\{")
_FENCE = re.compile(r"\s*```")


class _Segment:
    """One bracketed value found in the text: its span, whether it closed, and array element spans."""

    def __init__(self, start: int, end: int, status: str, elements: list[tuple[int, int]]) -> None:
        self.start, self.end, self.status, self.elements = start, end, status, elements


def _string_end(text: str, pos: int, quote: str, limit: int) -> int | None:
    finder = _STRING_END[quote]
    while True:
        m = finder.search(text, pos, limit)
        if m is None:
            return None
        if m.group() == quote:
            return m.start()
        pos = m.start() + 2


def _opens_string(text: str, i: int) -> bool:
    """A single quote starts a string only where a JSON value or key may start (not in ``it's``)."""
    j = i - 1
    while j >= 0 and text[j].isspace():
        j -= 1
    return j >= 0 and text[j] in "{[,:"


def _scan(text: str, start: int) -> _Segment:
    """Match brackets from ``text[start]``; stops at the close, a mismatch, the depth cap or the size cap."""
    stack = [text[start]]
    elements: list[tuple[int, int]] = []
    element_start = start
    limit = len(text)
    pos = start + 1
    while True:
        budget_end = element_start + MAX_ROW_CHARS
        m = _INSIDE.search(text, pos, min(limit, budget_end))
        if m is None:
            return _Segment(
                start, min(limit, budget_end), "truncated" if budget_end >= limit else "too long", elements
            )
        c, i = m.group(), m.start()
        if c == '"' or (c == "'" and _opens_string(text, i)):
            end = _string_end(text, i + 1, c, min(limit, budget_end))
            if end is None:
                status = "truncated" if budget_end >= limit else "too long"
                return _Segment(start, min(limit, budget_end), status, elements)
            pos = end + 1
        elif c == "'":
            pos = i + 1
        elif c in "{[":
            if len(stack) == 1 and stack[0] == "[":
                element_start = i
            stack.append(c)
            if len(stack) > MAX_DEPTH:
                return _Segment(start, i + 1, "too deep", elements)
            pos = i + 1
        else:
            if stack[-1] != ("{" if c == "}" else "["):
                return _Segment(start, i + 1, "unbalanced", elements)
            stack.pop()
            if not stack:
                return _Segment(start, i + 1, "complete", elements)
            if len(stack) == 1 and stack[0] == "[":
                elements.append((element_start, i + 1))
                element_start = i + 1
            pos = i + 1


def load_json(fragment: str) -> Any:
    """Strict JSON first, then json-repair for the usual slips; ParseError when neither gives a value."""
    try:
        return json.loads(fragment)
    except (ValueError, RecursionError):
        pass
    try:
        value = json_repair.loads(fragment, skip_json_loads=True)
    except Exception as exc:  # json-repair is a heuristic third-party parser: any failure means unreadable
        raise ParseError(f"invalid JSON ({type(exc).__name__})") from None
    if not isinstance(value, dict | list) or value in ({}, []):
        raise ParseError("invalid JSON")
    return value


def _rows_from_value(value: Any, raw: str, line: int, keys: KeyMap) -> Iterator[Candidate | ParseReject]:
    items = value if isinstance(value, list) else [value]
    for item in items:
        if not isinstance(item, dict):
            yield ParseReject(
                clip_raw(json.dumps(item, default=str)), NAME, "JSON value is not an object", line
            )
            continue
        try:
            yield Candidate(keys.map_items(item.items()), raw if len(items) == 1 else json.dumps(item), line)
        except ParseError as exc:
            yield ParseReject(clip_raw(raw), NAME, str(exc), line)


def _segment_rows(text: str, seg: _Segment, line: int, keys: KeyMap) -> Iterator[Candidate | ParseReject]:
    raw = text[seg.start : seg.end]
    if seg.status in ("complete", "unbalanced"):
        try:
            yield from _rows_from_value(load_json(raw), raw, line, keys)
            return
        except ParseError as exc:
            if not seg.elements:
                yield ParseReject(clip_raw(raw), NAME, str(exc), line)
                return
    for a, b in seg.elements:  # an array that did not parse whole: its complete objects one by one
        piece = text[a:b]
        try:
            yield from _rows_from_value(load_json(piece), piece, line + text.count("\n", seg.start, a), keys)
        except ParseError as exc:
            yield ParseReject(clip_raw(piece), NAME, str(exc), line + text.count("\n", seg.start, a))
    if seg.status != "complete":
        tail_start = seg.elements[-1][1] if seg.elements else seg.start
        reason = {
            "truncated": "truncated JSON (the output ended inside it; dropped)",
            "too long": f"JSON value longer than {MAX_ROW_CHARS:,} characters (not scanned further)",
            "too deep": f"JSON nested deeper than {MAX_DEPTH} levels",
            "unbalanced": "unbalanced brackets in JSON",
        }[seg.status]
        tail = text[tail_start : seg.end].strip(" \t\r\n,]")
        if tail:
            yield ParseReject(clip_raw(tail), NAME, reason, line + text.count("\n", seg.start, tail_start))


def _scan_text(text: str, keys: KeyMap, first_line: int = 1) -> Iterator[Candidate | ParseReject]:
    pos, line, counted = 0, first_line, 0
    while (m := _START.search(text, pos)) is not None:
        i = m.start()
        follow = _OBJECT_START if m.group() == "{" else _ARRAY_START
        if not follow.match(text, i + 1):
            pos = i + 1
            continue
        line += text.count("\n", counted, i)
        counted = i
        seg = _scan(text, i)
        yield from _segment_rows(text, seg, line, keys)
        pos = max(seg.end, i + 1)


def _is_jsonl(lines: Sequence[str]) -> bool:
    body = [s for s in (ln.strip() for ln in lines) if s and not s.startswith("```")]
    objects = sum(1 for s in body if s[0] == "{" and s[-1] == "}")
    return len(body) >= 2 and objects * 2 > len(body)


def scan(
    text: str,
    keys: KeyMap,
    *,
    regex: str | None = None,
    columns: Sequence[str] | None = None,
    single: bool = False,
) -> Iterator[Candidate | ParseReject]:
    """Candidate rows in text order; a JSONL input is read line by line so one bad line costs one row."""
    stripped = text.strip()
    try:
        whole = json.loads(stripped)  # the fast path: the output is exactly JSON
    except (ValueError, RecursionError):
        whole = None
    if isinstance(whole, dict | list):
        yield from _rows_from_value(whole, stripped, 1, keys)
        return
    lines = text.split("\n")
    if single or not _is_jsonl(lines):
        found = False
        for item in _scan_text(text, keys):
            found = True
            yield item
        if not found and stripped:
            yield ParseReject(clip_raw(stripped), NAME, "no JSON object found", 1)
        return
    for number, line in enumerate(lines, start=1):
        body = line.strip()
        if not body or _FENCE.match(line):
            continue
        items = list(_scan_text(line, keys, number))
        yield from items or [ParseReject(clip_raw(body), NAME, "no JSON object found", number)]
