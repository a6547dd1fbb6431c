"""A small spec with scaffold columns and LLM fields, a table drawn from it, and a reference table."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from llmsynth.scaffold.registry import build_sampler
from llmsynth.spec import DatasetSpec, LLMGroup, spec_from_dict

SPEC = {
    "name": "people",
    "thresholds": {"validity.score": 1.0, "privacy.exact_copies": 0.0, "diversity.top_share": 0.9},
    "columns": [
        {
            "kind": "mvnormal",
            "columns": ["height", "weight"],
            "mean": [170, 70],
            "corr": [[1, 0.7], [0.7, 1]],
            "sd": [10, 12],
        },
        {"name": "country", "kind": "categorical", "categories": {"FR": 0.5, "DE": 0.3, "IT": 0.2}},
        {
            "kind": "llm",
            "prompt": "{{ country }} {{ height }}",
            "fields": {
                "job": {"type": "string", "max_length": 40},
                "segment": {"type": "choice", "choices": ["budget", "regular", "premium"]},
            },
        },
    ],
}
JOBS = ["nurse", "teacher", "baker", "pilot", "farmer", "lawyer", "chef", "welder", "editor", "coder"]


def draw(spec: DatasetSpec, n: int, seed: int) -> pd.DataFrame:
    """Scaffold columns from the real samplers; LLM fields as a well-behaved model would fill them."""
    rng = np.random.default_rng(seed)
    parts = [
        build_sampler(c, spec).sample(n, rng, pd.DataFrame(index=range(n)))
        for c in spec.columns
        if not isinstance(c, LLMGroup)
    ]
    frame = pd.concat(parts, axis=1)
    frame["job"] = [f"{JOBS[i]} {k}" for i, k in zip(rng.integers(0, 10, n), rng.integers(0, 1000, n), strict=True)]
    frame["segment"] = np.where(frame["height"] > 175, "premium", rng.choice(["budget", "regular"], n))
    return frame


@pytest.fixture(scope="session")
def spec_dict() -> dict:
    return SPEC


@pytest.fixture(scope="session")
def spec() -> DatasetSpec:
    return spec_from_dict(SPEC)


@pytest.fixture(scope="session")
def synthetic(spec: DatasetSpec) -> pd.DataFrame:
    return draw(spec, 600, seed=1)


@pytest.fixture(scope="session")
def reference(spec: DatasetSpec) -> pd.DataFrame:
    return draw(spec, 800, seed=2)
