"""``parse``: rows from text made elsewhere (free decoding, another tool), checked against a spec like
generated rows are (docs/parsers.md)."""

from __future__ import annotations

import difflib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from llmsynth.api.boundary import public
from llmsynth.api.generation import as_spec
from llmsynth.errors import InputDataError, SpecError
from llmsynth.spec import DatasetSpec, LLMGroup
from llmsynth.spec.schema import ColumnSchema, RowConstraint

if TYPE_CHECKING:
    import pandas as pd


@dataclass
class Parsed:
    """The rows read: valid ones as a table, the rest with their raw text, line, parser and reason; where
    they were written when ``output`` was given."""

    data: pd.DataFrame
    rejects: list[dict[str, Any]]
    parser: str
    output: Path | None = None
    rejects_path: Path | None = None


@public
def parse(
    input: str | Path,
    spec: DatasetSpec | str | Path,
    *,
    parser: str | None = None,
    regex: str | None = None,
    group: str | None = None,
    columns: str | Sequence[str] | None = None,
    output: str | Path | None = None,
) -> Parsed:
    """Parse the text file ``input`` into rows of ``spec``'s schema; with ``output``, write the valid rows
    there and the rejects to OUT.rejects.jsonl.

    ``parser``: json (objects, arrays or JSONL), regex (one match per row, an RE2 ``regex`` with a named
    group per column), kv (Key: value lines) or table (pipe/Markdown or CSV; ``columns`` orders a table
    without a header row, a list or "a,b,c"). Default: the group's parser with ``group``, else json.
    ``group`` keeps one LLM group's fields (its name, or a field name of an unnamed group).
    """
    from llmsynth.parsers import parse_rows, validate_table
    from llmsynth.parsers.frame import rows_to_frame

    if output is not None:
        from llmsynth.io import table_format

        table_format(output)  # a bad suffix fails before the work
    loaded = as_spec(spec)
    schemas, constraints, found = _schema_for(loaded, group)
    parser = parser or (found.parser if found else "json")
    regex = regex or (found.regex if found else None)
    order = _column_order(columns)
    result = parse_rows(_read_text(Path(input)), schemas, parser=parser, regex=regex, columns=order)
    frame = rows_to_frame(result.rows, schemas)
    check = validate_table(frame, schemas, constraints)  # what one row cannot show: duplicates, sums
    rejects = [r.to_dict() for r in result.rejects]
    for row, reason in check.row_reasons().items():
        raw = json.dumps(result.rows[row], ensure_ascii=False, default=str)
        rejects.append({"line": None, "parser": parser, "reason": reason, "raw": raw})
    parsed = Parsed(frame[check.valid].reset_index(drop=True), rejects, parser)
    if output is not None:
        parsed.output, parsed.rejects_path = _write(parsed, Path(output))
    return parsed


def _column_order(columns: str | Sequence[str] | None) -> list[str] | None:
    if columns is None:
        return None
    names = columns.split(",") if isinstance(columns, str) else list(columns)
    return [c.strip() for c in names if c.strip()] or None


def _write(parsed: Parsed, output: Path) -> tuple[Path, Path]:
    from llmsynth.engine.run_record import sidecar_paths
    from llmsynth.io import write_table

    written = write_table(parsed.data, output)
    _, rejects_path = sidecar_paths(output)
    # a reject's raw text may hold a lone surrogate (JSON's "\ud800"): written as that JSON escape
    with rejects_path.open("w", encoding="utf-8", errors="backslashreplace") as handle:
        for reject in parsed.rejects:
            handle.write(json.dumps(reject, ensure_ascii=False) + "\n")
    return written, rejects_path


def _find_group(spec: DatasetSpec, name: str) -> LLMGroup:
    groups = spec.llm_groups()
    for group in groups:
        if name in (group.name, group.label) or (group.name is None and name in group.fields):
            return group
    labels = [g.name or g.label for g in groups]
    close = difflib.get_close_matches(name, labels, n=1)
    hint = f"; did you mean '{close[0]}'?" if close else ""
    known = ", ".join(f"'{label}'" for label in labels) or "none"
    raise SpecError(f"no LLM group '{name}' (groups: {known}){hint}", source=str(spec.source or ""))


def _read_text(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputDataError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    nul = data.find(b"\x00")
    if nul >= 0:
        raise InputDataError(f"{path}: looks like binary data (NUL byte at offset {nul}), not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputDataError(
            f"{path}: not UTF-8 text (byte {data[exc.start]:#04x} at offset {exc.start})"
        ) from exc


def _schema_for(
    spec: DatasetSpec, group: str | None
) -> tuple[list[ColumnSchema], list[RowConstraint], LLMGroup | None]:
    if group is None:
        return spec.column_schemas(), spec.row_constraints(), None
    found = _find_group(spec, group)
    schemas = found.column_schemas()
    names = {s.name for s in schemas}
    constraints = [
        r
        for r in spec.row_constraints()
        if set(r.columns) <= names and (r.total_column or "") in names | {""}
    ]
    return schemas, constraints, found
