"""Generate a table from a spec: in memory, durably to a file, as a Hugging Face dataset folder, or a preview.

Every CLI option of ``generate`` and ``preview`` is a keyword here under the same name, so a script and a
shell command say the same thing: ``generate(spec, rows=50, backend="fake", temperature=0.6)``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from llmsynth.api.boundary import public
from llmsynth.errors import OutputError, SpecError
from llmsynth.spec import DatasetSpec
from llmsynth.spec import load_spec as _load_spec

if TYPE_CHECKING:
    import pandas as pd

    from llmsynth.backends.base import Backend
    from llmsynth.engine.execution import Execution
    from llmsynth.engine.run_record import RunStats
    from llmsynth.engine.runner import ChunkResult, Runner

T = TypeVar("T")
Progress = Callable[[int, int], None]
Decoding = Literal["constrained", "free"]
OutputFormat = Literal["hf"]
Engine = Literal["local", "ray"]
OUTPUT_FORMATS = ("hf",)


@dataclass
class GenerationRun:
    """A finished run: the valid rows, the rejected ones (raw text and reason), its counters, and where
    the run record and rejects were written (None for a run kept in memory)."""

    data: pd.DataFrame
    rejects: list[dict[str, Any]] = field(default_factory=list)
    stats: RunStats | None = None
    record_path: Path | None = None
    rejects_path: Path | None = None


@public
def load_spec(path: str | Path) -> DatasetSpec:
    """Load and validate a YAML spec; errors name the file, the column and the problem."""
    return _load_spec(path)


def as_spec(spec: DatasetSpec | str | Path) -> DatasetSpec:
    """A spec object as given, or loaded from its YAML file: every API function accepts either."""
    return spec if isinstance(spec, DatasetSpec) else _load_spec(spec)


@public
def resolve_spec(
    spec: DatasetSpec | str | Path,
    *,
    seed: int | None = None,
    model: str | Mapping[str, Any] | None = None,
    backend: str | Backend | None = None,
    device: str | None = None,
    dtype: str | None = None,
    batch_size: int | None = None,
    temperature: float | None = None,
    decoding: Decoding | None = None,
) -> DatasetSpec:
    """The spec as it will run: the caller's settings over the spec's own, nothing edited on disk.

    ``model`` is a model name (alias, Hugging Face id or folder) or a mapping of model settings
    (``{"name": "qwen2.5-1.5b-instruct", "device": "cuda"}``, dotted keys such as ``"generation.temperature"``).
    ``backend`` is a registered backend name; a backend object is handed to the runner instead (tests).
    """
    settings: dict[str, Any] = dict(model) if isinstance(model, Mapping) else {"name": model}
    named = {"backend": backend if isinstance(backend, str) else None, "device": device, "dtype": dtype,
             "batch_size": batch_size, "generation.temperature": temperature}
    settings.update({key: value for key, value in named.items() if value is not None})
    changes: dict[str, Any] = {"seed": seed, "decoding": decoding}
    for key, value in settings.items():
        changes[key if "." in key else f"model.{key}"] = value
    return as_spec(spec).with_overrides(**changes)


@public
def generate_run(
    spec: DatasetSpec | str | Path,
    rows: int | None = None,
    seed: int | None = None,
    *,
    model: str | Mapping[str, Any] | None = None,
    backend: str | Backend | None = None,
    device: str | None = None,
    dtype: str | None = None,
    batch_size: int | None = None,
    temperature: float | None = None,
    decoding: Decoding | None = None,
    output: str | Path | None = None,
    output_format: OutputFormat | None = None,
    resume: bool = False,
    force: bool = False,
    progress: Progress | None = None,
    data: pd.DataFrame | str | Path | None = None,
    engine: Engine = "local",
    workers: int | None = None,
    ray_address: str | None = None,
    cpus_per_worker: float | None = None,
    shard: str | None = None,
) -> GenerationRun:
    """Generate rows; with ``output``, write them durably to that file with its run record and rejects
    (the rows are then not kept in memory: ``data`` is an empty frame with the columns).

    ``model``, ``backend``, ``device``, ``dtype``, ``batch_size`` and ``temperature`` override the spec's
    model settings (see ``resolve_spec``); ``decoding`` ("constrained" or "free") switches every LLM
    group, to compare the two modes on one spec. ``data`` (a DataFrame or table file) gives existing
    rows: the spec's other columns are generated for each of them (enrichment; see ``kind: data`` in docs/fit.md).

    With ``output``, finished chunks are committed to ``OUT.parts/`` and the file appears only once
    complete. ``resume=True`` continues a stopped, killed or failed run from its last commit (refused if
    the spec, seed or options changed); an existing output is replaced only with ``force=True``.
    ``output_format="hf"`` writes ``output`` as a Hugging Face dataset folder with its dataset card instead
    (generated in memory, scored for the card; needs the ``hf`` extra).

    ``engine="ray"`` makes the chunks on ``workers`` Ray workers (a local cluster, or the one at
    ``ray_address``; ``cpus_per_worker`` CPUs each), with the same table as a local run. ``shard="I/N"``
    writes only the I-th of N parts of the run to ``output``; ``merge`` joins the parts (docs/scale-out.md).
    """
    import pandas as pd

    from llmsynth.engine.runner import Runner, check_rows

    if rows is not None:
        check_rows(rows)
    _check_output(output, output_format, resume=resume, force=force)
    if output_format is not None and (engine != "local" or shard is not None):
        from llmsynth.errors import EngineError

        raise EngineError("--format hf runs in this process: drop --engine/--shard, or write Parquet and convert it")
    resolved = resolve_spec(spec, seed=seed, model=model, backend=backend, device=device, dtype=dtype,
                            batch_size=batch_size, temperature=temperature, decoding=decoding)
    if data is not None:
        from llmsynth.spec.kinds.data_rows import with_rows

        resolved = with_rows(resolved, data if isinstance(data, pd.DataFrame) else _read(data))
    from llmsynth.engine.execution import Execution

    backend_object = None if isinstance(backend, str) else backend
    runner = Runner(resolved, backend=backend_object)
    execution = Execution.create(runner, engine=engine, workers=workers, ray_address=ray_address,
                                 cpus_per_worker=cpus_per_worker, shard=shard, writes_file=output is not None,
                                 backend=backend_object)
    if output is not None and output_format is None:
        return _generate_file(runner, Path(output), rows, resume=resume, force=force, progress=progress,
                              execution=execution)
    frames: list[pd.DataFrame] = []
    rejects: list[dict[str, Any]] = []
    with execution.producer(runner, runner.target_rows(rows)) as produce:
        for chunk in _named_errors(runner.run(rows, progress=progress, produce=produce), resolved):
            frames.append(chunk.data)
            rejects.extend(chunk.rejects)
    run = GenerationRun(data=_table(frames, resolved), rejects=rejects, stats=runner.stats)
    if output is not None:
        from llmsynth.api.hf import write_hf_run

        write_hf_run(run, resolved, Path(output))
    return run


def _check_output(output: str | Path | None, output_format: str | None, *, resume: bool, force: bool) -> None:
    """Options that contradict each other, a bad suffix or a folder in the way fail before any work."""
    if output is None:
        if resume or force or output_format:
            raise OutputError("resume, force and output_format apply to a run that writes its output: pass output=...")
        return
    if output_format is None:
        from llmsynth.io import table_format

        table_format(Path(output))
    elif output_format == "hf":
        if resume or force:
            raise OutputError(f"{output}: a Hugging Face dataset folder is written in one go; no resume or force")
        from llmsynth.api.hf import check_hf_output

        check_hf_output(Path(output))
    else:
        raise OutputError(f"unknown output format '{output_format}'; known: {', '.join(OUTPUT_FORMATS)}")


def _table(frames: list[pd.DataFrame], spec: DatasetSpec) -> pd.DataFrame:
    import pandas as pd

    from llmsynth.export.dtypes import with_spec_dtypes

    table = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=spec.column_names)
    return with_spec_dtypes(table, spec.column_schemas())


def _generate_file(
    runner: Runner, output: Path, rows: int | None, *, resume: bool, force: bool, progress: Progress | None,
    execution: Execution,
) -> GenerationRun:
    import json

    import pandas as pd

    from llmsynth.engine.durable import generate_to_file
    from llmsynth.engine.run_record import sidecar_paths

    def run() -> RunStats:
        with execution.producer(runner, runner.target_rows(rows)) as produce:
            return generate_to_file(runner, output, rows, resume=resume, force=force, progress=progress,
                                    produce=produce, shard=execution.shard)

    stats = _named_errors_call(run, runner.spec)
    record_path, rejects_path = sidecar_paths(output)
    with rejects_path.open(encoding="utf-8") as handle:
        rejects = [json.loads(line) for line in handle if line.strip()]
    return GenerationRun(data=pd.DataFrame(columns=runner.spec.column_names), rejects=rejects, stats=stats,
                         record_path=record_path, rejects_path=rejects_path)


def _named_errors_call(call: Callable[[], T], spec: DatasetSpec) -> T:
    try:
        return call()
    except SpecError as exc:
        _raise_with_source(exc, spec)
        raise


def _named_errors(chunks: Iterator[ChunkResult], spec: DatasetSpec) -> Iterator[ChunkResult]:
    try:
        yield from chunks
    except SpecError as exc:
        _raise_with_source(exc, spec)
        raise


def _raise_with_source(exc: SpecError, spec: DatasetSpec) -> None:
    """Spec problems found while generating (a template the sandbox blocks) also name the spec file."""
    if exc.source is None and spec.source is not None:
        named = SpecError(str(exc), source=str(spec.source))
        for note in getattr(exc, "__notes__", []):
            named.add_note(note)
        raise named from exc


@public
def generate(
    spec: DatasetSpec | str | Path,
    rows: int | None = None,
    seed: int | None = None,
    *,
    model: str | Mapping[str, Any] | None = None,
    backend: str | Backend | None = None,
    device: str | None = None,
    dtype: str | None = None,
    batch_size: int | None = None,
    temperature: float | None = None,
    decoding: Decoding | None = None,
    output: str | Path | None = None,
    output_format: OutputFormat | None = None,
    resume: bool = False,
    force: bool = False,
    progress: Progress | None = None,
    data: pd.DataFrame | str | Path | None = None,
    engine: Engine = "local",
    workers: int | None = None,
    ray_address: str | None = None,
    cpus_per_worker: float | None = None,
    shard: str | None = None,
) -> pd.DataFrame:
    """Generate a table as a DataFrame: every row valid against the spec's row schema, each column in
    the dtype the spec declares (choices ``category``, dates ``datetime64``, integers ``int64``/``Int64``);
    with ``data``, one output row per row of that table (its columns kept, the spec's columns added).

    With ``output`` the table is written durably first (see ``generate_run``, also for ``engine``,
    ``workers`` and ``shard``) and read back from the file; use ``generate_run`` to write a table too
    large to hold in memory.
    """
    run = generate_run(spec, rows, seed, model=model, backend=backend, device=device, dtype=dtype,
                       batch_size=batch_size, temperature=temperature, decoding=decoding, output=output,
                       output_format=output_format, resume=resume, force=force, progress=progress, data=data,
                       engine=engine, workers=workers, ray_address=ray_address, cpus_per_worker=cpus_per_worker,
                       shard=shard)
    if output is None or output_format is not None:
        return run.data
    from llmsynth.export.dtypes import with_spec_dtypes

    return with_spec_dtypes(_read(output), as_spec(spec).column_schemas())


@public
def preview(
    spec: DatasetSpec | str | Path,
    rows: int = 5,
    seed: int | None = None,
    *,
    model: str | Mapping[str, Any] | None = None,
    backend: str | Backend | None = None,
    device: str | None = None,
    dtype: str | None = None,
    batch_size: int | None = None,
    temperature: float | None = None,
    decoding: Decoding | None = None,
) -> pd.DataFrame:
    """A few rows of ``spec`` in memory, nothing written: a quick look before a long run."""
    return generate(spec, rows, seed, model=model, backend=backend, device=device, dtype=dtype,
                    batch_size=batch_size, temperature=temperature, decoding=decoding)


def _read(path: str | Path) -> pd.DataFrame:
    from llmsynth.io import read_table

    return read_table(path)
