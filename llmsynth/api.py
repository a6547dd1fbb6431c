"""The public Python API: load a spec, generate a DataFrame (or a file), evaluate it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from llmsynth.errors import OutputError, SpecError
from llmsynth.spec import DatasetSpec
from llmsynth.spec import load_spec as _load_spec

if TYPE_CHECKING:
    from llmsynth.engine.run_record import RunStats
    from llmsynth.evals import EvalReport

Progress = Callable[[int, int], None]


@dataclass
class GenerationRun:
    """A finished run: the valid rows, the rejected ones (raw text and reason), and its counters."""

    data: pd.DataFrame
    rejects: list[dict[str, Any]] = field(default_factory=list)
    stats: RunStats | None = None


def load_spec(path: str | Path) -> DatasetSpec:
    """Load and validate a YAML spec; errors name the file, the column and the problem."""
    return _load_spec(path)


def _as_spec(spec: DatasetSpec | str | Path) -> DatasetSpec:
    return spec if isinstance(spec, DatasetSpec) else _load_spec(spec)


def _with_overrides(
    spec: DatasetSpec, seed: int | None, model: dict[str, Any] | None, decoding: str | None = None
) -> DatasetSpec:
    changes: dict[str, Any] = {"seed": seed, "decoding": decoding}
    for key, value in (model or {}).items():
        changes[key if "." in key else f"model.{key}"] = value
    return spec.with_overrides(**changes)


def generate_run(
    spec: DatasetSpec | str | Path,
    rows: int | None = None,
    seed: int | None = None,
    *,
    model: dict[str, Any] | None = None,
    decoding: str | None = None,
    output: str | Path | None = None,
    resume: bool = False,
    force: bool = False,
    backend: Any = None,
    progress: Progress | None = None,
    data: pd.DataFrame | str | Path | None = None,
    engine: str = "local",
    workers: int | None = None,
    ray_address: str | None = None,
    cpus_per_worker: float | None = None,
    shard: str | None = None,
) -> GenerationRun:
    """Generate rows; with ``output``, write them durably to that file with its run record and rejects
    (the rows are then not kept in memory: ``data`` is an empty frame with the columns).

    ``model`` overrides model settings (``{"name": "qwen2.5-1.5b-instruct", "device": "cuda"}``, or
    dotted keys such as ``"generation.temperature"``) without editing the spec; ``decoding``
    ("constrained" or "free") switches every LLM group, to compare the two modes on one spec.
    ``data`` (a DataFrame or table file) gives existing rows: the spec's other columns are generated
    for each of them (enrichment; see ``kind: data`` in docs/fit.md).

    With ``output``, finished chunks are committed to ``OUT.parts/`` and the file appears only once
    complete. ``resume=True`` continues a stopped, killed or failed run from its last commit (refused if
    the spec, seed or options changed); an existing output is replaced only with ``force=True``.

    ``engine="ray"`` makes the chunks on ``workers`` Ray workers (a local cluster, or the one at
    ``ray_address``; ``cpus_per_worker`` CPUs each), with the same table as a local run. ``shard="I/N"``
    writes only the I-th of N parts of the run to ``output``; ``merge`` joins the parts (docs/scale-out.md).
    """
    from llmsynth.engine.runner import Runner, check_rows
    from llmsynth.export.dtypes import with_spec_dtypes

    if rows is not None:
        check_rows(rows)
    if output is None and (resume or force):
        raise OutputError("resume and force apply to a run that writes a file: pass output=...")
    resolved = _with_overrides(_as_spec(spec), seed, model, decoding)
    if data is not None:
        from llmsynth.spec.kinds.data_rows import with_rows

        resolved = with_rows(resolved, data if isinstance(data, pd.DataFrame) else _read(data))
    from llmsynth.engine.execution import Execution

    runner = Runner(resolved, backend=backend)
    execution = Execution.create(runner, engine=engine, workers=workers, ray_address=ray_address,
                                 cpus_per_worker=cpus_per_worker, shard=shard, writes_file=output is not None,
                                 backend=backend)
    if output is not None:
        return _generate_file(runner, Path(output), rows, resume=resume, force=force, progress=progress,
                              execution=execution)
    frames: list[pd.DataFrame] = []
    rejects: list[dict[str, Any]] = []
    with execution.producer(runner, runner.target_rows(rows)) as produce:
        for chunk in _named_errors(runner.run(rows, progress=progress, produce=produce), resolved):
            frames.append(chunk.data)
            rejects.extend(chunk.rejects)
    table = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=resolved.column_names)
    table = with_spec_dtypes(table, resolved.column_schemas())
    return GenerationRun(data=table, rejects=rejects, stats=runner.stats)


def _generate_file(
    runner: Any, output: Path, rows: int | None, *, resume: bool, force: bool, progress: Progress | None,
    execution: Any,
) -> GenerationRun:
    import json

    from llmsynth.engine.durable import generate_to_file
    from llmsynth.engine.run_record import sidecar_paths

    def run() -> Any:
        with execution.producer(runner, runner.target_rows(rows)) as produce:
            return generate_to_file(runner, output, rows, resume=resume, force=force, progress=progress,
                                    produce=produce, shard=execution.shard)

    stats = _named_errors_call(run, runner.spec)
    _, rejects_path = sidecar_paths(output)
    with rejects_path.open(encoding="utf-8") as handle:
        rejects = [json.loads(line) for line in handle if line.strip()]
    return GenerationRun(data=pd.DataFrame(columns=runner.spec.column_names), rejects=rejects, stats=stats)


def _named_errors_call(call: Callable[[], Any], spec: DatasetSpec) -> Any:
    try:
        return call()
    except SpecError as exc:
        _raise_with_source(exc, spec)
        raise


def _named_errors(chunks: Iterator[Any], spec: DatasetSpec) -> Iterator[Any]:
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


def generate(
    spec: DatasetSpec | str | Path,
    rows: int | None = None,
    seed: int | None = None,
    *,
    model: dict[str, Any] | None = None,
    decoding: str | None = None,
    output: str | Path | None = None,
    resume: bool = False,
    force: bool = False,
    backend: Any = None,
    progress: Progress | None = None,
    data: pd.DataFrame | str | Path | None = None,
    engine: str = "local",
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
    run = generate_run(spec, rows, seed, model=model, decoding=decoding, output=output, resume=resume,
                       force=force, backend=backend, progress=progress, data=data, engine=engine,
                       workers=workers, ray_address=ray_address, cpus_per_worker=cpus_per_worker, shard=shard)
    if output is None:
        return run.data
    from llmsynth.export.dtypes import with_spec_dtypes

    return with_spec_dtypes(_read(output), _as_spec(spec).column_schemas())


def merge(parts: list[str | Path] | str | Path, output: str | Path, *, force: bool = False) -> RunStats:
    """Join the shards of a run (``generate(..., shard="I/N", output=...)``, files or folders of them) into
    ``output``: one file, or a folder of Parquet/CSV/JSONL files (a path ending in '/' or without a suffix),
    with exactly the rows, order and run record of a single-process run. Refuses parts of different runs,
    a shard given twice and missing shards; makes the run's top-up chunks if rows were rejected."""
    from llmsynth.engine.merge import merge_parts

    return merge_parts(list(parts) if isinstance(parts, list | tuple) else [parts], output, force=force)


def fit(data: pd.DataFrame | str | Path, **options: Any) -> DatasetSpec:
    """Learn a spec from a real table (DataFrame or CSV/Parquet file): ``fit(df, label="target")``.

    Options are those of ``llmsynth.fitting.FitOptions`` (label, kinds, label_model, marginals, min_count,
    rare, noise, clip, examples, knots, seed, name, rows); see docs/fit.md. ``spec.to_yaml()`` writes it.
    """
    from llmsynth.fitting import FitOptions
    from llmsynth.fitting import fit as _fit

    try:
        settings = FitOptions(**options)
    except TypeError as exc:
        raise SpecError(f"fit: {exc}") from exc
    if isinstance(data, pd.DataFrame):
        return _fit(data, settings)
    return _fit(_read(data), settings, source=str(data))


def _read(path: str | Path) -> pd.DataFrame:
    from llmsynth.io import read_table

    return read_table(path)


def evaluate(
    data: pd.DataFrame | str | Path,
    spec: DatasetSpec | str | Path | None = None,
    reference: pd.DataFrame | str | Path | None = None,
    **options: Any,
) -> EvalReport:
    """Score a table for validity, fidelity, diversity, privacy and usefulness (see docs/evals.md)."""
    from llmsynth.evals import evaluate as _evaluate
    from llmsynth.io import read_table

    frame = data if isinstance(data, pd.DataFrame) else read_table(data)
    ref = reference if reference is None or isinstance(reference, pd.DataFrame) else read_table(reference)
    resolved = None if spec is None else _as_spec(spec)
    if ref is None and resolved is not None and resolved.reference:
        ref = read_table(resolved.resolve_path(resolved.reference))
    return _evaluate(frame, resolved, ref, **options)
