"""``generate`` returns the dtypes the spec declares, and never loses a value to get them."""

from __future__ import annotations

import pandas as pd
import pytest

import llmsynth
from llmsynth.backends.fake import FakeBackend
from llmsynth.evals import evaluate
from llmsynth.export.dtypes import typed_column
from llmsynth.spec import spec_from_dict
from llmsynth.spec.schema import ColumnSchema

SPEC = {
    "name": "typed",
    "rows": 40,
    "seed": 3,
    "columns": [
        {"name": "customer_id", "kind": "id", "prefix": "C", "width": 4},
        {"name": "age", "kind": "integer", "low": 18, "high": 80},
        {"name": "height", "kind": "normal", "mean": 170, "sd": 10},
        {"name": "country", "kind": "categorical", "categories": {"FR": 0.5, "DE": 0.3, "IT": 0.2}},
        {"name": "member", "kind": "boolean", "p": 0.3},
        {"name": "joined", "kind": "date", "start": "2020-01-01", "end": "2024-12-31"},
        {"name": "seen", "kind": "datetime", "start": "2024-01-01", "end": "2024-02-01"},
        {"name": "bmi", "kind": "expression", "expr": "height / 10", "type": "number"},
        {
            "kind": "llm",
            "prompt": "{{ country }} {{ age }}",
            "fields": {
                "segment": {"type": "choice", "choices": ["budget", "regular", "premium"]},
                "children": {"type": "integer", "min": 0, "max": 5, "nullable": True},
                "job": {"type": "string", "max_length": 20},
                "born": {"type": "date"},
                "vip": {"type": "boolean"},
            },
        },
    ],
}


@pytest.fixture(scope="module")
def typed() -> pd.DataFrame:
    return llmsynth.generate(spec_from_dict(SPEC), backend=FakeBackend())


def test_generate_gives_the_spec_dtypes(typed: pd.DataFrame) -> None:
    dtypes = {name: str(dtype) for name, dtype in typed.dtypes.items()}

    assert dtypes["country"] == "category"
    assert list(typed["country"].cat.categories) == ["FR", "DE", "IT"]  # the spec's order
    assert dtypes["segment"] == "category"
    assert list(typed["segment"].cat.categories) == ["budget", "regular", "premium"]
    assert dtypes["age"] == "int64"
    assert dtypes["children"] == "Int64"  # nullable: pandas' nullable integer
    assert dtypes["height"] == dtypes["bmi"] == "float64"
    assert dtypes["member"] == dtypes["vip"] == "bool"
    for name in ("joined", "seen", "born"):
        assert pd.api.types.is_datetime64_any_dtype(typed[name]), name
    assert pd.api.types.is_string_dtype(typed["job"])
    assert pd.api.types.is_string_dtype(typed["customer_id"])
    assert typed["age"].between(18, 80).all()


def test_typed_table_evaluates_like_the_plain_one(typed: pd.DataFrame) -> None:
    """Unused categories do not count as values: the same figures as from the CSV round trip."""
    spec = spec_from_dict(SPEC)
    plain = typed.astype(object)
    typed_scores = evaluate(typed, spec).scores
    plain_scores = evaluate(plain, spec).scores

    assert typed_scores["validity"]["score"] == 1.0
    assert typed_scores["diversity"]["columns"]["segment"] == plain_scores["diversity"]["columns"]["segment"]
    assert typed_scores["spec"]["checks"]["categorical:country"]["tvd"] == pytest.approx(
        plain_scores["spec"]["checks"]["categorical:country"]["tvd"]
    )


@pytest.mark.parametrize(
    ("values", "schema"),
    [
        (["a", "zzz"], ColumnSchema(name="c", type="choice", choices=("a", "b"))),
        (["2024-01-01", "not a date"], ColumnSchema(name="c", type="date")),
        ([1.5, 2.0], ColumnSchema(name="c", type="integer")),
    ],
    ids=["value-outside-choices", "not-a-date", "not-whole"],
)
def test_no_value_is_lost_to_a_dtype(values: list, schema: ColumnSchema) -> None:
    out = typed_column(pd.Series(values), schema)

    assert out.notna().all()
    assert [str(v) for v in out] == [str(v) for v in values]
