"""Usefulness: train on synthetic, test on real (TSTR) against train on real, test on real (TRTR).

The reference is split 70/30 (seeded); one random forest learns the target from the synthetic rows,
another from the real train split, and both are scored on the real test split. ``ratio`` =
TSTR / TRTR of the primary metric (macro F1 for classification, R² for regression): near 1 means
a model learns as much from the synthetic data as from the real data.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from llmsynth.evals.columns import Kind, as_category, as_numeric, column_kinds
from llmsynth.evals.inputs import EvalInputs
from llmsynth.spec.schema import ColumnSchema

MAX_CLASSES_FOR_INTEGER = 10
TEST_SHARE = 0.3


def target_task(series: pd.Series, kind: Kind) -> str:
    """Classification for categories (and integers with few values), regression otherwise."""
    if kind in ("categorical", "text"):
        return "classification"
    values = pd.to_numeric(series, errors="coerce").dropna()
    whole = bool(np.allclose(values, np.round(values))) if len(values) else False
    return "classification" if whole and values.nunique() <= MAX_CLASSES_FOR_INTEGER else "regression"


def _features(frame: pd.DataFrame, kinds: Mapping[str, Kind]) -> pd.DataFrame:
    out = {}
    for name, kind in kinds.items():
        if kind in ("numeric", "datetime"):
            out[name] = as_numeric(frame[name], kind)
        else:
            out[name] = as_category(frame[name]).fillna("(missing)").astype(object)
    return pd.DataFrame(out, index=frame.index)


def _target(series: pd.Series, task: str) -> pd.Series:
    return as_category(series) if task == "classification" else pd.to_numeric(series, errors="coerce")


def _model(task: str, numeric: list[str], categorical: list[str], seed: int) -> Any:
    from sklearn.compose import ColumnTransformer
    from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder

    prepare = ColumnTransformer(
        [
            ("numeric", SimpleImputer(strategy="median", keep_empty_features=True), numeric),
            (
                "categorical",
                OneHotEncoder(handle_unknown="infrequent_if_exist", max_categories=20),
                categorical,
            ),
        ]
    )
    forest_cls = RandomForestClassifier if task == "classification" else RandomForestRegressor
    forest = forest_cls(n_estimators=100, min_samples_leaf=2, random_state=seed, n_jobs=1)
    return make_pipeline(prepare, forest)


def _score(model: Any, x: pd.DataFrame, y: pd.Series, task: str) -> dict[str, float]:
    from sklearn.metrics import accuracy_score, f1_score, r2_score

    predicted = model.predict(x)
    if task == "regression":
        return {"r2": float(r2_score(y, predicted))}
    labels = sorted(set(y))
    return {
        "accuracy": float(accuracy_score(y, predicted)),
        "f1_macro": float(f1_score(y, predicted, labels=labels, average="macro", zero_division=0)),
    }


def usefulness_scores(
    data: pd.DataFrame,
    reference: pd.DataFrame,
    target: str,
    schemas: Mapping[str, ColumnSchema] | None = None,
    seed: int = 0,
) -> dict[str, Any]:
    """Train on synthetic, test on real (TSTR) against train on real, test on real (TRTR) for the target."""
    from sklearn.model_selection import train_test_split

    common = [str(c) for c in reference.columns if c in data.columns]
    kinds = column_kinds(reference[common], schemas)
    task = target_task(reference[target], kinds[target])
    feature_kinds = {c: k for c, k in kinds.items() if c != target and k != "text"}
    if not feature_kinds:
        raise ValueError(f"no feature columns besides the target '{target}'")
    real = reference[_target(reference[target], task).notna().to_numpy()]
    synthetic = data[_target(data[target], task).notna().to_numpy()]
    labels = _target(real[target], task)
    stratify = labels if task == "classification" and labels.value_counts().min() >= 2 else None
    train, test = train_test_split(real, test_size=TEST_SHARE, random_state=seed, stratify=stratify)
    numeric = [c for c, k in feature_kinds.items() if k in ("numeric", "datetime")]
    categorical = [c for c in feature_kinds if c not in numeric]
    x_test, y_test = _features(test, feature_kinds), _target(test[target], task)
    results = {}
    for name, frame in (("tstr", synthetic), ("trtr", train)):
        model = _model(task, numeric, categorical, seed)
        model.fit(_features(frame, feature_kinds), _target(frame[target], task))
        results[name] = _score(model, x_test, y_test, task)
    primary = "f1_macro" if task == "classification" else "r2"
    trtr = results["trtr"][primary]
    return {
        "target": target,
        "task": task,
        "model": "random_forest",
        "primary": primary,
        "features": list(feature_kinds),
        "train_rows": len(train),
        "test_rows": len(test),
        "synthetic_rows": len(synthetic),
        "tstr": results["tstr"],
        "trtr": results["trtr"],
        "ratio": results["tstr"][primary] / trtr if trtr > 0 else None,
        "gap": trtr - results["tstr"][primary],
    }


def family(inputs: EvalInputs) -> dict[str, Any]:
    """The ``usefulness`` family: train on synthetic, test on real (TSTR) against TRTR."""
    if inputs.target is None:
        return {"skipped": "no target column"}
    if inputs.reference is None:
        return {"skipped": "TSTR needs a reference table to test on"}
    try:
        return usefulness_scores(inputs.data, inputs.reference, inputs.target, inputs.schemas, inputs.seed)
    except ValueError as exc:
        return {"skipped": str(exc)}
