"""``llmsynth eval``: score a table against its spec and a reference (``llmsynth.api.evaluate``); print the
headline, write JSON and an HTML report, and with --check turn missed thresholds into exit code 1."""

from __future__ import annotations

from pathlib import Path

import typer

from llmsynth.cli.errors import handle_errors
from llmsynth.cli.output import err, out


@handle_errors
def eval_command(
    data: Path = typer.Argument(..., help="Table to score (.csv, .parquet or .jsonl).", show_default=False),
    spec: Path | None = typer.Option(
        None,
        "--spec",
        "-s",
        help="Dataset spec (YAML): enables validity, spec-fidelity checks and thresholds.",
    ),
    reference: Path | None = typer.Option(
        None,
        "--reference",
        "-r",
        help="Real table to compare with (fidelity, privacy, usefulness); default: the spec's `reference:`.",
    ),
    target: str | None = typer.Option(
        None, "--target", "-t", help="Column to predict for TSTR/TRTR usefulness (needs a reference)."
    ),
    sensitive: list[str] | None = typer.Option(
        None, "--sensitive", metavar="COLUMN", help="Sensitive column for the bias checks; repeat for several."
    ),
    json_out: Path | None = typer.Option(None, "--json", help="Write every figure as JSON to this file."),
    report: Path | None = typer.Option(
        None, "--report", help="Write a self-contained HTML report to this file."
    ),
    check: bool = typer.Option(
        False,
        "--check",
        help="Exit with code 1 when a score misses its threshold (the spec's `thresholds:`).",
    ),
    seed: int = typer.Option(0, "--seed", help="Seed for the reference splits and samples."),
) -> None:
    """Score DATA for validity, fidelity, diversity, privacy, usefulness and bias.

    The run record the generator wrote beside DATA (X.run.json for X.csv) is read automatically.
    Score keys and thresholds are documented in docs/evals.md.
    """
    from rich.table import Table

    from llmsynth import api

    result = api.evaluate(data, spec, reference, target=target, sensitive=sensitive, json_out=json_out,
                          report=report, seed=seed)
    table = Table(title=f"{result.dataset}: {result.rows} rows", title_justify="left")
    table.add_column("score")
    table.add_column("value", justify="right")
    for key, value in result.headline.items():
        table.add_row(key, f"{value:.3f}")
    out().print(table)
    if json_out is not None:
        err().print(f"scores written to {json_out}")
    if report is not None:
        err().print(f"report written to {report}")
    failed = result.failed_thresholds()
    for line in result.unchecked_thresholds():
        err().print(f"not checked: {line}", markup=False)
    if check:
        if failed:
            err().print("[bold red]thresholds not met:[/bold red]")
            for line in failed:
                err().print(f"  {line}", markup=False)
            raise typer.Exit(1)
        err().print(
            f"all {len(result.thresholds)} thresholds met" if result.thresholds else "no thresholds set"
        )
