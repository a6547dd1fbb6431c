"""Hugging Face ``datasets`` export: a ``Dataset`` whose features come from the spec (choices as
``ClassLabel``, integers, numbers, booleans, dates, strings), saved with ``save_to_disk`` beside a
dataset card (README.md) written from the spec and the eval headline.

``datasets`` is an optional extra (``pip install 'llmsynth[hf]'``), imported only here and only when
used. Nothing here touches the network: publishing is the user's own ``push_to_hub`` (docs/huggingface.md).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from llmsynth.errors import InputDataError, LLMSynthError
from llmsynth.export.dtypes import with_spec_dtypes

if TYPE_CHECKING:
    from llmsynth.evals import EvalReport
    from llmsynth.spec import DatasetSpec
    from llmsynth.spec.schema import ColumnSchema

VALUE_TYPES = {
    "integer": "int64",
    "number": "float64",
    "boolean": "bool",
    "string": "string",
    "date": "date32",
    "datetime": "timestamp[ns]",
}


def require_datasets() -> Any:
    """The ``datasets`` package, or a clear error saying to install the ``hf`` extra."""
    try:
        import datasets
    except ImportError as exc:
        raise LLMSynthError(
            "Hugging Face export needs the optional 'datasets' package: pip install 'llmsynth[hf]'"
        ) from exc
    return datasets


def features_for(column_schemas: Iterable[ColumnSchema], columns: Iterable[str]) -> Any:
    """``datasets.Features`` for the table's columns: ClassLabel for choices, Value for the rest."""
    datasets = require_datasets()
    schemas = {s.name: s for s in column_schemas}
    features = {}
    for name in columns:
        schema = schemas.get(name)
        if schema is None:
            features[name] = datasets.Value("string")
        elif schema.type == "choice":
            features[name] = datasets.ClassLabel(names=list(schema.choices or ()))
        else:
            features[name] = datasets.Value(VALUE_TYPES[schema.type])
    return datasets.Features(features)


def _encoded(frame: pd.DataFrame, column_schemas: list[ColumnSchema]) -> pd.DataFrame:
    """Values as the features store them: choice labels as class ids, dates as dates, other text as str."""
    schemas = {s.name: s for s in column_schemas}
    typed = with_spec_dtypes(frame, column_schemas)
    out = {}
    for name in typed.columns:
        series, schema = typed[name], schemas.get(name)
        if schema is not None and schema.type == "choice":
            names = list(schema.choices or ())
            outside = sorted({str(v) for v in series.dropna()} - set(names))
            if outside:
                raise InputDataError(f"column '{name}': values {outside[:5]} are not among its choices {names}")
            series = series.map(lambda v, names=names: None if pd.isna(v) else names.index(str(v))).astype("Int64")
        elif schema is not None and schema.type == "date" and pd.api.types.is_datetime64_any_dtype(series):
            series = series.dt.date.astype(object).where(series.notna(), None)
        elif schema is None or schema.type == "string":
            series = series.astype(object).where(series.notna(), None).map(lambda v: v if v is None else str(v))
        out[name] = series
    return pd.DataFrame(out, index=typed.index)


def to_hf_dataset(data: pd.DataFrame, spec: DatasetSpec) -> Any:
    """A ``datasets.Dataset`` of ``data`` with features from ``spec`` (ClassLabel for choices)."""
    datasets = require_datasets()
    column_schemas = spec.column_schemas()
    features = features_for(column_schemas, [str(c) for c in data.columns])
    description = spec.description or f"Synthetic table '{spec.name}' made by llmsynth."
    info = datasets.DatasetInfo(description=description, features=features)
    return datasets.Dataset.from_pandas(
        _encoded(data, column_schemas), features=features, info=info, preserve_index=False
    )


def write_hf_dataset(
    data: pd.DataFrame, spec: DatasetSpec, folder: str | Path, report: EvalReport | None = None
) -> Path:
    """Save ``data`` as a Dataset in ``folder`` (``datasets.load_from_disk(folder)`` reads it back)
    with a dataset card, README.md, from the spec and, when given, the eval report's headline."""
    from llmsynth.export.hf_card import dataset_card

    datasets = require_datasets()
    folder = Path(folder)
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise InputDataError(f"{folder}: the Hugging Face format writes a folder; give a new or empty folder")
    dataset = to_hf_dataset(data, spec)
    quiet = datasets.is_progress_bar_enabled()
    datasets.disable_progress_bars()  # the CLI prints its own summary
    try:
        dataset.save_to_disk(str(folder))
    finally:
        if quiet:
            datasets.enable_progress_bars()
    (folder / "README.md").write_text(dataset_card(spec, data, report), encoding="utf-8")
    return folder
