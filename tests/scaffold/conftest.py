"""Helpers for scaffold tests: build a spec from plain dicts (the YAML path) and draw its columns."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest

from llmsynth.scaffold import Sampler, build_sampler
from llmsynth.seeding import stream
from llmsynth.spec import DatasetSpec, order_columns, spec_from_dict


def draw_columns(
    columns: list[dict[str, Any]], n: int, seed: int = 0, **top: Any
) -> tuple[pd.DataFrame, dict[str, Sampler], DatasetSpec]:
    """Every column of a spec for ``n`` rows (one chunk), in dependency order."""
    spec = spec_from_dict({"rows": n, "seed": seed, "columns": columns, **top})
    frame = pd.DataFrame(index=pd.RangeIndex(n))
    samplers: dict[str, Sampler] = {}
    for column in order_columns(spec):
        sampler = build_sampler(column, spec)
        chunk = -1 if not sampler.per_chunk else 0
        out = sampler.sample(n, stream(seed, column.label, chunk), frame)
        assert list(out.columns) == column.output_names()
        assert isinstance(out.index, pd.RangeIndex)
        assert len(out) == n
        for name in out.columns:
            frame[name] = out[name].to_numpy()
        samplers[column.label] = sampler
    return frame, samplers, spec


def dkw(n: int, alpha: float = 1e-3) -> float:
    """Dvoretzky-Kiefer-Wolfowitz: sup |ECDF - CDF| exceeds this with probability below alpha."""
    return float(np.sqrt(np.log(2 / alpha) / (2 * n)))


Draw = Callable[..., tuple[pd.DataFrame, dict[str, Sampler], DatasetSpec]]


@pytest.fixture
def draw() -> Draw:
    return draw_columns


@pytest.fixture
def dkw_bound() -> Callable[..., float]:
    return dkw
