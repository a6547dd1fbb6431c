from __future__ import annotations

from typing import Any

import numpy as np
import pytest


def training_rows(n: int = 2000) -> list[dict[str, Any]]:
    """Rule: income > 50 and city == 'north' -> 'buyer' 90% of the time; otherwise 'buyer' 20%."""
    rng = np.random.default_rng(0)
    rows = []
    for _ in range(n):
        income, city = float(rng.uniform(0, 100)), str(rng.choice(["north", "south"]))
        rate = 0.9 if income > 50 and city == "north" else 0.2
        rows.append({"income": income, "city": city, "label": "buyer" if rng.random() < rate else "browser"})
    return rows


def test_labels_follow_the_learned_rule_with_leaf_probabilities(draw: Any) -> None:
    columns = [
        {"kind": "uniform", "name": "income", "low": 0, "high": 100},
        {"kind": "categorical", "name": "city", "categories": ["north", "south"]},
        {
            "kind": "tree",
            "name": "label",
            "features": ["income", "city"],
            "rows": training_rows(),
            "classes": ["buyer", "browser"],
        },
    ]
    frame, samplers, spec = draw(columns, 20_000)
    assert spec.columns[2].dependencies() == {"income", "city"}
    rich_north = (frame["income"] > 52) & (frame["city"] == "north")
    other = (frame["income"] < 48) | (frame["city"] == "south")
    buyer = frame["label"] == "buyer"
    assert buyer[rich_north].mean() == pytest.approx(0.9, abs=0.04)
    assert buyer[other].mean() == pytest.approx(0.2, abs=0.04)
    # drawn from the leaf, not its majority: the minority label still appears in each region
    assert 0 < (~buyer[rich_north]).mean() < 0.2
    assert samplers["label"].diagnostics()["leaves"] >= 3


def test_tree_needs_its_features_in_the_rows(draw: Any) -> None:
    from llmsynth.errors import SpecError

    with pytest.raises(SpecError, match=r"column 'label': .*rows lack column\(s\) city"):
        draw(
            [
                {"kind": "uniform", "name": "income"},
                {
                    "kind": "tree",
                    "name": "label",
                    "features": ["income", "city"],
                    "rows": [{"income": 1, "label": "a"}],
                },
            ],
            10,
        )
