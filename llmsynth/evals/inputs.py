"""What every metric family is given, so ``evaluate`` can run them all through one registry.

A family is a function ``family(inputs) -> dict`` registered in ``llmsynth.registry.EVALS`` (or by a
plugin in the ``llmsynth.evals`` entry-point group); a family that cannot run returns
``{"skipped": why}`` so the JSON report always has the same top-level keys.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from llmsynth.scaffold.promises import Promise
from llmsynth.spec import ColumnSchema, DatasetSpec


@dataclass(frozen=True)
class EvalInputs:
    """The table, what it is compared with, and what was derived once for every family."""

    data: pd.DataFrame
    spec: DatasetSpec | None = None
    reference: pd.DataFrame | None = None
    target: str | None = None
    sensitive: list[str] = field(default_factory=list)
    run_record: Mapping[str, Any] | None = None
    seed: int = 0
    schemas: dict[str, ColumnSchema] = field(default_factory=dict)
    promises: list[Promise] = field(default_factory=list)
    problems: dict[str, str] = field(default_factory=dict)  # spec entries whose promises could not be built

    def skip_without_reference(self) -> dict[str, Any] | None:
        """``{"skipped": why}`` when there is no reference table to compare with, else None."""
        if self.reference is None:
            return {"skipped": "no reference table"}
        if not any(c in self.reference.columns for c in self.data.columns):
            return {"skipped": "no column in common with the reference"}
        return None


EvalFamily = Callable[[EvalInputs], dict[str, Any]]
