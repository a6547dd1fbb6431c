"""Rows from a user pattern with named groups, one match per row, run on RE2 (linear time, no backtracking).

The pattern is checked before any text is read: it must compile under RE2 and have a named group
for every non-nullable column (group names match columns case- and spacing-insensitively).
Scanning a long output yields one row per match; a non-blank line no match touched is a reject.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Iterator, Sequence
from typing import Any

from llmsynth.errors import ParseError, SpecError
from llmsynth.parsers.keys import KeyMap
from llmsynth.parsers.patterns import compile_pattern
from llmsynth.parsers.result import MAX_ROW_CHARS, Candidate, ParseReject, clip_raw

NAME = "regex"
_SURROGATE = re.compile("[\ud800-\udfff]")


def compile_row_pattern(regex: str | None, keys: KeyMap) -> Any:
    """The compiled pattern, or a SpecError naming what is wrong (no pattern, RE2 syntax, missing groups)."""
    if not regex:
        raise SpecError("parser 'regex' needs a pattern with named groups, e.g. (?P<age>\\d+)")
    pattern = compile_pattern(regex, what="regex")
    groups = {keys.lookup(g) for g in pattern.groupindex}
    missing = [n for n in keys.required if n not in groups]
    if missing:
        raise SpecError(
            f"regex {regex!r} has no named group for {', '.join(missing)}; "
            f"add (?P<{missing[0]}>...) for each column it must fill"
        )
    return pattern


def _values(match: Any, keys: KeyMap) -> dict[str, Any]:
    return keys.map_items((k, v) for k, v in match.groupdict().items())


def _without_broken_lines(text: str) -> tuple[str, list[ParseReject]]:
    """RE2 reads UTF-8, which cannot hold a lone surrogate: such lines become rejects and are blanked
    (so line numbers and the other rows stay as they were)."""
    if not _SURROGATE.search(text):
        return text, []
    lines = text.split("\n")
    rejects = []
    for number, line in enumerate(lines, start=1):
        found = _SURROGATE.search(line)
        if found:
            reason = f"not valid Unicode (lone surrogate U+{ord(found.group()):04X})"
            rejects.append(ParseReject(clip_raw(line), NAME, reason, number))
            lines[number - 1] = ""
    return "\n".join(lines), rejects


def scan(
    text: str,
    keys: KeyMap,
    *,
    regex: str | None = None,
    columns: Sequence[str] | None = None,
    single: bool = False,
) -> Iterator[Candidate | ParseReject]:
    """One candidate per non-empty match, in order; untouched non-blank lines become rejects."""
    pattern = compile_row_pattern(regex, keys)
    text, broken = _without_broken_lines(text)
    yield from broken
    if single and broken:
        return
    if single:
        m = pattern.search(text)
        if m is None:
            yield ParseReject(clip_raw(text), NAME, "no match for the pattern", 1)
        else:
            yield Candidate(_values(m, keys), m.group(0), text.count("\n", 0, m.start()) + 1)
        return
    lines = text.split("\n")
    line_starts = [0, *itertools.accumulate(len(line) + 1 for line in lines[:-1])]
    touched: set[int] = set()
    for m in pattern.finditer(text):
        start, end = m.span()
        if start == end:
            continue
        first = bisect.bisect_right(line_starts, start)
        last = bisect.bisect_right(line_starts, max(start, end - 1))
        touched.update(range(first, last + 1))
        raw = m.group(0)
        if end - start > MAX_ROW_CHARS:
            yield ParseReject(clip_raw(raw), NAME, f"match longer than {MAX_ROW_CHARS:,} characters", first)
            continue
        try:
            yield Candidate(_values(m, keys), raw, first)
        except ParseError as exc:
            yield ParseReject(clip_raw(raw), NAME, str(exc), first)
    for number, line in enumerate(lines, start=1):
        if number not in touched and line.strip():
            yield ParseReject(clip_raw(line), NAME, "no match for the pattern", number)
