"""The LLM benchmarks' plumbing, without a model: the prompts they feed the peers are the ones the engine
sends its backend, the peer's pydantic model accepts what the spec accepts, and the faithfulness
comparisons pair and score rows correctly. The shipped fake backend stands in for the model."""

from __future__ import annotations

from types import SimpleNamespace

import _common as common
import bench_faithful as faithful
import pandas as pd
import pytest
from pydantic import ValidationError

from llmsynth import generate_run
from llmsynth.backends.fake import FakeBackend

SETTINGS = common.Settings(rows=12, seed=3)
NO_TEMPLATE = SimpleNamespace(chat_template=None)  # a tokenizer without a chat template: plain transcripts


@pytest.mark.parametrize("name", ["reference", "wide", "reviews", "weighted", "customers"])
def test_prompt_texts_are_the_ones_the_engine_sends(name: str) -> None:
    named = common.named_spec(name)
    spec = common.build_spec(named, SETTINGS)
    backend = FakeBackend()
    run = generate_run(spec, rows=SETTINGS.rows, seed=SETTINGS.seed, backend=backend)
    frame = common.scaffold_frame(named, SETTINGS)
    group = common.llm_group(spec)
    scaffold = [c for c in frame.columns if c not in group.fields]
    pd.testing.assert_frame_equal(frame[scaffold], run.data[scaffold], check_dtype=False)
    sent = [prompt for call in backend.calls for prompt in call.prompts]
    assert common.engine_prompt_texts(spec, frame, NO_TEMPLATE) == sent


def test_peer_row_model_enforces_the_reference_schema() -> None:
    group = common.llm_group(common.build_spec(common.named_spec("reference"), SETTINGS))
    row = common.pydantic_row_model(group)
    assert row.model_validate_json('{"job":"Nurse","country":"India","score":100}').model_dump() == {
        "job": "Nurse", "country": "India", "score": 100,
    }
    for bad in ('{"job":"%s","country":"India","score":5}' % ("x" * 31),
                '{"job":"Nurse","country":"Peru","score":5}',
                '{"job":"Nurse","country":"India","score":101}'):
        with pytest.raises(ValidationError):
            row.model_validate_json(bad)


def test_peer_row_model_keeps_field_names_that_are_not_identifiers() -> None:
    group = common.llm_group(common.build_spec(common.named_spec("zero_shot"), SETTINGS))
    schema = common.pydantic_row_model(group).model_json_schema(by_alias=True)
    assert list(schema["properties"]) == ["Job", "Age", "Country", "Score"]
    assert schema["properties"]["Score"]["maximum"] == 100


def test_batches_never_cross_a_chunk() -> None:
    assert common.batches(list(range(7)), chunk_size=5, batch_size=2) == [[0, 1], [2, 3], [4], [5, 6]]


def _frame(ids: list[int], jobs: list[str], scores: list[int]) -> pd.DataFrame:
    return pd.DataFrame({common.ROW_ID: ids, "job": jobs, "score": scores})


def test_identical_rows_pairs_by_id_not_position() -> None:
    a = _frame([1, 2, 3, 4], ["a", "b", "c", "d"], [1, 2, 3, 4])
    b = _frame([4, 3, 1], ["d", "c", "a"], [4, 30, 1])  # row 2 missing (rejected), row 3's score differs
    found = faithful.identical_rows(["job", "score"], a, b)
    assert found["paired_rows"] == 3
    assert found["identical_share"] == pytest.approx(2 / 3)
    assert found["by_field"] == {"job": 1.0, "score": pytest.approx(2 / 3)}


def test_field_distance_bins_wide_numbers_and_counts_small_domains_by_value() -> None:
    stars = common.LLMField(type="integer", min=1, max=5)
    assert faithful.field_distance(stars, [1, 1, 2, 2], [1, 2, 2, 2]) == ("by value", pytest.approx(0.25))
    score = common.LLMField(type="integer", min=0, max=100)
    assert faithful.field_distance(score, [1, 2, 3, 4], [5, 6, 7, 95]) == ("10 bins", pytest.approx(0.25))
    unbounded = common.LLMField(type="number")
    method, distance = faithful.field_distance(unbounded, [0.0, 0.0], [10.0, 10.0])
    assert (method, distance) == ("10 bins", pytest.approx(1.0))


def test_declared_weights_are_found_normalised_and_dropped() -> None:
    named = common.NamedSpec("w", {"columns": [
        {"name": "age", "kind": "integer", "low": 18, "high": 80},
        {"kind": "llm", "prompt": "{{ age }}", "fields": {
            "segment": {"type": "choice", "choices": {"budget": 3, "regular": 5, "premium": 2}},
            "mood": {"type": "choice", "choices": ["calm", "busy"]},
        }},
    ]})
    assert faithful.declared_weights(named) == {
        "segment": pytest.approx({"budget": 0.3, "regular": 0.5, "premium": 0.2}),
    }
    plain = faithful.without_weights(named)
    assert plain.data["columns"][1]["fields"]["segment"]["choices"] == ["budget", "regular", "premium"]
    assert faithful.declared_weights(plain) == {}
    assert isinstance(named.data["columns"][1]["fields"]["segment"]["choices"], dict)  # the original is kept


def test_calibration_reports_marginal_distance_and_dependence() -> None:
    weights = {"segment": {"budget": 0.4, "premium": 0.6}}
    # calibrated: matches the weights and follows age's quintile (two ages each) exactly; uncalibrated: always budget
    calibrated = pd.DataFrame({"age": list(range(20, 30)), "segment": ["budget"] * 4 + ["premium"] * 6})
    uncalibrated = pd.DataFrame({"age": list(range(20, 30)), "segment": ["budget"] * 10})
    (row,) = faithful.calibration(weights, ["age"], calibrated, uncalibrated)
    assert row["tvd_to_weights_calibrated"] == pytest.approx(0.0)
    assert row["tvd_to_weights_uncalibrated"] == pytest.approx(0.6)
    assert row["cramers_v_calibrated"]["age"] == pytest.approx(1.0)
    assert row["cramers_v_uncalibrated"]["age"] == 0.0
