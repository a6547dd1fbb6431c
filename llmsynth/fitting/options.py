"""What ``fit`` may be told: the label, kind overrides, how marginals and rare values are modelled, and
the privacy settings. Checked once here so every later step can trust them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from llmsynth.errors import InputDataError

Kind = Literal["continuous", "integer", "categorical", "boolean", "datetime", "identifier", "text", "ignore"]
KINDS: tuple[str, ...] = Kind.__args__  # type: ignore[attr-defined]
LabelModel = Literal["per-class", "joint"]
Marginals = Literal["auto", "family", "quantiles"]
Rare = Literal["group", "keep", "drop"]


@dataclass(frozen=True)
class FitOptions:
    """Settings of one fit; the defaults favour privacy (rare values grouped, no real text copied)."""

    label: str | None = None
    kinds: Mapping[str, str] = field(default_factory=dict)
    label_model: LabelModel = "per-class"
    marginals: Marginals = "auto"
    alpha: float = 0.05
    knots: int = 50
    min_count: int = 5
    rare: Rare = "group"
    noise: float = 0.0
    clip: float = 0.0
    examples: int = 0
    seed: int = 0
    name: str | None = None
    rows: int | None = None

    def __post_init__(self) -> None:
        for column, kind in self.kinds.items():
            if kind not in KINDS:
                raise InputDataError(f"column '{column}': unknown kind '{kind}'; kinds: {', '.join(KINDS)}")
        checks = [
            (self.label_model in LabelModel.__args__, "label_model", "per-class or joint"),  # type: ignore[attr-defined]
            (self.marginals in Marginals.__args__, "marginals", "auto, family or quantiles"),  # type: ignore[attr-defined]
            (self.rare in Rare.__args__, "rare", "group, keep or drop"),  # type: ignore[attr-defined]
            (0 < self.alpha < 1, "alpha", "a probability between 0 and 1"),
            (self.knots >= 2, "knots", "at least 2"),
            (self.min_count >= 1, "min_count", "at least 1"),
            (self.noise >= 0, "noise", "0 or more (a share of each column's standard deviation)"),
            (0 <= self.clip < 0.5, "clip", "a share below 0.5 cut from each tail"),
            (self.examples >= 0, "examples", "0 or more"),
            (self.seed >= 0, "seed", "0 or more"),
            (self.rows is None or self.rows >= 1, "rows", "at least 1"),
        ]
        for ok, name, expected in checks:
            if not ok:
                raise InputDataError(f"fit option '{name}' must be {expected}, got {getattr(self, name)!r}")
