"""The spec loader: valid specs load into models; each kind of bad input gets one clear message."""

from pathlib import Path

import pytest

from llmsynth.errors import SpecError
from llmsynth.spec import DatasetSpec, LLMGroup, load_spec, spec_from_dict

EXAMPLES = sorted(Path(__file__).parents[2].joinpath("examples").glob("*.yaml"))


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "spec.yaml"
    path.write_text(text)
    return path


def test_valid_spec_loads_values(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
name: people
rows: 12
seed: 7
model: {name: smollm2-135m, batch_size: 8}
columns:
  - {name: age, kind: normal, mean: 40, sd: 10}
  - kind: llm
    prompt: "Job for a {{ age }} year old"
    fields:
      job: {type: string, max_length: 30}
      score: {type: integer, min: 0, max: 100}
""",
    )
    spec = load_spec(path)
    assert isinstance(spec, DatasetSpec)
    assert (spec.name, spec.rows, spec.seed) == ("people", 12, 7)
    assert spec.model.batch_size == 8
    assert spec.column_names == ["age", "job", "score"]
    group = spec.columns[1]
    assert isinstance(group, LLMGroup)
    assert group.dependencies() == {"age"}
    assert spec.source == path.resolve()
    schemas = {s.name: s for s in spec.column_schemas()}
    assert (schemas["score"].minimum, schemas["score"].maximum, schemas["score"].type) == (0, 100, "integer")
    assert schemas["job"].max_length == 30


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("columns: [\n", "malformed YAML at line 2"),
        (
            "columns:\n  - {name: a, kind: normall}\n",
            "column 'a': unknown column kind 'normall' (did you mean 'normal'?)",
        ),
        ("columns:\n  - {name: a, kind: normal, sd: -1}\n", "column 'a': field 'sd': Input should be greater than 0"),
        ("columns:\n  - {name: a, kind: normal, sd: abc}\n", "column 'a': field 'sd': Input should be a valid number"),
        ("columns:\n  - {name: a, kind: normal, sdd: 1}\n", "column 'a': field 'sdd': unknown field"),
        (
            "columns:\n  - {name: a, kind: normal}\n  - kind: llm\n    prompt: '{{ ag }}'\n"
            "    fields: {job: {type: string}}\n",
            "column 'job': uses 'ag', which is not a column of this spec (did you mean 'a'?)",
        ),
        (
            "columns:\n  - {name: b, kind: expression, expr: 'c + 1'}\n"
            "  - {name: c, kind: expression, expr: 'b * 2'}\n",
            "column 'b': dependency cycle: 'b' -> 'c' -> 'b'",
        ),
        ("columns:\n  - {name: a, kind: normal}\n  - {name: a, kind: uniform}\n", "column 'a' is defined twice"),
        ("- just a list\n", "the top level must be a mapping"),
        ("sensitive: [zz]\ncolumns:\n  - {name: a, kind: normal}\n", "'sensitive' names ['zz']"),
        (
            "columns:\n  - kind: llm\n    prompt: hi\n    fields: {c: {type: choice}}\n",
            "type 'choice' needs a non-empty 'choices' list",
        ),
    ],
    ids=["yaml", "unknown-kind", "bad-value", "wrong-type", "unknown-field", "missing-variable", "cycle",
         "duplicate", "not-mapping", "unknown-sensitive", "choice-without-choices"],
)
def test_bad_spec_messages_name_file_column_and_problem(tmp_path: Path, text: str, expected: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(SpecError) as info:
        load_spec(path)
    message = str(info.value)
    assert message.startswith(str(path))
    assert expected in message
    assert info.value.exit_code == 2


def test_missing_file_is_a_spec_error(tmp_path: Path) -> None:
    with pytest.raises(SpecError, match="file not found"):
        load_spec(tmp_path / "nope.yaml")


def test_python_objects_equal_yaml() -> None:
    spec = spec_from_dict({"rows": 3, "columns": [{"name": "x", "kind": "uniform", "low": 1, "high": 2}]})
    built = DatasetSpec(rows=3, columns=[{"name": "x", "kind": "uniform", "low": 1, "high": 2}])  # type: ignore[list-item]
    assert spec.model_dump() == built.model_dump()


def test_overrides_change_only_named_fields() -> None:
    spec = spec_from_dict({"seed": 1, "columns": [{"name": "x", "kind": "normal"}]})
    changed = spec.with_overrides(seed=5, **{"model.device": "cpu", "generation.temperature": 0.5})
    assert (changed.seed, changed.model.device, changed.generation.temperature) == (5, "cpu", 0.5)
    assert (spec.seed, spec.model.device) == (1, "auto")


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_every_example_validates(path: Path) -> None:
    spec = load_spec(path)
    assert spec.column_names
