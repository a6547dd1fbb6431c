"""Dependency ordering: columns come after what they read, ties keep spec order."""

import pytest

from llmsynth.errors import SpecError
from llmsynth.spec import order_columns, spec_from_dict


def labels(spec_dict: dict) -> list[str]:
    return [c.label for c in order_columns(spec_from_dict(spec_dict))]


def test_expression_and_template_dependencies_are_ordered() -> None:
    spec = {
        "columns": [
            {"kind": "llm", "prompt": "{{ weight }} {{ country }}", "fields": {"job": {"type": "string"}}},
            {"name": "weight", "kind": "expression", "expr": "2.5 * height + 50"},
            {"name": "height", "kind": "normal", "mean": 170, "sd": 10},
            {"name": "country", "kind": "categorical", "categories": ["A", "B"]},
        ]
    }
    assert labels(spec) == ["height", "country", "weight", "job"]


def test_independent_columns_keep_spec_order() -> None:
    spec = {"columns": [{"name": n, "kind": "normal"} for n in ("c", "a", "b")]}
    assert labels(spec) == ["c", "a", "b"]


def test_expression_without_names_has_no_dependencies() -> None:
    spec = {"columns": [{"name": "x", "kind": "expression", "expr": "1 + 2"}]}
    assert labels(spec) == ["x"]


def test_three_cycle_names_every_member() -> None:
    spec = {
        "columns": [
            {"name": "a", "kind": "expression", "expr": "c + 1"},
            {"name": "b", "kind": "expression", "expr": "a + 1"},
            {"name": "c", "kind": "expression", "expr": "b + 1"},
        ]
    }
    with pytest.raises(SpecError) as info:
        labels(spec)
    message = str(info.value)
    assert "dependency cycle" in message
    assert all(f"'{n}'" in message for n in "abc")


def test_template_file_variables_order_the_columns(tmp_path) -> None:
    from llmsynth.spec import load_spec

    (tmp_path / "ask.j2").write_text("A {{ age }} year old from {{ country }}")
    (tmp_path / "spec.yaml").write_text(
        "columns:\n"
        "  - kind: llm\n    template: ask.j2\n    fields: {job: {type: string}}\n"
        "  - {name: age, kind: integer, low: 18, high: 80}\n"
        "  - {name: country, kind: categorical, categories: [A, B]}\n"
    )
    spec = load_spec(tmp_path / "spec.yaml")
    assert [c.label for c in order_columns(spec)] == ["age", "country", "job"]


def test_unknown_template_is_a_load_time_error(tmp_path) -> None:
    from llmsynth.spec import load_spec

    (tmp_path / "spec.yaml").write_text(
        "columns:\n  - kind: llm\n    template: roww\n    fields: {job: {type: string}}\n"
    )
    with pytest.raises(SpecError, match=r"column 'job': template 'roww' is neither a file .* Did you mean 'row'\?"):
        load_spec(tmp_path / "spec.yaml")
