"""The result of an evaluation: every figure as a JSON-able tree, the headline figures, threshold
checks, writers for JSON and the HTML report, and notebook manners (``_repr_html_``, DataFrames)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from llmsynth.evals.columns import clean
from llmsynth.evals.thresholds import HEADLINE, failed_thresholds, resolve, unchecked_thresholds
from llmsynth.scaffold.promises import Promise
from llmsynth.spec import DatasetSpec

SCHEMA_VERSION = 1


@dataclass
class EvalReport:
    """Scores of one table (``scores``: family -> figures; keys documented in docs/evals.md).

    The data, the reference, the spec and its promises are kept so ``write_html`` can draw plots;
    they are never written to the JSON. In a notebook the report shows itself as HTML, and
    ``get_details(name)`` / ``to_dataframe()`` give its figures as DataFrames.
    """

    scores: dict[str, Any]
    dataset: str = "dataset"
    rows: int = 0
    thresholds: dict[str, float] = field(default_factory=dict)
    data: pd.DataFrame | None = field(default=None, repr=False)
    reference: pd.DataFrame | None = field(default=None, repr=False)
    promises: list[Promise] = field(default_factory=list, repr=False)
    spec: DatasetSpec | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self.scores = clean(self.scores)

    @property
    def headline(self) -> dict[str, float]:
        """The figures shown at the top of the report, by dotted key; those not computed are left out."""
        out = {}
        for key, _, _ in HEADLINE:
            found, value = resolve(self.scores, key)
            if found and isinstance(value, int | float) and not isinstance(value, bool):
                out[key] = float(value)
        return out

    def value(self, key: str) -> Any:
        """One figure by dotted key (``reference.columns.age.score``), None when absent."""
        return resolve(self.scores, key)[1]

    def failed_thresholds(self, thresholds: dict[str, float] | None = None) -> list[str]:
        """Lines naming every threshold not met; defaults to the spec's ``thresholds:``."""
        return failed_thresholds(self.scores, self.thresholds if thresholds is None else thresholds)

    def unchecked_thresholds(self, thresholds: dict[str, float] | None = None) -> list[str]:
        """Thresholds whose figure was not computed this time (no reference, no run record, ...)."""
        return unchecked_thresholds(self.scores, self.thresholds if thresholds is None else thresholds)

    def to_dict(self) -> dict[str, Any]:
        """The JSON report: scores, thresholds and what failed, with plain Python values only."""
        report: dict[str, Any] = clean(
            {
                "schema_version": SCHEMA_VERSION,
                "dataset": self.dataset,
                "rows": self.rows,
                "headline": self.headline,
                "thresholds": self.thresholds,
                "failed_thresholds": self.failed_thresholds(),
                "unchecked_thresholds": self.unchecked_thresholds(),
                "scores": self.scores,
            }
        )
        return report

    def to_json(self) -> str:
        """The JSON report as text (what ``llmsynth eval --json`` writes)."""
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False, allow_nan=False)

    def write_json(self, path: str | Path) -> Path:
        """Write the JSON report, creating parent folders."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(self.to_json() + "\n", encoding="utf-8")
        return path

    def get_details(self, name: str) -> pd.DataFrame:
        """Per-item figures of one family: ``"spec"`` (per promise), ``"column_shapes"``,
        ``"column_pair_trends"``, ``"diversity"`` (per field), ``"validity"`` (per column), ...
        (names in ``llmsynth.evals.report_details.DETAILS``)."""
        from llmsynth.evals.report_details import details

        return details(self, name)

    def to_dataframe(self) -> pd.DataFrame:
        """Every numeric figure, one row each: family, dotted key, value, threshold bound and verdict."""
        from llmsynth.evals.report_details import figures_frame

        return figures_frame(self)

    def _repr_html_(self) -> str:
        """Jupyter shows the report itself (scoped styles: the notebook keeps its own look)."""
        from llmsynth.evals.report_html import render_fragment

        return render_fragment(self)

    def to_html(self) -> str:
        """The self-contained HTML report (pictures embedded)."""
        from llmsynth.evals.report_html import render_html

        return render_html(self)

    def write_html(self, path: str | Path) -> Path:
        """A self-contained HTML file (plots embedded as base64 PNG)."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(self.to_html(), encoding="utf-8")
        return path
