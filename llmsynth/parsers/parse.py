"""Text -> rows: pick a parser by name, let it find candidate rows, and put each through the row schema.

Parsers are registered by name in ``llmsynth.registry.PARSERS``; each target is a ``scan``
function yielding candidates (raw values keyed by column) and rejects, so adding a format is one
module and one line there (or an entry point in the ``llmsynth.parsers`` group).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

from llmsynth.errors import ParseError, SpecError
from llmsynth.parsers.coerce import coerce_row
from llmsynth.parsers.keys import KeyMap
from llmsynth.parsers.result import Candidate, ParseReject, ParseResult, clip_raw, too_long
from llmsynth.registry import PARSERS
from llmsynth.spec.schema import ColumnSchema

Scan = Callable[..., Iterator[Candidate | ParseReject]]


def get_parser(name: str) -> Scan:
    """The scan function registered under ``name``; an unknown name says which ones exist."""
    return PARSERS.get(name)


def _keys(schemas: Sequence[ColumnSchema]) -> KeyMap:
    return KeyMap([s.name for s in schemas], required=[s.name for s in schemas if not s.nullable])


def parse_row(
    text: str, schemas: list[ColumnSchema], parser: str = "json", regex: str | None = None
) -> dict[str, Any]:
    """One row from one model output (the first row the parser finds); ParseError says why not."""
    scan = get_parser(parser)
    if not isinstance(text, str):
        raise ParseError(f"expected text, got {type(text).__name__}", raw=repr(text)[:200], parser=parser)
    reason = too_long(text)
    if reason:
        raise ParseError(reason, raw=clip_raw(text), parser=parser)
    first_reject: ParseReject | None = None
    for item in scan(text, _keys(schemas), regex=regex, single=True):
        if isinstance(item, ParseReject):
            first_reject = first_reject or item
            continue
        try:
            return coerce_row(item.values, schemas)
        except ParseError as exc:
            raise exc.located(raw=text, parser=parser) from None
    message = first_reject.reason if first_reject else "no row found in the output"
    raise ParseError(message if text.strip() else "empty output", raw=text, parser=parser)


def parse_rows(
    text: str,
    schemas: list[ColumnSchema],
    parser: str = "table",
    regex: str | None = None,
    *,
    columns: Sequence[str] | None = None,
) -> ParseResult:
    """Every row in one long output; rows that fail the row schema are rejects with their reasons.

    ``columns`` is the column order of table rows that come without a header (default: schema order).
    """
    scan = get_parser(parser)
    result = ParseResult()
    if columns is not None:
        unknown = [c for c in columns if c not in {s.name for s in schemas}]
        if unknown:
            raise SpecError(f"columns {unknown} are not in the schema ({', '.join(s.name for s in schemas)})")
    for item in scan(text, _keys(schemas), regex=regex, columns=columns):
        if isinstance(item, ParseReject):
            result.rejects.append(item)
            continue
        try:
            result.rows.append(coerce_row(item.values, schemas))
        except ParseError as exc:
            result.rejects.append(ParseReject(clip_raw(item.raw), parser, str(exc), item.line))
    result.rejects.sort(key=lambda r: r.line or 0)
    return result
