"""``kind: conditional``: rows are grouped by the value of ``by`` and each group is drawn by its case's
sampler (fitted once), in the spec's case order, from the chunk's one stream."""

from __future__ import annotations

import numpy as np
import pandas as pd

from llmsynth.errors import SpecError
from llmsynth.scaffold.base import Sampler
from llmsynth.scaffold.registry import build_sampler


def key_text(values: pd.Series) -> np.ndarray:
    """Values as the text keys of ``cases``: whole floats without '.0' (1.0 -> '1'), like YAML keys."""
    if pd.api.types.is_float_dtype(values):
        numbers = values.to_numpy(dtype=float)
        whole = np.isfinite(numbers) & (numbers == np.round(numbers))
        text = values.astype(str).to_numpy(dtype=object)
        text[whole] = [str(int(v)) for v in numbers[whole]]
        return text
    return values.astype(str).to_numpy(dtype=object)


class ConditionalSampler(Sampler):
    """``cases_``: value -> fitted sampler; ``default_`` for other values (or None)."""

    def fit(self) -> ConditionalSampler:
        self.cases_ = {key: build_sampler(entry, self.dataset) for key, entry in self.spec.cases.items()}
        self.default_ = None if self.spec.default is None else build_sampler(self.spec.default, self.dataset)
        return self

    def sample(self, n: int, rng: np.random.Generator, context: pd.DataFrame) -> pd.DataFrame:
        spec = self.spec
        if spec.by not in context.columns:
            raise SpecError(f"field 'by': column '{spec.by}' is not generated before this one", column=spec.label)
        keys = key_text(context[spec.by])
        unknown = sorted(set(keys.tolist()) - set(self.cases_))
        if unknown and self.default_ is None:
            raise SpecError(
                f"no case for {spec.by} = {unknown[0]!r} and no default; cases: {', '.join(self.cases_)}",
                column=spec.label,
            )
        groups: list[tuple[np.ndarray, Sampler]] = [
            (np.flatnonzero(keys == key), sampler) for key, sampler in self.cases_.items()
        ]
        if unknown and self.default_ is not None:
            groups.append((np.flatnonzero(np.isin(keys, unknown)), self.default_))
        parts = []
        for rows, sampler in groups:
            if len(rows) == 0:
                continue
            values = sampler.sample(len(rows), rng, context.iloc[rows])
            parts.append(values[spec.columns].set_axis(rows, axis=0))
        if not parts:
            return pd.DataFrame({name: pd.Series(dtype=float) for name in spec.columns})
        return pd.concat(parts).sort_index().reset_index(drop=True)

    def diagnostics(self) -> dict[str, float]:
        return {"cases": float(len(self.cases_))}
