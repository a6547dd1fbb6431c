"""Score a table (``evaluate``, the CLI's ``eval``) and draw the picture that fits a spec or a table (``plot``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from llmsynth.api.boundary import public
from llmsynth.api.generation import as_spec, generate
from llmsynth.errors import InputDataError
from llmsynth.spec import DatasetSpec

if TYPE_CHECKING:
    import pandas as pd

    from llmsynth.backends.base import Backend
    from llmsynth.evals import EvalReport

SPEC_SUFFIXES = (".yaml", ".yml")


@public
def evaluate(
    data: pd.DataFrame | str | Path,
    spec: DatasetSpec | str | Path | None = None,
    reference: pd.DataFrame | str | Path | None = None,
    *,
    target: str | None = None,
    sensitive: Sequence[str] | None = None,
    json_out: str | Path | None = None,
    report: str | Path | None = None,
    seed: int = 0,
    run_record: Mapping[str, Any] | None = None,
) -> EvalReport:
    """Score a table for validity, fidelity, diversity, privacy, usefulness and bias (see docs/evals.md).

    ``data`` given as a file also reads the run record the generator wrote beside it (X.run.json for X.csv);
    without ``reference`` the spec's ``reference:`` table is used. ``json_out`` and ``report`` write every
    figure as JSON and a self-contained HTML report.
    """
    import pandas as pd

    from llmsynth.evals import evaluate as _evaluate
    from llmsynth.evals import load_run_record
    from llmsynth.io import read_table

    if isinstance(data, pd.DataFrame):
        frame = data
    else:
        frame = _read_scored(Path(data), target, sensitive or [])
        run_record = run_record if run_record is not None else load_run_record(data)
    ref = reference if reference is None or isinstance(reference, pd.DataFrame) else read_table(reference)
    resolved = None if spec is None else as_spec(spec)
    if ref is None and resolved is not None and resolved.reference:
        ref = read_table(resolved.resolve_path(resolved.reference))
    result = _evaluate(frame, resolved, ref, target=target, sensitive=list(sensitive or []),
                       run_record=run_record, seed=seed)
    if json_out is not None:
        result.write_json(json_out)
    if report is not None:
        result.write_html(report)
    return result


def _read_scored(path: Path, target: str | None, sensitive: Sequence[str]) -> pd.DataFrame:
    """A table file to score; a column named for a role but absent is an error naming the file."""
    from llmsynth.io import read_table

    frame = read_table(path)
    if frame.empty and len(frame.columns) == 0:
        raise InputDataError(f"{path}: the table has no columns")
    for name in [target, *sensitive]:
        if name is not None and name not in frame.columns:
            raise InputDataError(f"{path}: no column '{name}'; columns: {', '.join(map(str, frame.columns))}")
    return frame


@dataclass(frozen=True)
class Plotted:
    """What ``plot`` drew: the picture's name, the columns it shows, the rows drawn and the file written."""

    picture: str
    columns: tuple[str, ...]
    rows: int
    output: Path


@public
def plot(
    source: pd.DataFrame | DatasetSpec | str | Path,
    output: str | Path,
    *,
    spec: DatasetSpec | str | Path | None = None,
    rows: int | None = None,
    seed: int | None = None,
    reference: pd.DataFrame | str | Path | None = None,
    picture: str | None = None,
    title: str | None = None,
    model: str | None = None,
    backend: str | Backend | None = None,
) -> Plotted:
    """Draw ``source`` as the picture that fits it and write it to ``output`` (.png, .svg or .pdf).

    A spec ``source`` (object or .yaml file) is generated first (``rows``, ``seed``, ``model``, ``backend``)
    and its technique chooses the picture; a table (DataFrame or file) is drawn as it is, its columns'
    types choosing unless ``spec`` tells which spec it came from. ``picture`` forces one (docs/techniques.md).
    """
    import pandas as pd

    from llmsynth.io import read_table
    from llmsynth.plots import save_plot
    from llmsynth.plots.canvas import check_output
    from llmsynth.plots.choose import check_picture_name

    check_output(Path(output))  # bad arguments fail before any generating
    if picture is not None:
        check_picture_name(picture)
    loaded: DatasetSpec | None
    if isinstance(source, DatasetSpec) or (not isinstance(source, pd.DataFrame)
                                            and Path(source).suffix.lower() in SPEC_SUFFIXES):
        if spec is not None:
            raise InputDataError(f"{source if not isinstance(source, DatasetSpec) else 'the source'} is already "
                                 "a spec; --spec is for data files")
        loaded = as_spec(source)
        data = generate(loaded, rows, seed, model=model, backend=backend)
    else:
        given = [name for name, value in (("--rows", rows), ("--seed", seed), ("--model", model),
                                          ("--backend", backend)) if value is not None]
        if given:
            what = "the source" if isinstance(source, pd.DataFrame) else str(source)
            raise InputDataError(f"{', '.join(given)}: only for a spec SOURCE, and {what} is a data file")
        loaded = as_spec(spec) if spec is not None else None
        data = source if isinstance(source, pd.DataFrame) else read_table(source)
    ref = reference if reference is None or isinstance(reference, pd.DataFrame) else read_table(reference)
    chosen = save_plot(data, output, loaded, ref, picture, title)
    return Plotted(picture=chosen.name, columns=tuple(chosen.columns), rows=len(data), output=Path(output))
