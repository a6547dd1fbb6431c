"""Privacy: copied reference rows and memorised (near-copied) rows are flagged; fresh draws are not."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from llmsynth.evals.privacy import RowEncoder, privacy_scores, row_hashes


def _people(rng: np.random.Generator, n: int) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "age": rng.integers(18, 90, n),
            "income": rng.lognormal(10, 0.5, n).round(2),
            "city": rng.choice(["Paris", "Lyon", "Nice"], n),
        }
    )


def test_exact_copies_hand_computed() -> None:
    reference = pd.DataFrame({"a": [1, 2, 3], "b": ["x", "y", "z"]})
    data = pd.DataFrame({"a": [1.0, 2.0, 5.0, 3.0], "b": ["x", "q", "z", "z"]})  # rows 0 and 3 are copies
    scores = privacy_scores(data, reference)
    assert scores["exact_copy_rows"] == 2
    assert scores["exact_copies"] == pytest.approx(0.5)


def test_encoder_mismatch_costs_one() -> None:
    train = pd.DataFrame({"x": [0.0, 10.0], "c": ["a", "b"]})
    encoder = RowEncoder({"x": "numeric", "c": "categorical"}).fit(train)
    rows = encoder.transform(pd.DataFrame({"x": [5.0, 5.0], "c": ["a", "b"]}))
    assert rows[0, 0] == pytest.approx(0.5)  # min-max scaled by the train range
    assert np.sum((rows[0] - rows[1]) ** 2) == pytest.approx(1.0)  # one category mismatch
    unseen = encoder.transform(pd.DataFrame({"x": [5.0], "c": ["zzz"]}))
    assert np.sum((rows[0] - unseen[0]) ** 2) == pytest.approx(1.0)


def test_row_hashes_ignore_int_float_spelling() -> None:
    kinds = {"a": "numeric"}
    assert (row_hashes(pd.DataFrame({"a": [1, 2]}), kinds) == row_hashes(pd.DataFrame({"a": [1.0, 2.0]}), kinds)).all()


def test_fresh_draws_have_ratio_near_one_and_copies_are_flagged() -> None:
    rng = np.random.default_rng(7)
    reference = _people(rng, 800)
    fresh = privacy_scores(_people(rng, 400), reference, seed=1)
    assert fresh["exact_copies"] < 0.01
    assert fresh["dcr_ratio"] == pytest.approx(1.0, abs=0.25)

    copied = privacy_scores(reference.sample(400, random_state=0), reference, seed=1)
    assert copied["exact_copies"] == 1.0
    assert copied["dcr_zero_share"] > 0.3  # the copies of train-half rows sit at distance 0
    assert copied["dcr_ratio"] < 0.5
