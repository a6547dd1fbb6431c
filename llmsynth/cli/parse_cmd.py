"""``llmsynth parse``: rows from text made elsewhere, checked against a spec (``llmsynth.api.parse``)."""

from __future__ import annotations

from pathlib import Path

import typer

from llmsynth.cli.errors import handle_errors
from llmsynth.cli.output import err


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
    from rich.table import Table

    from llmsynth import api

    parsed = api.parse(input, spec, parser=parser, regex=regex, group=group, columns=columns, output=output)
    console = err()
    console.print(
        f"{input}: [green]{len(parsed.data)} rows[/green] parsed with '{parsed.parser}', "
        f"[red]{len(parsed.rejects)} rejects[/red]; rows -> {parsed.output}, rejects -> {parsed.rejects_path}"
    )
    if not parsed.rejects:
        return
    counts: dict[str, int] = {}
    for reject in parsed.rejects:
        counts[str(reject["reason"])] = counts.get(str(reject["reason"]), 0) + 1
    table = Table(title="rejects by reason")
    table.add_column("reason", overflow="fold")
    table.add_column("count", justify="right")
    for reason, count in sorted(counts.items(), key=lambda kv: -kv[1])[:15]:
        table.add_row(reason, str(count))
    console.print(table)
