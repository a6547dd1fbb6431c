"""The ``llmsynth`` command: typer commands that parse arguments, call ``llmsynth.api`` and print.

Building the app imports typer and the option declarations only; each command imports the API when it
runs, so ``llmsynth --help`` never waits for pandas or the spec models. Help is click's plain formatter
(``rich_markup_mode=None``): typer's rich help imports markdown-it and rich.traceback, ~0.17 s.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

import typer

from llmsynth.cli.errors import DEBUG, handle_errors
from llmsynth.cli.eval_cmd import eval_command
from llmsynth.cli.fit_cmd import fit_command
from llmsynth.cli.output import err, out
from llmsynth.cli.parse_cmd import parse_command
from llmsynth.cli.plot_cmd import plot_command


class Decoding(StrEnum):
    """The ``--decoding`` choices."""

    constrained = "constrained"
    free = "free"


class OutputFormat(StrEnum):
    """The ``--format`` choices besides the output's suffix."""

    hf = "hf"


class Engine(StrEnum):
    """The ``--engine`` choices."""

    local = "local"
    ray = "ray"


app = typer.Typer(
    name="llmsynth",
    help="Generate synthetic tabular datasets: statistical scaffolds filled by a local language model.",
    no_args_is_help=True,
    add_completion=True,  # --install-completion / --show-completion for bash, zsh, fish, PowerShell
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

SPEC_ARG = typer.Argument(..., help="Dataset spec (YAML).", show_default=False)
SEED = typer.Option(None, "--seed", help="Override the spec's seed.")
MODEL = typer.Option(None, "--model", "-m", help="Model alias, Hugging Face id (local cache) or folder.")
BACKEND = typer.Option(None, "--backend", help="Backend that runs the model (transformers, fake).")
DEVICE = typer.Option(None, "--device", help="auto | cpu | cuda | cuda:N.")
DTYPE = typer.Option(None, "--dtype", help="auto | float32 | bfloat16 | float16.")
BATCH = typer.Option(None, "--batch-size", help="Rows decoded together (an integer).")
TEMPERATURE = typer.Option(None, "--temperature", help="Sampling temperature for LLM fields.")
DECODING = typer.Option(
    None, "--decoding", help="constrained | free: switch every LLM group (compare validity and speed)."
)


def _show_version(value: bool) -> None:
    if value:
        from llmsynth import __version__

        typer.echo(f"llmsynth {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    debug: bool = typer.Option(False, "--debug", help="Show Python tracebacks on errors."),
    version: bool = typer.Option(
        False, "--version", callback=_show_version, is_eager=True, help="Print the version and exit."
    ),
    allow_path: list[Path] = typer.Option(
        [], "--allow-path", metavar="FOLDER", help="A folder spec files may point into besides their own (repeatable).",
    ),
) -> None:
    DEBUG["enabled"] = debug
    if allow_path:
        from llmsynth import api

        api.allow_paths(list(allow_path))


@app.command()
@handle_errors
def generate(
    spec: Path = SPEC_ARG,
    rows: int | None = typer.Option(None, "--rows", "-n", help="Rows to generate (default: the spec's rows)."),
    output: Path = typer.Option(..., "--output", "-o", help="Output file; .csv, .parquet or .jsonl by suffix."),
    seed: int | None = SEED,
    model: str | None = MODEL,
    backend: str | None = BACKEND,
    device: str | None = DEVICE,
    dtype: str | None = DTYPE,
    batch_size: int | None = BATCH,
    temperature: float | None = TEMPERATURE,
    decoding: Decoding | None = DECODING,
    resume: bool = typer.Option(
        False, "--resume", help="Continue a stopped, killed or failed run of this output from its last commit."
    ),
    force: bool = typer.Option(
        False, "--force", help="Replace an existing output (once the new run completes); discard an unfinished run."
    ),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar or summary."),
    explain: bool = typer.Option(False, "--explain", help="Print the model's probabilities for the first rows' "
                                 "scored fields, and the calibration of declared choice weights."),
    output_format: OutputFormat | None = typer.Option(
        None, "--format", help="hf: a Hugging Face dataset folder (save_to_disk) with a dataset card, README.md;"
        " default: the --output suffix (.csv, .parquet, .jsonl).",
    ),
    engine: Engine = typer.Option(Engine.local, "--engine", help="local: this process; ray: Ray workers "
                                  "(pip install 'llmsynth[ray]'), same table."),
    workers: int | None = typer.Option(None, "--workers", help="Ray workers, each loads the model once "
                                       "(default 2)."),
    ray_address: str | None = typer.Option(None, "--ray-address", help="Ray cluster to join (e.g. "
                                           "HEAD:6379, or auto); default: start a local one."),
    cpus_per_worker: float | None = typer.Option(None, "--cpus-per-worker", help="CPUs each Ray worker "
                                                 "asks for (default: local CPUs / workers; 1 on a cluster)."),
    shard: str | None = typer.Option(None, "--shard", help="I/N: write only the I-th of N parts of the run; "
                                     "join the parts with llmsynth merge."),
) -> None:
    """Generate a dataset from SPEC and write it to --output, with a run record and a rejects file beside it.

    Finished chunks are kept in OUTPUT.parts/ while the run goes; the output appears only when the run is
    complete. Ctrl-C stops after the current chunk; --resume continues a stopped or killed run.
    """
    from llmsynth import api
    from llmsynth.cli.progress import row_progress
    from llmsynth.cli.summary import print_summary

    loaded = api.load_spec(spec)
    with row_progress(f"generating {loaded.name}", quiet=quiet) as progress:
        run = api.generate_run(
            loaded, rows, seed, model=model, backend=backend, device=device, dtype=dtype, batch_size=batch_size,
            temperature=temperature, decoding=decoding.value if decoding else None, output=output,
            output_format=output_format.value if output_format else None, resume=resume, force=force,
            progress=progress, engine=engine.value, workers=workers, ray_address=ray_address,
            cpus_per_worker=cpus_per_worker, shard=shard,
        )
    if not quiet:
        print_summary(err(), run, output, hf=output_format is not None, explain=explain)


@app.command()
@handle_errors
def merge(
    parts: list[Path] = typer.Argument(..., help="Shard files (generate --shard I/N), or folders of them.",
                                       show_default=False),
    output: Path = typer.Option(..., "--output", "-o", help="One file in the shards' format, or a folder "
                                "(ending in / or without a suffix) of one file per shard."),
    force: bool = typer.Option(False, "--force", help="Replace an existing output."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No summary."),
) -> None:
    """Join the shards of a run into the table a single-process run makes (rows, order and run record)."""
    from llmsynth import api

    stats = api.merge(list(parts), output, force=force)
    if not quiet:
        err().print(f"merged {len(parts)} input(s): {stats.rows_written} rows, {stats.chunks} chunks -> {output}")


@app.command()
@handle_errors
def preview(
    spec: Path = SPEC_ARG,
    rows: int = typer.Option(5, "--rows", "-n", help="Rows to show."),
    seed: int | None = SEED,
    model: str | None = MODEL,
    backend: str | None = BACKEND,
    device: str | None = DEVICE,
    dtype: str | None = DTYPE,
    batch_size: int | None = BATCH,
    temperature: float | None = TEMPERATURE,
    decoding: Decoding | None = DECODING,
) -> None:
    """Generate a few rows of SPEC and print them as a table (nothing is written)."""
    from llmsynth import api
    from llmsynth.cli.preview import preview_renderable

    data = api.preview(spec, rows, seed, model=model, backend=backend, device=device, dtype=dtype,
                       batch_size=batch_size, temperature=temperature, decoding=decoding.value if decoding else None)
    out().print(preview_renderable(data, out().width))


@app.command()
@handle_errors
def validate(
    spec: Path = SPEC_ARG,
    dry_rows: int = typer.Option(
        3, "--dry-rows", min=0, max=1000, help="Scaffold rows drawn to render each prompt once (0: skip)."
    ),
) -> None:
    """Check SPEC without the model: schema, number ranges, file references, templates (sandbox and
    limits), dependencies; then draw a few scaffold rows and render every prompt; print the plan."""
    from rich.table import Table

    from llmsynth import api

    checked = api.validate(spec, dry_rows=dry_rows)
    loaded = checked.spec
    table = Table(title=f"{loaded.name}: {loaded.rows} rows, seed {loaded.seed}, model {loaded.model.name}")
    for heading in ("step", "kind", "columns", "reads"):
        table.add_column(heading)
    for number, step in enumerate(checked.plan, start=1):
        table.add_row(str(number), step.kind, ", ".join(step.columns), ", ".join(step.reads))
    out().print(table)
    done = checked.dry_run
    if done is not None and done.skipped:
        typer.echo(f"dry run skipped: {done.skipped}")
    elif done is not None:
        rendered = f", prompts rendered (longest {done.longest_prompt:,} characters)" if done.prompts else ""
        typer.echo(f"dry run: {done.rows} scaffold rows drawn{rendered}")
    if checked.model_location is not None:
        typer.echo(f"model: {loaded.model.name} -> {checked.model_location}")
    for warning in checked.warnings:
        err().print(f"warning: {spec}: {warning}", markup=False, highlight=False, soft_wrap=True)
    typer.echo(f"ok: {spec} is valid ({len(loaded.column_names)} columns)")


@app.command()
@handle_errors
def models() -> None:
    """List the registered model aliases, where each loads from, and whether its weights are present."""
    from rich.table import Table

    from llmsynth import api

    table = Table(title="models (add your own in ~/.config/llmsynth/models.yaml or $LLMSYNTH_MODELS)")
    for heading in ("alias", "source", "loads from", "present"):
        table.add_column(heading, overflow="fold")
    for info in api.list_models():
        table.add_row(info.alias, info.source, str(info.location), "yes" if info.present else "no")
    out().print(table)


@app.command()
@handle_errors
def schema(
    output: Path | None = typer.Option(None, "--output", "-o", help="Write to this file instead of stdout."),
) -> None:
    """Print the JSON Schema of a spec, for editor completion and checking (e.g. yaml-language-server)."""
    import json

    from llmsynth import api

    document = api.schema(output)
    if output is None:
        typer.echo(json.dumps(document, indent=2))
    else:
        typer.echo(f"wrote {output}", err=True)


app.command("eval")(eval_command)
app.command("fit")(fit_command)
app.command("parse")(parse_command)
app.command("plot")(plot_command)


def main() -> None:
    """Console entry point."""
    app(prog_name="llmsynth")


if __name__ == "__main__":
    main()
