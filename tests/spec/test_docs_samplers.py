"""Every YAML snippet in docs/samplers.md is a valid spec whose samplers draw rows."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from llmsynth.scaffold import build_sampler
from llmsynth.seeding import stream
from llmsynth.spec import order_columns, spec_from_dict

DOC = Path(__file__).resolve().parents[2] / "docs" / "samplers.md"
SNIPPETS = re.findall(r"```yaml\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S)


@pytest.mark.parametrize("text", SNIPPETS, ids=[f"snippet-{i}" for i in range(len(SNIPPETS))])
def test_snippet_loads_and_samples(text: str) -> None:
    spec = spec_from_dict(yaml.safe_load(text))
    samplers = [(c, build_sampler(c, spec)) for c in order_columns(spec)]
    fixed = {s.fixed_rows() for _, s in samplers} - {None}
    n = fixed.pop() if fixed else 50
    frame = pd.DataFrame(index=pd.RangeIndex(n))
    for column, sampler in samplers:
        out = sampler.sample(n, stream(0, column.label, 0 if sampler.per_chunk else -1), frame)
        assert list(out.columns) == column.output_names()
        for name in out.columns:
            frame[name] = out[name].to_numpy()
    assert len(frame) == n
    assert not frame.select_dtypes("number").isna().any().any()
    assert np.isfinite(frame.select_dtypes("number").to_numpy(dtype=float)).all()
