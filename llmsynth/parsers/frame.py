"""Parsed rows -> a DataFrame whose dtypes follow the schema (nullable integers stay integers)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from llmsynth.spec.schema import ColumnSchema

_DTYPES = {
    "integer": "Int64",
    "number": "float64",
    "boolean": "boolean",
    "string": "str",
    "choice": "str",
    "date": "str",
    "datetime": "str",
}


def rows_to_frame(rows: Sequence[dict[str, Any]], schemas: Sequence[ColumnSchema]) -> pd.DataFrame:
    """Columns in schema order; dates stay ISO text, so CSV, Parquet and JSONL all write them the same way."""
    frame = pd.DataFrame(list(rows), columns=[s.name for s in schemas])
    return frame.astype({s.name: _DTYPES[s.type] for s in schemas})
