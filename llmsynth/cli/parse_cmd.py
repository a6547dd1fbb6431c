"""``llmsynth parse``: rows from text made elsewhere (free decoding, another tool), checked against a spec."""

from __future__ import annotations

import difflib
import json
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from llmsynth.cli.errors import handle_errors
from llmsynth.errors import InputDataError, SpecError
from llmsynth.spec import DatasetSpec, LLMGroup
from llmsynth.spec.schema import ColumnSchema, RowConstraint

out = Console(stderr=True)


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


@handle_errors
def parse_command(
    input: Path = typer.Argument(
        ..., help="Text file to read: model outputs made elsewhere (UTF-8).", show_default=False
    ),
    spec: Path = typer.Option(
        ..., "--spec", "-s", help="Dataset spec (YAML) whose column schemas rows must meet."
    ),
    parser: str | None = typer.Option(
        None,
        "--parser",
        "-p",
        help="json (objects, arrays or JSONL) | regex (one match per row) | kv (Key: value lines) | "
        "table (pipe/Markdown or CSV). Default: the group's parser with --group, else json.",
    ),
    regex: str | None = typer.Option(
        None,
        "--regex",
        help="For --parser regex: an RE2 pattern with a named group per column, (?P<age>\\d+).",
    ),
    group: str | None = typer.Option(
        None,
        "--group",
        "-g",
        help="Only this LLM group's fields (its name, or a field name of an unnamed group).",
    ),
    columns: str | None = typer.Option(
        None, "--columns", help="Comma-separated column order of table rows that have no header row."
    ),
    output: Path = typer.Option(..., "--output", "-o", help="Valid rows go here: .csv, .parquet or .jsonl."),
) -> None:
    """Parse INPUT into rows of SPEC's schema; write valid rows to --output and the rest to OUT.rejects.jsonl.

    Every row goes through the same coercions and checks as generated rows (docs/parsers.md);
    a reject keeps its raw text, line, parser and reason. Exit code 2 for unreadable input or a bad spec.
    """
    from llmsynth.api import load_spec
    from llmsynth.engine.run_record import sidecar_paths
    from llmsynth.io import table_format, write_table
    from llmsynth.parsers import parse_rows, validate_table
    from llmsynth.parsers.frame import rows_to_frame

    table_format(output)
    loaded = load_spec(spec)
    schemas, constraints, found = _schema_for(loaded, group)
    parser = parser or (found.parser if found else "json")
    regex = regex or (found.regex if found else None)
    order = [c.strip() for c in columns.split(",") if c.strip()] if columns else None
    text = _read_text(input)

    result = parse_rows(text, schemas, parser=parser, regex=regex, columns=order)
    frame = rows_to_frame(result.rows, schemas)
    check = validate_table(frame, schemas, constraints)  # what one row cannot show: duplicates, sums
    rejects = [r.to_dict() for r in result.rejects]
    for row, reason in check.row_reasons().items():
        raw = json.dumps(result.rows[row], ensure_ascii=False, default=str)
        rejects.append({"line": None, "parser": parser, "reason": reason, "raw": raw})
    written = write_table(frame[check.valid].reset_index(drop=True), output)
    _, rejects_path = sidecar_paths(output)
    # a reject's raw text may hold a lone surrogate (JSON's "\ud800"): written as that JSON escape
    with rejects_path.open("w", encoding="utf-8", errors="backslashreplace") as handle:
        for reject in rejects:
            handle.write(json.dumps(reject, ensure_ascii=False) + "\n")
    _summary(input, parser, check.n_valid, rejects, written, rejects_path)


def _summary(
    source: Path,
    parser: str,
    n_valid: int,
    rejects: list[dict[str, object]],
    written: Path,
    rejects_path: Path,
) -> None:
    out.print(
        f"{source}: [green]{n_valid} rows[/green] parsed with '{parser}', [red]{len(rejects)} rejects[/red]; "
        f"rows -> {written}, rejects -> {rejects_path}"
    )
    if not rejects:
        return
    counts: dict[str, int] = {}
    for reject in rejects:
        counts[str(reject["reason"])] = counts.get(str(reject["reason"]), 0) + 1
    table = Table(title="rejects by reason")
    table.add_column("reason", overflow="fold")
    table.add_column("count", justify="right")
    for reason, count in sorted(counts.items(), key=lambda kv: -kv[1])[:15]:
        table.add_row(reason, str(count))
    out.print(table)
