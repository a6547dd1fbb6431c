"""The benchmarks' statistics (benchmarks/_stats.py) on hand-computed cases."""

from __future__ import annotations

import math

import _stats as stats
import numpy as np
import pytest
from scipy.stats import chi2_contingency


def _sample(table: list[list[int]]) -> tuple[list[int], list[int]]:
    """Two paired samples whose contingency table is ``table``."""
    x, y = [], []
    for i, row in enumerate(table):
        for j, count in enumerate(row):
            x += [i] * count
            y += [j] * count
    return x, y


def test_tvd_of_two_samples_by_value() -> None:
    # shares a: {a: .5, b: .5}; b: {a: .25, b: .75}
    assert stats.sample_tvd(list("aabb"), list("abbb")) == pytest.approx(0.25)
    assert stats.sample_tvd(list("abc"), list("cab")) == pytest.approx(0.0)
    assert stats.sample_tvd(["x", "x"], ["y"]) == pytest.approx(1.0)


def test_tvd_against_declared_weights_counts_unseen_options() -> None:
    observed = stats.shares(["budget"] * 3 + ["regular"] * 7)
    declared = {"budget": 0.3, "regular": 0.5, "premium": 0.2}
    assert stats.tvd(observed, declared) == pytest.approx(0.2)


def test_bins_are_equal_width_and_keep_the_upper_bound() -> None:
    index = stats.bin_index([0, 9.99, 10, 55, 100, -3, 120], 0, 100, bins=10)
    assert index.tolist() == [0, 0, 1, 5, 9, 0, 9]


def test_binned_tvd_ignores_differences_inside_a_bin() -> None:
    a = [1, 2, 3, 95]
    b = [9, 8, 7, 99]
    assert stats.binned_tvd(a, b, 0, 100) == pytest.approx(0.0)
    # a: 3/4 in bin 0, 1/4 in bin 9; c: 1/4 in bin 0, 3/4 in bin 5
    c = [5, 50, 51, 52]
    assert stats.binned_tvd(a, c, 0, 100) == pytest.approx(0.75)


def test_binned_tvd_rejects_empty_bounds() -> None:
    with pytest.raises(ValueError, match="low < high"):
        stats.binned_tvd([1], [1], 5, 5)


@pytest.mark.parametrize(
    ("table", "expected"),
    [
        ([[10, 0], [0, 10]], 1.0),
        ([[10, 10], [10, 10]], 0.0),
        # chi2 = 4 * 5**2 / 15 = 6.667 with n = 60: V = sqrt(6.667 / 60) = 1/3
        ([[20, 10], [10, 20]], 1 / 3),
        # a 2x3 table: expected counts 10 everywhere; chi2 = (4*25 + 0 + 0) / 10 = 10, n = 60, k - 1 = 1
        ([[15, 10, 5], [5, 10, 15]], math.sqrt(10 / 60)),
    ],
    ids=["perfect", "independent", "two-by-two", "two-by-three"],
)
def test_cramers_v_on_known_tables(table: list[list[int]], expected: float) -> None:
    x, y = _sample(table)
    assert stats.cramers_v(x, y) == pytest.approx(expected)


def test_cramers_v_matches_scipy_chi2_on_a_three_by_three_table() -> None:
    table = [[12, 5, 3], [4, 14, 6], [2, 7, 17]]
    x, y = _sample(table)
    chi2 = chi2_contingency(np.array(table), correction=False).statistic
    assert stats.cramers_v(x, y) == pytest.approx(math.sqrt(chi2 / (70 * 2)))


def test_cramers_v_of_a_constant_column_is_zero() -> None:
    assert stats.cramers_v(["a"] * 5, [1, 2, 3, 4, 5]) == 0.0


def test_quintiles_bin_numbers_and_leave_categories() -> None:
    assert stats.quintiles(list(range(10))) == [0, 0, 1, 1, 2, 2, 3, 3, 4, 4]
    assert stats.quintiles(["USA", "India", "USA"]) == ["USA", "India", "USA"]
    assert stats.quintiles([1, 2, 1, 2]) == [1, 2, 1, 2]  # few distinct numbers are categories already


def test_top_share_and_distinct_ratio() -> None:
    values = ["USA"] * 6 + ["India", "Japan", "Japan", "Peru"]
    assert stats.top_share(values) == pytest.approx(0.6)
    assert stats.distinct_ratio(values) == pytest.approx(0.4)
    assert stats.top_share([]) == 0.0


def test_cut_share_flags_full_length_and_dangling_punctuation() -> None:
    values = ["Nurse", "Mentor,", "Bakery-", "Buys books (", "exactly ten", "Teacher: ", 7]
    # "exactly ten" has 11 characters; with max_length 11 it counts as cut
    assert stats.cut_share(values, 11) == pytest.approx(5 / 6)
    assert stats.cut_share(["Nurse", "Pilot"], 30) == 0.0
