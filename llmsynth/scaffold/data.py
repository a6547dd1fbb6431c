"""Sample data for the learned samplers (GMM, tree, empirical): a file next to the spec or inline rows.

File problems become SpecError naming the column entry, raised from ``fit`` before any generation.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from llmsynth.errors import InputDataError, SpecError
from llmsynth.io.tables import read_table
from llmsynth.spec.dataset import DatasetSpec
from llmsynth.spec.kinds.base import DataSource
from llmsynth.spec.kinds.mixture import MixtureSpec
from llmsynth.spec.kinds.montecarlo import EmpiricalSpec
from llmsynth.spec.kinds.tree import TreeSpec

# the kinds that learn from sample data
SampleSource = MixtureSpec | TreeSpec | EmpiricalSpec


def load_sample(spec: SampleSource, dataset: DatasetSpec | None, columns: list[str]) -> pd.DataFrame:
    """The spec's sample data with ``columns`` (rows with missing values dropped); never empty."""
    label = spec.label
    rows = spec.rows if isinstance(spec, DataSource) else None
    if rows is not None:
        frame = pd.DataFrame(rows)
        where = "rows"
    else:
        if spec.file is None:
            raise SpecError("give 'file' or inline sample data", column=label)
        path = dataset.resolve_path(spec.file) if dataset is not None else Path(spec.file)
        try:
            frame = read_table(path)
        except InputDataError as exc:
            raise SpecError(f"field 'file': {exc}", column=label) from exc
        where = f"file {spec.file}"
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise SpecError(
            f"{where} has no column(s) {', '.join(missing)}; it has: {', '.join(map(str, frame.columns))}",
            column=label,
        )
    frame = frame[columns].dropna()
    if frame.empty:
        raise SpecError(f"{where} holds no complete rows to learn from", column=label)
    return frame.reset_index(drop=True)


def numeric_matrix(frame: pd.DataFrame, label: str) -> np.ndarray:
    """The frame as a float array; non-numeric columns are an error naming them."""
    bad = [c for c in frame.columns if not pd.api.types.is_numeric_dtype(frame[c])]
    if bad:
        raise SpecError(f"sample column(s) {', '.join(bad)} are not numeric", column=label)
    return np.asarray(frame.to_numpy(dtype=float))
