"""Categories conditioned on another column: each row draws from its own value's table."""

from typing import Any

import pytest
from scipy import stats

from llmsynth.errors import SpecError
from llmsynth.spec import spec_from_dict

COUNTRY = {"kind": "categorical", "name": "country", "categories": {"USA": 0.5, "France": 0.3, "Japan": 0.2}}
CITY = {
    "kind": "categorical",
    "name": "city",
    "by": "country",
    "categories": {"USA": {"NY": 0.7, "LA": 0.3}, "France": ["Paris", "Lyon"]},
    "default": ["Tokyo"],
}


def test_each_value_draws_from_its_own_table(draw: Any) -> None:
    frame, samplers, spec = draw([CITY, COUNTRY], 20_000, seed=3)
    assert spec.columns[0].dependencies() == {"country"}
    usa = frame.loc[frame["country"] == "USA", "city"]
    assert set(usa) == {"NY", "LA"}
    # NY share among USA rows: a binomial test against the declared 0.7
    assert stats.binomtest(int((usa == "NY").sum()), len(usa), 0.7).pvalue > 1e-3
    france = frame.loc[frame["country"] == "France", "city"]
    assert stats.binomtest(int((france == "Paris").sum()), len(france), 0.5).pvalue > 1e-3
    assert set(frame.loc[frame["country"] == "Japan", "city"]) == {"Tokyo"}
    schema = {s.name: s for s in spec.column_schemas()}["city"]
    assert schema.choices == ("NY", "LA", "Paris", "Lyon", "Tokyo")
    assert samplers["city"].promises() == []


def test_unlisted_value_without_default_names_the_column(draw: Any) -> None:
    city = {k: v for k, v in CITY.items() if k != "default"}
    with pytest.raises(SpecError, match=r"column 'city': field 'categories': no categories for country = 'Japan'"):
        draw([COUNTRY, city], 500)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"by": None}, "per-value categories need `by:`"),
        ({"categories": {"USA": {"NY": 0.7, "LA": 0.2}}}, "field 'categories.USA': probabilities sum to 0.9"),
        ({"categories": {"NY": 0.7, "LA": 0.3}}, "with `by:`, categories map each value"),
    ],
    ids=["nested-without-by", "bad-weights", "flat-with-by"],
)
def test_bad_conditional_tables_are_spec_errors(change: dict, message: str) -> None:
    with pytest.raises(SpecError, match=message.replace("`", ".").replace("(", r"\(")):
        spec_from_dict({"columns": [COUNTRY, {**CITY, **change}]})
