"""``kind: data``: existing rows as the scaffold. The table is read once and fixes the table length; the
engine slices it per chunk like any whole-table sampler, so chunking, resume and rejects work as usual
(a rejected row is left out of the output, never replaced by an invented one)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from typing_extensions import override

from llmsynth.errors import InputDataError, SpecError
from llmsynth.io.tables import read_table
from llmsynth.scaffold.base import Sampler
from llmsynth.spec.kinds.data_rows import DataSpec


class DataRowsSampler(Sampler[DataSpec]):
    """``rows_``: the table's ``columns``, with a fresh RangeIndex."""

    per_chunk = False

    @override
    def fit(self) -> DataRowsSampler:
        spec = self.spec
        frame = spec.frame
        if frame is None:
            if spec.file is None:
                raise SpecError(
                    "no rows: give 'file', or pass a DataFrame in Python with generate(spec, data=df)",
                    column=spec.label,
                )
            path = self.dataset.resolve_path(spec.file) if self.dataset is not None else spec.file
            try:
                frame = read_table(path)
            except InputDataError as exc:
                raise SpecError(f"field 'file': {exc}", column=spec.label) from exc
        where = f"file {spec.file}" if spec.frame is None else "the DataFrame"
        missing = [c for c in spec.columns if c not in frame.columns]
        if missing:
            raise SpecError(
                f"{where} has no column(s) {', '.join(missing)}; it has: {', '.join(map(str, frame.columns))}",
                column=spec.label,
            )
        if frame.empty:
            raise SpecError(f"{where} has no rows", column=spec.label)
        self.rows_ = frame[list(spec.columns)].reset_index(drop=True)
        return self

    @override
    def fixed_rows(self) -> int:
        return len(self.rows_)

    @override
    def sample(self, n: int, rng: np.random.Generator, context: pd.DataFrame) -> pd.DataFrame:
        return self.rows_.iloc[:n].copy()
