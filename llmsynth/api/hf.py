"""``generate(..., output=DIR, output_format="hf")``: the table generated in memory, scored, and saved as a
Hugging Face dataset folder with its dataset card; the run record and rejects go beside the folder."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from llmsynth.errors import InputDataError

if TYPE_CHECKING:
    from llmsynth.api.generation import GenerationRun
    from llmsynth.spec import DatasetSpec


def check_hf_output(output: Path) -> None:
    """Fail before generating: the folder must be new or empty, and ``datasets`` installed."""
    from llmsynth.export.hf import require_datasets

    if output.exists() and (not output.is_dir() or any(output.iterdir())):
        raise InputDataError(f"{output}: --format hf writes a dataset folder; give a new or empty folder")
    require_datasets()


def write_hf_run(run: GenerationRun, spec: DatasetSpec, output: Path) -> None:
    """Save a finished in-memory run as a dataset folder whose card describes ``spec`` as it ran, with the
    eval headline; record where the run record and rejects went on ``run``."""
    from llmsynth.api.evaluation import evaluate
    from llmsynth.engine.run_record import write_sidecars
    from llmsynth.export.hf import write_hf_dataset

    record = run.stats.record() if run.stats is not None else None
    report = evaluate(run.data, spec, run_record=record)
    write_hf_dataset(run.data, spec, output, report)
    if run.stats is not None:
        run.record_path, run.rejects_path = write_sidecars(output, run.stats, run.rejects)
