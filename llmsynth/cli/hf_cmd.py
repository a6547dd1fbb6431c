"""``llmsynth generate SPEC -o DIR --format hf``: generate in memory, score the table, and save it as a
Hugging Face dataset folder with its dataset card; the run record and rejects go beside the folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.console import Console

from llmsynth.errors import InputDataError
from llmsynth.spec import DatasetSpec

err = Console(stderr=True)


def check_hf_output(output: Path) -> None:
    """Fail before generating: the folder must be new or empty, and ``datasets`` installed."""
    from llmsynth.export.hf import require_datasets

    if output.exists() and (not output.is_dir() or any(output.iterdir())):
        raise InputDataError(f"{output}: --format hf writes a dataset folder; give a new or empty folder")
    require_datasets()


def generate_hf(
    spec: DatasetSpec, rows: int | None, seed: int | None, output: Path, *,
    model: dict[str, Any], decoding: str | None, quiet: bool,
) -> None:
    from llmsynth import api
    from llmsynth.cli.progress import row_progress
    from llmsynth.engine.run_record import write_sidecars
    from llmsynth.export.hf import write_hf_dataset

    check_hf_output(output)
    resolved = api._with_overrides(spec, seed, model, decoding)  # the card describes the spec as run
    with row_progress(f"generating {spec.name}", quiet=quiet) as progress:
        run = api.generate_run(resolved, rows, progress=progress)
    record = run.stats.record() if run.stats is not None else None
    report = api.evaluate(run.data, resolved, run_record=record)
    write_hf_dataset(run.data, resolved, output, report)
    if run.stats is not None:
        record_path, rejects_path = write_sidecars(output, run.stats, run.rejects)
    if not quiet:
        err.print(f"wrote {len(run.data)} rows as a Hugging Face dataset to {output} (datasets.load_from_disk)",
                  soft_wrap=True)
        if run.stats is not None:
            err.print(f"run record: {record_path}; rejects: {rejects_path}")
