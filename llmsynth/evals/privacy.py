"""Privacy against a reference table: exact copies of its rows, and distance to closest record (DCR).

DCR method: the reference is split at random (seeded) into a train half and a holdout half. Rows
are encoded with numeric and datetime columns min-max scaled by the train half's range (missing
values -> the train median) and categorical columns one-hot encoded with each indicator weighted
1/sqrt(2), so a category mismatch adds exactly 1 to the squared distance, like a full-range numeric
difference; values unseen in train share one "other" indicator. Free-text and high-cardinality
columns are left out. Distances are Euclidean. ``dcr_ratio`` = median DCR(synthetic -> train) /
median DCR(holdout -> train): about 1 when synthetic rows are no closer to the training rows than
unseen real rows are; well below 1 flags memorisation.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from llmsynth.evals.columns import Kind, as_category, as_numeric, column_kinds
from llmsynth.evals.inputs import EvalInputs
from llmsynth.spec.schema import ColumnSchema

MAX_CATEGORIES = 50
MAX_QUERY_ROWS = 5000


def row_hashes(frame: pd.DataFrame, kinds: Mapping[str, Kind]) -> np.ndarray:
    """One hash per row, equal for rows with equal values (1 and 1.0 alike, numbers to 9 decimals)."""
    normal = {}
    for name, kind in kinds.items():
        if kind in ("numeric", "datetime"):
            normal[name] = as_numeric(frame[name], kind).round(9)
        else:
            normal[name] = as_category(frame[name]).fillna("\0missing")
    return np.asarray(pd.util.hash_pandas_object(pd.DataFrame(normal, index=frame.index), index=False).to_numpy())


class RowEncoder:
    """Scales numbers by the train range and one-hot encodes categories (see the module docstring)."""

    def __init__(self, kinds: Mapping[str, Kind]) -> None:
        self.kinds = dict(kinds)

    def fit(self, train: pd.DataFrame) -> RowEncoder:
        """Learn the scaling and categories from the train table only, so the distances do not leak the query rows."""
        self.numeric_: dict[str, tuple[float, float, float]] = {}
        self.categories_: dict[str, list[str]] = {}
        for name, kind in self.kinds.items():
            if kind in ("numeric", "datetime"):
                values = as_numeric(train[name], kind)
                low, high = float(values.min()), float(values.max())
                median = float(values.median()) if values.notna().any() else 0.0
                self.numeric_[name] = (
                    low if np.isfinite(low) else 0.0,
                    high - low if high > low else 1.0,
                    median,
                )
            else:
                labels = as_category(train[name]).fillna("\0missing")
                if labels.nunique() <= MAX_CATEGORIES:
                    self.categories_[name] = sorted(labels.unique())
        return self

    @property
    def columns(self) -> list[str]:
        """The train columns the encoding uses (numbers first, then categories)."""
        return [*self.numeric_, *self.categories_]

    def transform(self, frame: pd.DataFrame) -> np.ndarray:
        """Rows as vectors in the learned encoding (missing numbers take the train median)."""
        parts = []
        for name, (low, width, median) in self.numeric_.items():
            values = as_numeric(frame[name], self.kinds[name]).fillna(median)
            parts.append(((values - low) / width).to_numpy()[:, None])
        for name, categories in self.categories_.items():
            labels = as_category(frame[name]).fillna("\0missing").to_numpy()
            onehot = (labels[:, None] == np.array(categories, dtype=object)[None, :]).astype(float)
            other = (onehot.sum(axis=1) == 0).astype(float)[:, None]
            parts.append(np.hstack([onehot, other]) / np.sqrt(2))
        return np.hstack(parts) if parts else np.zeros((len(frame), 0))


def _nearest(train: np.ndarray, query: np.ndarray) -> np.ndarray:
    from sklearn.neighbors import NearestNeighbors

    distances, _ = NearestNeighbors(n_neighbors=1).fit(train).kneighbors(query)
    return np.asarray(distances[:, 0])


def privacy_scores(
    data: pd.DataFrame,
    reference: pd.DataFrame,
    schemas: Mapping[str, ColumnSchema] | None = None,
    seed: int = 0,
) -> dict[str, Any]:
    """Exact copies and distance to the closest real row, compared with a real holdout (see the module docstring)."""
    common = [str(c) for c in reference.columns if c in data.columns]
    kinds = column_kinds(reference[common], schemas)
    reference_rows = set(row_hashes(reference, kinds).tolist())
    copies = np.array([h in reference_rows for h in row_hashes(data, kinds).tolist()], dtype=bool)
    out: dict[str, Any] = {
        "exact_copies": float(copies.mean()) if len(data) else None,
        "exact_copy_rows": int(copies.sum()),
        "dcr_ratio": None,
        "dcr_synthetic_median": None,
        "dcr_holdout_median": None,
        "dcr_zero_share": None,
        "dcr_columns": [],
    }
    if len(reference) < 4 or len(data) == 0:
        out["note"] = "DCR needs at least 4 reference rows and some synthetic rows"
        return out
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(reference))
    half = len(reference) // 2
    train, holdout = reference.iloc[order[:half]], reference.iloc[order[half:]]
    encoder = RowEncoder({c: k for c, k in kinds.items() if k != "text"}).fit(train)
    if not encoder.columns:
        out["note"] = "no numeric or categorical columns to measure distances on"
        return out
    synthetic = data if len(data) <= MAX_QUERY_ROWS else data.iloc[rng.choice(len(data), MAX_QUERY_ROWS, replace=False)]
    if len(holdout) > MAX_QUERY_ROWS:
        holdout = holdout.iloc[rng.choice(len(holdout), MAX_QUERY_ROWS, replace=False)]
    train_matrix = encoder.transform(train)
    synthetic_dcr = _nearest(train_matrix, encoder.transform(synthetic))
    holdout_dcr = _nearest(train_matrix, encoder.transform(holdout))
    synthetic_median, holdout_median = float(np.median(synthetic_dcr)), float(np.median(holdout_dcr))
    out.update(
        dcr_synthetic_median=synthetic_median,
        dcr_holdout_median=holdout_median,
        dcr_ratio=synthetic_median / holdout_median if holdout_median > 0 else None,
        dcr_zero_share=float((synthetic_dcr <= 1e-12).mean()),
        dcr_columns=encoder.columns,
        train_rows=len(train),
        holdout_rows=len(holdout),
    )
    return out


def family(inputs: EvalInputs) -> dict[str, Any]:
    """The ``privacy`` family: copies of and distances to the reference rows."""
    skipped = inputs.skip_without_reference()
    if skipped is not None or inputs.reference is None:
        return skipped or {}
    return privacy_scores(inputs.data, inputs.reference, inputs.schemas, inputs.seed)
