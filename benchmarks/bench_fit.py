"""`llmsynth fit` + generate against SDV's GaussianCopula and CTGAN on real tables shipped with
scikit-learn and statsmodels (no downloads), all tools in one run on the same train/holdout split.

Metrics (synthetic table of len(train) rows, learned from the train split, 70% of the rows):
  quality      SDMetrics QualityReport vs train (mean of Column Shapes and Column Pair Trends)
  shapes/pairs the two halves of that score
  tstr         a random forest trained on the synthetic rows, scored on the real holdout
               (macro F1 for a class label, R² for a numeric one); "holdout" shows train-on-real
  dcr          median distance to the closest train row, synthetic / real holdout (1 = as far as unseen
               real rows; below 1 = closer to the training rows than new real data is)
  copies       share of rows equal to a train row (the holdout row shows the real rate)
  seconds      fit + sample wall time
Reference rows: "holdout" (the real 30%) and "shuffled" (train with every column shuffled
independently: right marginals, no dependence).

SDV needs pandas < 3, which the project's environment does not have; run this in a separate venv
(see docs/fit.md, "Benchmark"):
  .venv-bench/bin/python benchmarks/bench_fit.py [--datasets wine iris] [--ctgan-epochs 300] [--seeds 0 1 2]
"""

from __future__ import annotations

import argparse
import json
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

import llmsynth
from llmsynth.evals.columns import column_kinds
from llmsynth.evals.privacy import RowEncoder, row_hashes

Loader = Callable[[], tuple[pd.DataFrame, str, bool]]  # table, label column, label is a class


def _sklearn(name: str, classes: bool) -> Loader:
    def load() -> tuple[pd.DataFrame, str, bool]:
        import sklearn.datasets

        frame = getattr(sklearn.datasets, f"load_{name}")(as_frame=True).frame
        return frame, "target", classes

    return load


def _statsmodels(name: str, label: str, classes: bool) -> Loader:
    def load() -> tuple[pd.DataFrame, str, bool]:
        import statsmodels.api as sm

        frame = getattr(sm.datasets, name).load_pandas().data
        return frame, label, classes

    return load


DATASETS: dict[str, Loader] = {
    "wine": _sklearn("wine", True),
    "breast_cancer": _sklearn("breast_cancer", True),
    "iris": _sklearn("iris", True),
    "diabetes": _sklearn("diabetes", False),
    "anes96": _statsmodels("anes96", "vote", True),
    "modechoice": _statsmodels("modechoice", "choice", True),
}


def split(frame: pd.DataFrame, label: str, classes: bool, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    from sklearn.model_selection import train_test_split

    train, holdout = train_test_split(
        frame, test_size=0.3, random_state=seed, stratify=frame[label] if classes else None
    )
    return train.reset_index(drop=True), holdout.reset_index(drop=True)


def run_llmsynth(train: pd.DataFrame, label: str, n: int, seed: int) -> pd.DataFrame:
    spec = llmsynth.fit(train, label=label, seed=seed)
    return llmsynth.generate(spec, rows=n)


def _sdv(kind: str, epochs: int) -> Callable[[pd.DataFrame, str, int, int], pd.DataFrame]:
    def run(train: pd.DataFrame, label: str, n: int, seed: int) -> pd.DataFrame:
        from sdv.single_table import CTGANSynthesizer, GaussianCopulaSynthesizer

        metadata = sdv_metadata(train, label)
        synthesizer = (
            GaussianCopulaSynthesizer(metadata) if kind == "gc" else CTGANSynthesizer(metadata, epochs=epochs)
        )
        synthesizer.fit({"table": train})
        out = synthesizer.sample(n)
        return out["table"] if isinstance(out, dict) else out

    return run


def sdv_metadata(train: pd.DataFrame, label: str, classes: bool = True) -> Any:
    from sdv.metadata import Metadata

    metadata = Metadata.detect_from_dataframes({"table": train}, infer_keys=None)
    if classes:
        metadata.update_column(column_name=label, sdtype="categorical", table_name="table")
    return metadata


def shuffled(train: pd.DataFrame, label: str, n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({c: rng.permutation(train[c].to_numpy()) for c in train.columns})


def quality(real: pd.DataFrame, synthetic: pd.DataFrame, metadata: Any) -> dict[str, float]:
    from sdmetrics.reports.single_table import QualityReport

    report = QualityReport()
    report.generate(real, synthetic[real.columns], metadata.to_dict()["tables"]["table"], verbose=False)
    properties = report.get_properties().set_index("Property")["Score"]
    return {
        "quality": float(report.get_score()),
        "shapes": float(properties["Column Shapes"]),
        "pairs": float(properties["Column Pair Trends"]),
    }


def tstr(train: pd.DataFrame, holdout: pd.DataFrame, label: str, classes: bool, seed: int) -> float:
    from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
    from sklearn.metrics import f1_score, r2_score

    features = [c for c in holdout.columns if c != label]
    x_train = pd.get_dummies(train[features]).astype(float)
    x_test = pd.get_dummies(holdout[features]).astype(float).reindex(columns=x_train.columns, fill_value=0.0)
    if classes:
        model = RandomForestClassifier(n_estimators=200, random_state=seed, n_jobs=1)
        model.fit(x_train, train[label].astype(str))
        return float(f1_score(holdout[label].astype(str), model.predict(x_test), average="macro"))
    model = RandomForestRegressor(n_estimators=200, random_state=seed, n_jobs=1)
    model.fit(x_train, train[label].astype(float))
    return float(r2_score(holdout[label].astype(float), model.predict(x_test)))


def privacy(train: pd.DataFrame, holdout: pd.DataFrame, synthetic: pd.DataFrame) -> dict[str, float]:
    from sklearn.neighbors import NearestNeighbors

    kinds = {c: k for c, k in column_kinds(train).items() if k != "text"}
    encoder = RowEncoder(kinds).fit(train)
    index = NearestNeighbors(n_neighbors=1).fit(encoder.transform(train))
    synthetic_dcr = index.kneighbors(encoder.transform(synthetic[train.columns]))[0][:, 0]
    holdout_dcr = index.kneighbors(encoder.transform(holdout))[0][:, 0]
    seen = set(row_hashes(train, kinds).tolist())

    def copies(frame: pd.DataFrame) -> float:
        return float(np.mean([h in seen for h in row_hashes(frame[train.columns], kinds).tolist()]))

    return {
        "dcr": float(np.median(synthetic_dcr) / np.median(holdout_dcr)),
        "copies": copies(synthetic),
        "holdout_copies": copies(holdout),
    }


def bench_dataset(name: str, tools: list[str], epochs: int, seed: int) -> list[dict[str, Any]]:
    frame, label, classes = DATASETS[name]()
    train, holdout = split(frame, label, classes, seed)
    metadata = sdv_metadata(train, label, classes)
    runners: dict[str, Callable[[pd.DataFrame, str, int, int], pd.DataFrame]] = {
        "llmsynth": run_llmsynth,
        "gaussian_copula": _sdv("gc", epochs),
        "ctgan": _sdv("ctgan", epochs),
        "shuffled": shuffled,
    }
    rows: list[dict[str, Any]] = []
    candidates: list[tuple[str, pd.DataFrame, float | None]] = [("holdout", holdout, None)]
    for tool in tools:
        started = time.perf_counter()
        synthetic = runners[tool](train, label, len(train), seed)
        candidates.append((tool, synthetic, time.perf_counter() - started if tool != "shuffled" else None))
    for tool, synthetic, seconds in candidates:
        row: dict[str, Any] = {"dataset": name, "rows": len(frame), "columns": frame.shape[1], "tool": tool,
                               "seed": seed}
        row.update(quality(train, synthetic, metadata))
        row["tstr"] = tstr(train if tool == "holdout" else synthetic, holdout, label, classes, seed)
        row.update(privacy(train, holdout, synthetic))
        row["seconds"] = seconds
        rows.append(row)
        print(json.dumps(row), flush=True)
    return rows


def averaged(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per dataset and tool: the mean over seeds (seconds: None when not timed)."""
    frame = pd.DataFrame(rows)
    keys = ["dataset", "rows", "columns", "tool"]
    numbers = ["quality", "shapes", "pairs", "tstr", "dcr", "copies", "seconds"]
    means = frame.groupby(keys, sort=False)[numbers].mean().reset_index()
    return [{k: (None if pd.isna(v) else v) for k, v in r.items()} for r in means.to_dict("records")]


def markdown(rows: list[dict[str, Any]]) -> str:
    head = "| dataset | tool | quality | shapes | pairs | TSTR | DCR ratio | exact copies | fit+sample s |"
    lines = [head, "|" + "---|" * 9]
    for r in averaged(rows):
        seconds = "" if r["seconds"] is None else f"{r['seconds']:.2f}"
        tool = "holdout (real, TRTR)" if r["tool"] == "holdout" else r["tool"]
        lines.append(
            f"| {r['dataset']} ({r['rows']}×{r['columns']}) | {tool} | {r['quality']:.3f} | {r['shapes']:.3f} | "
            f"{r['pairs']:.3f} | {r['tstr']:.3f} | {r['dcr']:.2f} | {r['copies']:.3f} | {seconds} |"
        )
    return "\n".join(lines)


def warm_up() -> None:
    """Import every tool's modules before timing, so the first table does not pay for them."""
    frame = pd.DataFrame({"x": np.arange(40.0) % 7, "y": np.arange(40.0) ** 0.5, "label": np.arange(40) % 2})
    llmsynth.generate(llmsynth.fit(frame, label="label"), rows=10)
    _sdv("gc", 1)(frame, "label", 10, 0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--datasets", nargs="+", default=list(DATASETS), choices=list(DATASETS))
    parser.add_argument("--tools", nargs="+", default=["llmsynth", "gaussian_copula", "ctgan", "shuffled"])
    parser.add_argument("--ctgan-epochs", type=int, default=300, help="SDV's default is 300.")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0], help="Splits and fits; several: means.")
    parser.add_argument("--json", type=Path, default=None, help="Also write every row to this JSON file.")
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    try:
        import torch

        torch.set_num_threads(1)  # measured: on 2 shared cores one thread trains CTGAN twice as fast
    except ImportError:
        pass
    warm_up()
    rows = []
    for name in args.datasets:
        for seed in args.seeds:
            rows.extend(bench_dataset(name, args.tools, args.ctgan_epochs, seed))
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(rows, indent=1), encoding="utf-8")
    print(markdown(rows))


if __name__ == "__main__":
    main()
