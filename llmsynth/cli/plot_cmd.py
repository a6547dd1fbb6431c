"""``llmsynth plot``: draw the picture a person expects for a spec (generated first) or a data file
(``llmsynth.api.plot``)."""

from __future__ import annotations

from pathlib import Path

import typer

from llmsynth.cli.errors import handle_errors

SOURCE = typer.Argument(
    ...,
    help="A dataset spec (.yaml: generated first, then drawn) or a data file (.csv, .parquet, .jsonl).",
    show_default=False,
)
OUTPUT = typer.Option(..., "-o", "--output", help="Picture to write: .png, .svg or .pdf.", show_default=False)
SPEC = typer.Option(
    None, "--spec", help="The spec a data file was generated from; it tells which picture fits.",
)
ROWS = typer.Option(None, "--rows", "-n", help="Rows to generate when SOURCE is a spec (default: its rows).")
SEED = typer.Option(None, "--seed", help="Override the spec's seed when SOURCE is a spec.")
REFERENCE = typer.Option(
    None, "--reference", "-r",
    help="Reference table to compare with (default: the spec's 'reference:' or a mixture's sample data).",
)
PICTURE = typer.Option(
    None, "--picture", "-p",
    help="Force a picture instead of choosing one: histogram, overlay, scatter, fit, side_by_side,"
    " correlation, stacked_bars, graph, series, tree, bars, table.",
)
TITLE = typer.Option(None, "--title", help="Title above the picture (default: the spec's name).")
MODEL = typer.Option(None, "--model", "-m", help="Model for LLM columns when SOURCE is a spec.")
BACKEND = typer.Option(None, "--backend", help="Backend for LLM columns of a spec SOURCE (e.g. fake).")


@handle_errors
def plot_command(
    source: Path = SOURCE,
    output: Path = OUTPUT,
    spec: Path | None = SPEC,
    rows: int | None = ROWS,
    seed: int | None = SEED,
    reference: Path | None = REFERENCE,
    picture: str | None = PICTURE,
    title: str | None = TITLE,
    model: str | None = MODEL,
    backend: str | None = BACKEND,
) -> None:
    """Draw SOURCE as the picture that fits it and write it to --output.

    With a spec, its technique decides the picture:
    one distribution: 30-bin histogram with its density;
    with a reference: overlaid density histograms;
    y computed from x: scatter with the fitted line;
    mvnormal pair: scatter on equal axes;
    3+ correlated columns: requested vs achieved heatmaps;
    mixture: reference and synthetic side by side;
    fixed_sum: stacked bars; graph: the graph drawn;
    arma: line plot; tree: table head and label rates;
    LLM columns: the table itself.
    Without a spec the column types decide.
    """
    from llmsynth import api

    drawn = api.plot(source, output, spec=spec, rows=rows, seed=seed, reference=reference, picture=picture,
                     title=title, model=model, backend=backend)
    typer.echo(f"wrote {output}: {drawn.picture} of {', '.join(drawn.columns)} ({drawn.rows} rows)", err=True)
