"""Rows from ``Key: value`` lines (``=`` also accepted); keys match columns case- and spacing-insensitively.

A record is a run of key-value lines; it ends at a blank line or when a column repeats (the start of
the next record). List markers (``-``, ``*``, ``1.``) before a key and Markdown emphasis around it
(``**Job:** Teacher``) are dropped. Lines that are not key-value lines, or whose key names no column,
are not used; a record that names no column at all is not a row.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import Any

from llmsynth.parsers.keys import KeyMap
from llmsynth.parsers.result import MAX_ROW_CHARS, Candidate, ParseReject, clip_raw, too_long
from llmsynth.parsers.table_parser import unwrap_emphasis

NAME = "kv"
_LINE = re.compile(r"\s*(?:[-*•]\s+|\d{1,3}[.)]\s+)?(?P<key>[^:=\n]{1,80}?)\s*[:=]\s*(?P<value>.*)")


def split_line(line: str) -> tuple[str, str] | None:
    """(key, value) of a key-value line, else None."""
    m = _LINE.fullmatch(line)
    if m is None:
        return None
    key, value = m.group("key"), m.group("value").strip()
    if key.lstrip().startswith(("*", "_")) and value[:2] in ("**", "__"):
        value = value[2:].lstrip()  # the closing half of **Key:** value
    return key, unwrap_emphasis(value)


def scan(
    text: str,
    keys: KeyMap,
    *,
    regex: str | None = None,
    columns: Sequence[str] | None = None,
    single: bool = False,
) -> Iterator[Candidate | ParseReject]:
    """One candidate per record, in order."""
    record: dict[str, Any] = {}
    raw: list[str] = []
    start = 0
    for number, line in enumerate(text.split("\n"), start=1):
        if len(line) > MAX_ROW_CHARS:
            yield ParseReject(clip_raw(line), NAME, too_long(line) or "", number)
            continue
        pair = split_line(line) if line.strip() else None
        name = keys.lookup(pair[0]) if pair else None
        if (not line.strip() or (name is not None and name in record)) and record:
            yield Candidate(record, "\n".join(raw), start)
            record, raw = {}, []
            if single:
                return
        if pair is None or name is None:
            if record:
                raw.append(line)
            continue
        if not record:
            start = number
        record[name] = pair[1]
        raw.append(line)
    if record:
        yield Candidate(record, "\n".join(raw).rstrip(), start)
