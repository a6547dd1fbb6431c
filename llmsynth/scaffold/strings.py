"""Text columns from integer codes, built the fast way for pandas' default string dtype.

A million strings made one Python object at a time cost about 0.1 s more than the codes themselves;
Arrow decodes a dictionary array straight into the Arrow-backed strings pandas 3 uses by default.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd


@lru_cache(maxsize=1)
def default_string_dtype() -> Any:
    """The dtype pandas gives a column of Python strings (``str`` on Arrow in pandas 3, else object)."""
    return pd.Series(["a"]).dtype


def strings_from_codes(codes: np.ndarray, labels: Sequence[str]) -> Any:
    """``labels[codes]`` as an array of pandas' default string dtype (an object array where that is object)."""
    dtype = default_string_dtype()
    codes = np.asarray(codes)
    plain = dtype == np.dtype(object)
    if plain or len(codes) < 1024:
        values = np.asarray(list(labels), dtype=object)[codes]
        return values if plain else pd.array(values, dtype=dtype)
    import pyarrow as pa

    width = pa.int8() if len(labels) < 128 else pa.int32()
    indices = pa.array(codes.astype(width.to_pandas_dtype()), type=width)
    decoded = pa.DictionaryArray.from_arrays(indices, pa.array(list(labels), type=pa.string())).dictionary_decode()
    return pd.array(decoded, dtype=dtype)
