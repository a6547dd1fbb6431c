"""``kind: conditional``: rows are grouped by the value of ``by`` and each group is finished by its
case's sampler (fitted once).

Material is drawn for every case over every row, before the ``by`` values are known (the engine draws
fixed blocks of rows without looking at other columns); each row then uses its own case's share. So a
row's values depend only on the seed, its position and its ``by`` value, never on the chunking. A
case's own ``null_rate`` blanks values in that case's rows only.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from typing_extensions import override

from llmsynth.errors import SpecError
from llmsynth.scaffold.base import Material, Sampler, rows_of
from llmsynth.scaffold.missing import MissingMask
from llmsynth.scaffold.registry import build_sampler
from llmsynth.spec.base import ColumnBase
from llmsynth.spec.dataset import DatasetSpec
from llmsynth.spec.kinds.base import SamplerColumn
from llmsynth.spec.kinds.conditional import ConditionalSpec


def key_text(values: pd.Series) -> np.ndarray:
    """Values as the text keys of ``cases``: whole floats without '.0' (1.0 -> '1'), like YAML keys."""
    if pd.api.types.is_float_dtype(values):
        numbers = values.to_numpy(dtype=float)
        whole = np.isfinite(numbers) & (numbers == np.round(numbers))
        text = values.astype(str).to_numpy(dtype=object)
        text[whole] = [str(int(v)) for v in numbers[whole]]
        return np.asarray(text)
    return np.asarray(values.astype(str).to_numpy(dtype=object))


class _Case:
    """One case's fitted sampler and, when it has a ``null_rate``, its missing-value mask."""

    def __init__(self, entry: ColumnBase, dataset: DatasetSpec | None, key: str) -> None:
        self.sampler = build_sampler(entry, dataset)
        self.mask = MissingMask(entry, key) if isinstance(entry, SamplerColumn) and entry.null_rates() else None


class ConditionalSampler(Sampler[ConditionalSpec]):
    """``cases_``: value -> case; ``default_`` for other values (or None)."""

    @override
    def fit(self) -> ConditionalSampler:
        self.cases_ = {key: _Case(entry, self.dataset, key) for key, entry in self.spec.cases.items()}
        self.default_ = None if self.spec.default is None else _Case(self.spec.default, self.dataset, "default")
        return self

    def _all(self) -> list[tuple[str, _Case]]:
        return [*self.cases_.items(), *([("\0default", self.default_)] if self.default_ is not None else [])]

    @override
    def draw(self, n: int, rng: np.random.Generator) -> Material:
        material: Material = {}
        for index, (_, case) in enumerate(self._all()):
            for name, values in case.sampler.draw(n, rng).items():
                material[f"{index}:{name}"] = values
            if case.mask is not None:
                for name, values in case.mask.draw(n, rng).items():
                    material[f"{index}:missing:{name}"] = values
        return material

    @override
    def finish(self, material: Material, context: pd.DataFrame | None) -> pd.DataFrame:
        spec = self.spec
        if context is None or spec.by not in context.columns:
            raise SpecError(f"field 'by': column '{spec.by}' is not generated before this one", column=spec.label)
        keys = key_text(context[spec.by])
        unknown = sorted(set(keys.tolist()) - set(self.cases_))
        if unknown and self.default_ is None:
            raise SpecError(
                f"no case for {spec.by} = {unknown[0]!r} and no default; cases: {', '.join(self.cases_)}",
                column=spec.label,
            )
        parts = []
        for index, (key, case) in enumerate(self._all()):
            rows = np.flatnonzero(np.isin(keys, unknown) if key == "\0default" else keys == key)
            if len(rows) == 0:
                continue
            own = {name[len(f"{index}:"):]: values[rows] for name, values in material.items()
                   if name.startswith(f"{index}:")}
            draws = {k: v for k, v in own.items() if not k.startswith("missing:")}
            values = case.sampler.finish(draws, context.iloc[rows])[spec.columns]
            if case.mask is not None:
                values = case.mask.apply(values, {k[len("missing:"):]: v for k, v in own.items()
                                                  if k.startswith("missing:")})
            parts.append(values.set_axis(rows, axis=0))
        if not parts:
            return pd.DataFrame({name: pd.Series(dtype=float) for name in spec.columns})
        out = pd.concat(parts).sort_index().reset_index(drop=True)
        assert len(out) == rows_of(material)
        return out

    @override
    def diagnostics(self) -> dict[str, float]:
        return {"cases": float(len(self.cases_))}
