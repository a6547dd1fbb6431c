"""Turn spec parameters into numbers or per-row arrays: ``{by: country, map: {...}}`` is looked up
row by row in the columns generated so far."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from llmsynth.errors import SpecError
from llmsynth.spec.base import ColumnBase
from llmsynth.spec.kinds.base import ByColumn


def resolve(value: Any, context: pd.DataFrame, column: str, field: str) -> Any:
    """A float for a constant, a float array (one value per context row) for a ``ByColumn``."""
    if not isinstance(value, ByColumn):
        return value
    if value.by not in context.columns:
        raise SpecError(f"field '{field}': column '{value.by}' has not been generated yet", column=column)
    keys = context[value.by].astype(str).to_numpy(dtype=object)
    looked_up = np.array(pd.Series(keys).map(value.map), dtype=float)
    missing = np.isnan(looked_up)
    if missing.any():
        if value.default is None:
            unknown = sorted(set(keys[missing]))[:5]
            raise SpecError(
                f"field '{field}': no value in map for {value.by} = {', '.join(map(repr, unknown))};"
                " add them to map or give a default",
                column=column,
            )
        looked_up[missing] = value.default
    return looked_up


def resolver(context: pd.DataFrame, column: str, spec: ColumnBase) -> Callable[[Any], Any]:
    """A one-argument resolver for ``spec.scipy_args``; names the field in errors."""
    fields = {id(getattr(spec, f)): f for f in type(spec).model_fields}

    def resolve_one(value: Any) -> Any:
        return resolve(value, context, column, fields.get(id(value), "parameter"))

    return resolve_one
