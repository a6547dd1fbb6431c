"""A small real-like table for the fit tests: every kind fit infers, known relations, a rare value."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

WORDS = ["quick", "careful", "loyal", "new", "frequent", "quiet", "bargain", "premium", "weekend", "online"]
ITEMS = ["shoes", "books", "coffee", "tools", "games", "plants", "tea", "bikes"]


def customers(n: int = 400, seed: int = 0) -> pd.DataFrame:
    """Ids, a segment label that shifts age and income, a date, a flag, a count, a rare country, free text."""
    rng = np.random.default_rng(seed)
    segment = rng.choice(["retail", "business", "vip"], size=n, p=[0.6, 0.3, 0.1])
    shift = pd.Series(segment).map({"retail": 0.0, "business": 8.0, "vip": 15.0}).to_numpy()
    age = np.clip(np.round(rng.normal(35 + shift, 8)), 18, 90).astype(int)
    income = np.round(np.exp(9.5 + 0.03 * (age - 35) + 0.08 * shift + rng.normal(0, 0.3, n)), 2)
    joined = pd.Timestamp("2015-01-01") + pd.to_timedelta(rng.integers(0, 3000, n), unit="D")
    country = rng.choice(["France", "Japan", "Brazil", "Kenya"], size=n).astype(object)
    country[:2] = "Atlantis"  # seen twice: rare, grouped by default
    notes = [
        f"{rng.choice(WORDS)} buyer of {rng.choice(ITEMS)} who visits {rng.integers(1, 30)} times a year"
        for _ in range(n)
    ]
    return pd.DataFrame(
        {
            "customer_id": [f"C{i:05d}" for i in range(1, n + 1)],
            "segment": segment,
            "age": age,
            "income": income,
            "joined": joined,
            "member": rng.random(n) < 0.3,
            "visits": rng.poisson(3 + shift / 5),
            "country": country,
            "note": notes,
        }
    )


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return customers()
