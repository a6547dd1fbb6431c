"""``llmsynth eval``: score a table against its spec and a reference; write JSON and an HTML report."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from llmsynth.cli.errors import handle_errors
from llmsynth.errors import InputDataError

out = Console()
err = Console(stderr=True)


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
        None, "--sensitive", help="Sensitive column for the bias checks; repeat for several."
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
    from llmsynth import api
    from llmsynth.evals import load_run_record
    from llmsynth.io import read_table

    frame = read_table(data)
    if frame.empty and len(frame.columns) == 0:
        raise InputDataError(f"{data}: the table has no columns")
    for name in [target, *(sensitive or [])]:
        if name is not None and name not in frame.columns:
            raise InputDataError(f"{data}: no column '{name}'; columns: {', '.join(map(str, frame.columns))}")
    loaded = api.load_spec(spec) if spec is not None else None
    reference_frame = read_table(reference) if reference is not None else None
    result = api.evaluate(
        frame,
        loaded,
        reference_frame,
        target=target,
        sensitive=list(sensitive or []),
        run_record=load_run_record(data),
        seed=seed,
    )

    table = Table(title=f"{result.dataset}: {result.rows} rows", title_justify="left")
    table.add_column("score")
    table.add_column("value", justify="right")
    for key, value in result.headline.items():
        table.add_row(key, f"{value:.3f}")
    out.print(table)
    if json_out is not None:
        err.print(f"scores written to {result.write_json(json_out)}")
    if report is not None:
        err.print(f"report written to {result.write_html(report)}")
    failed = result.failed_thresholds()
    for line in result.unchecked_thresholds():
        err.print(f"not checked: {line}", markup=False)
    if check:
        if failed:
            err.print("[bold red]thresholds not met:[/bold red]")
            for line in failed:
                err.print(f"  {line}", markup=False)
            raise typer.Exit(1)
        err.print(
            f"all {len(result.thresholds)} thresholds met" if result.thresholds else "no thresholds set"
        )
