"""``llmsynth plot``: draw the picture a person expects for a spec (generated first) or a data file."""

from __future__ import annotations

from pathlib import Path

import typer

from llmsynth.cli.errors import handle_errors
from llmsynth.errors import InputDataError
from llmsynth.spec import DatasetSpec

SPEC_SUFFIXES = (".yaml", ".yml")

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
    from llmsynth.io import read_table
    from llmsynth.plots import save_plot
    from llmsynth.plots.canvas import check_output
    from llmsynth.plots.choose import check_picture_name

    check_output(output)  # bad arguments fail before any generating
    if picture is not None:
        check_picture_name(picture)
    if source.suffix.lower() in SPEC_SUFFIXES:
        if spec is not None:
            raise InputDataError(f"{source} is already a spec; --spec is for data files")
        spec_of_source = api.load_spec(source)
        overrides = {k: v for k, v in {"name": model, "backend": backend}.items() if v is not None}
        data = api.generate(spec_of_source, rows, seed, model=overrides)
        loaded: DatasetSpec | None = spec_of_source
    else:
        given = [name for name, value in (("--rows", rows), ("--seed", seed), ("--model", model),
                                          ("--backend", backend)) if value is not None]
        if given:
            raise InputDataError(f"{', '.join(given)}: only for a spec SOURCE, and {source} is a data file")
        loaded = api.load_spec(spec) if spec is not None else None
        data = read_table(source)
    ref = read_table(reference) if reference is not None else None
    chosen = save_plot(data, output, loaded, ref, picture, title)
    typer.echo(f"wrote {output}: {chosen.name} of {', '.join(chosen.columns)} ({len(data)} rows)", err=True)
