"""Learn an editable spec from a real table (``llmsynth fit``)."""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from llmsynth.api.boundary import public
from llmsynth.errors import InputDataError, SpecError

if TYPE_CHECKING:
    import pandas as pd

    from llmsynth.fitting.options import LabelModel, Marginals, Rare
    from llmsynth.spec import DatasetSpec

YAML_SUFFIXES = (".yaml", ".yml")


@public
def fit(
    data: pd.DataFrame | str | Path,
    output: str | Path | None = None,
    *,
    label: str | None = None,
    kinds: Mapping[str, str] | None = None,
    label_model: LabelModel = "per-class",
    marginals: Marginals = "auto",
    alpha: float = 0.05,
    knots: int = 50,
    min_count: int = 5,
    rare: Rare = "group",
    noise: float = 0.0,
    clip: float = 0.0,
    examples: int = 0,
    seed: int = 0,
    name: str | None = None,
    rows: int | None = None,
    **unknown: Any,
) -> DatasetSpec:
    """Learn a spec from a real table (DataFrame or CSV/Parquet/JSONL file): ``fit(df, label="target")``.

    The options are those of ``llmsynth.fitting.FitOptions``, described in docs/fit.md; ``kinds`` maps a
    column to the kind it should be fitted as (``{"zip": "categorical"}``). With ``output`` the spec is
    also written there as commented YAML; ``spec.to_yaml(path)`` does the same later.
    """
    import pandas as pd

    from llmsynth.fitting import FitOptions
    from llmsynth.fitting import fit as _fit

    if unknown:  # a typo in a keyword is bad input like any other: name it and the closest option
        first = next(iter(unknown))
        close = difflib.get_close_matches(first, list(FitOptions.__dataclass_fields__), n=1)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        raise SpecError(f"fit: got an unexpected keyword argument '{first}'{hint}")
    if output is not None and Path(output).suffix.lower() not in YAML_SUFFIXES:
        raise InputDataError(f"{output}: write the spec to a .yaml file")
    settings = FitOptions(label=label, kinds=dict(kinds or {}), label_model=label_model, marginals=marginals,
                          alpha=alpha, knots=knots, min_count=min_count, rare=rare, noise=noise, clip=clip,
                          examples=examples, seed=seed, name=name, rows=rows)
    if isinstance(data, pd.DataFrame):
        spec = _fit(data, settings)
    else:
        from llmsynth.io import read_table

        spec = _fit(read_table(data), settings, source=str(data))
    if output is not None:
        Path(output).parent.mkdir(parents=True, exist_ok=True)
        spec.to_yaml(output)
    return spec
