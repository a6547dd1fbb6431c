"""The public Python API: load a spec, generate a DataFrame (or a file), evaluate it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from llmsynth.errors import SpecError
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
    backend: Any = None,
    progress: Progress | None = None,
    data: pd.DataFrame | str | Path | None = None,
) -> GenerationRun:
    """Generate rows; with ``output``, stream chunks to that file and write its run record and rejects
    (the rows are then not kept in memory: ``data`` is an empty frame with the columns).

    ``model`` overrides model settings (``{"name": "qwen2.5-1.5b-instruct", "device": "cuda"}``, or
    dotted keys such as ``"generation.temperature"``) without editing the spec; ``decoding``
    ("constrained" or "free") switches every LLM group, to compare the two modes on one spec.
    ``data`` (a DataFrame or table file) gives existing rows: the spec's other columns are generated
    for each of them (enrichment; see ``kind: data`` in docs/fit.md).
    """
    from llmsynth.engine.run_record import write_sidecars
    from llmsynth.engine.runner import Runner
    from llmsynth.export.dtypes import with_spec_dtypes
    from llmsynth.io import TableWriter

    resolved = _with_overrides(_as_spec(spec), seed, model, decoding)
    if data is not None:
        from llmsynth.spec.sampler_data import with_rows

        resolved = with_rows(resolved, data if isinstance(data, pd.DataFrame) else _read(data))
    runner = Runner(resolved, backend=backend)
    writer = TableWriter(output) if output is not None else None
    frames: list[pd.DataFrame] = []
    rejects: list[dict[str, Any]] = []
    try:
        for chunk in _named_errors(runner.run(rows, progress=progress), resolved):
            rejects.extend(chunk.rejects)
            if writer is not None:
                writer.write(chunk.data)
            else:
                frames.append(chunk.data)
    finally:
        if writer is not None:
            writer.close()
    if output is not None:
        write_sidecars(output, runner.stats, rejects)
        data = pd.DataFrame(columns=resolved.column_names)
    else:
        data = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=resolved.column_names)
        data = with_spec_dtypes(data, resolved.column_schemas())
    return GenerationRun(data=data, rejects=rejects, stats=runner.stats)


def _named_errors(chunks: Iterator[Any], spec: DatasetSpec) -> Iterator[Any]:
    """Spec problems found while generating (a template the sandbox blocks) also name the spec file."""
    try:
        yield from chunks
    except SpecError as exc:
        if exc.source is None and spec.source is not None:
            raise SpecError(str(exc), source=str(spec.source)) from exc
        raise


def generate(
    spec: DatasetSpec | str | Path,
    rows: int | None = None,
    seed: int | None = None,
    *,
    model: dict[str, Any] | None = None,
    decoding: str | None = None,
    backend: Any = None,
    progress: Progress | None = None,
    data: pd.DataFrame | str | Path | None = None,
) -> pd.DataFrame:
    """Generate a table as a DataFrame: every row valid against the spec's row schema, each column in
    the dtype the spec declares (choices ``category``, dates ``datetime64``, integers ``int64``/``Int64``);
    with ``data``, one output row per row of that table (its columns kept, the spec's columns added)."""
    return generate_run(
        spec, rows, seed, model=model, decoding=decoding, backend=backend, progress=progress, data=data
    ).data


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
