"""fit -> generate on real-like and bundled real tables: marginals (KS), correlations, the label's relation
to the features, and a YAML that loads back to the same spec and generates the same rows."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import llmsynth
from llmsynth.backends.fake import FakeBackend
from llmsynth.errors import InputDataError, SpecError
from llmsynth.spec import load_spec


@pytest.fixture(scope="module")
def fitted(table: pd.DataFrame) -> llmsynth.DatasetSpec:
    return llmsynth.fit(table, label="segment", seed=1)


@pytest.fixture(scope="module")
def synthetic(fitted: llmsynth.DatasetSpec) -> pd.DataFrame:
    return llmsynth.generate(fitted, rows=2000, backend=FakeBackend())


def test_spec_has_one_entry_per_role(fitted: llmsynth.DatasetSpec) -> None:
    kinds = [c.kind for c in fitted.columns]  # type: ignore[attr-defined]
    assert kinds == ["id", "categorical", "conditional", "llm"]
    conditional = fitted.columns[2]
    assert conditional.by == "segment"  # type: ignore[attr-defined]
    assert set(conditional.cases) == {"retail", "business", "vip"}  # type: ignore[attr-defined]
    assert fitted.target == "segment"
    assert fitted.rows == 400


def test_columns_and_types_match_the_table(table: pd.DataFrame, synthetic: pd.DataFrame) -> None:
    assert list(synthetic.columns) == list(table.columns)
    assert synthetic["age"].dtype == np.int64
    assert synthetic["visits"].dtype == np.int64
    assert synthetic["member"].dtype == bool
    assert pd.api.types.is_datetime64_any_dtype(synthetic["joined"])
    assert synthetic["income"].dtype == float


@pytest.mark.parametrize("column", ["age", "income", "visits"])
def test_numeric_marginals_pass_ks(table: pd.DataFrame, synthetic: pd.DataFrame, column: str) -> None:
    result = stats.ks_2samp(table[column], synthetic[column])
    assert result.pvalue > 0.01 or result.statistic < 0.06, result


def test_dates_stay_in_range_and_spread(table: pd.DataFrame, synthetic: pd.DataFrame) -> None:
    real, fake = table["joined"], synthetic["joined"]
    assert fake.min() >= real.min()
    assert fake.max() <= real.max()
    days = lambda s: (s - pd.Timestamp("2015-01-01")).dt.days  # noqa: E731
    assert stats.ks_2samp(days(real), days(fake)).statistic < 0.07


def test_category_and_label_frequencies(table: pd.DataFrame, synthetic: pd.DataFrame) -> None:
    for column in ("segment", "country"):
        real = table[column].where(table[column] != "Atlantis", "other").value_counts(normalize=True)
        fake = synthetic[column].value_counts(normalize=True)
        tvd = 0.5 * real.sub(fake, fill_value=0).abs().sum()
        assert tvd < 0.04, (column, real, fake)


def test_correlation_and_label_relation_are_kept(table: pd.DataFrame, synthetic: pd.DataFrame) -> None:
    for frame in (table, synthetic):
        means = frame.groupby("segment")["age"].mean()
        assert means["retail"] < means["business"] < means["vip"]
    real = stats.spearmanr(table["age"], table["income"]).statistic
    fake = stats.spearmanr(synthetic["age"], synthetic["income"]).statistic
    assert real > 0.4
    assert abs(real - fake) < 0.1


def test_ids_are_new_and_text_is_generated(table: pd.DataFrame, synthetic: pd.DataFrame) -> None:
    assert synthetic["customer_id"].is_unique
    assert not set(synthetic["customer_id"]) & set(table["customer_id"])
    assert synthetic["customer_id"].str.fullmatch(r"C\d{5}").all()
    assert not set(synthetic["note"]) & set(table["note"])


def test_yaml_loads_back_validates_and_generates_the_same_rows(
    fitted: llmsynth.DatasetSpec, tmp_path: Path
) -> None:
    from typer.testing import CliRunner

    from llmsynth.cli.main import app

    path = tmp_path / "fitted.yaml"
    text = fitted.to_yaml(path)
    assert text.startswith("# Fitted by `llmsynth fit` from a DataFrame: 400 rows, 9 columns.")
    assert "# customer_id: identifier like 'C00001'" in text
    loaded = load_spec(path)
    assert loaded.model_dump() == fitted.model_dump()
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code == 0, result.output
    backend = FakeBackend()
    pd.testing.assert_frame_equal(
        llmsynth.generate(loaded, rows=100, backend=backend), llmsynth.generate(fitted, rows=100, backend=backend)
    )


def test_joint_model_and_no_label(table: pd.DataFrame) -> None:
    joint = llmsynth.fit(table, label="segment", label_model="joint", kinds={"note": "ignore"})
    assert [c.kind for c in joint.columns] == ["id", "copula"]  # type: ignore[attr-defined]
    plain = llmsynth.fit(table[["age", "income"]])
    assert plain.target is None
    data = llmsynth.generate(plain, rows=500)
    assert stats.spearmanr(data["age"], data["income"]).statistic > 0.3


def test_marginal_choice_follows_the_option(table: pd.DataFrame) -> None:
    def kinds(**options: object) -> set[str]:
        spec = llmsynth.fit(table[["income", "joined"]], **options)
        return {m.kind for m in spec.columns[0].columns.values()}  # type: ignore[attr-defined]

    assert kinds() == {"lognormal", "quantiles"}  # income is lognormal by construction; dates use quantiles
    assert kinds(marginals="quantiles") == {"quantiles"}


def test_wine_keeps_what_separates_the_classes() -> None:
    from sklearn.datasets import load_wine
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.metrics import f1_score

    wine = load_wine(as_frame=True).frame
    train, test = wine.iloc[::2].reset_index(drop=True), wine.iloc[1::2].reset_index(drop=True)
    synthetic = llmsynth.generate(llmsynth.fit(train, label="target"), rows=len(train))
    assert synthetic["target"].dtype == np.int64
    features = [c for c in wine.columns if c != "target"]
    model = RandomForestClassifier(n_estimators=100, random_state=0).fit(synthetic[features], synthetic["target"])
    assert f1_score(test["target"], model.predict(test[features]), average="macro") > 0.85


def test_bad_input_is_a_clear_error(table: pd.DataFrame) -> None:
    with pytest.raises(InputDataError, match="label 'nope' is not a column"):
        llmsynth.fit(table, label="nope")
    with pytest.raises(InputDataError, match="label 'note' is a text column"):
        llmsynth.fit(table, label="note")
    with pytest.raises(InputDataError, match="fit needs at least 2 rows"):
        llmsynth.fit(table.head(1))
    with pytest.raises(InputDataError, match=r"fit option .clip. must be a share below 0\.5"):
        llmsynth.fit(table, clip=0.7)
    with pytest.raises(SpecError, match="unexpected keyword argument 'colour'"):
        llmsynth.fit(table, colour="red")


def test_missing_values_come_back_at_their_rate(table: pd.DataFrame) -> None:
    rng = np.random.default_rng(0)
    gappy = table.drop(columns=["note"]).copy()
    rates = {"income": 0.2, "country": 0.1, "joined": 0.05, "member": 0.15}
    for column, rate in rates.items():
        gappy[column] = gappy[column].mask(rng.random(len(gappy)) < rate)
    spec = llmsynth.fit(gappy, label="segment")
    assert "Missing values, generated at the same rate" in spec.to_yaml()
    data = llmsynth.generate(spec, rows=6000)
    for column in rates:
        assert abs(data[column].isna().mean() - gappy[column].isna().mean()) < 0.02, column
    assert data[["segment", "age", "visits"]].notna().all().all()
    assert str(data["member"].dtype) == "boolean"  # True/False with gaps, not text
    assert data["income"].dropna().between(table["income"].min(), table["income"].max()).all()
