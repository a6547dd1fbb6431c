"""YAML for untrusted specs: duplicate keys, alias bombs, recursion and depth are refused with the line;
ordinary YAML (merge keys, anchors used a few times) loads as before."""

from __future__ import annotations

import pytest

from llmsynth.errors import SpecError
from llmsynth.spec.yaml_safe import MAX_NODES, load_yaml


def test_ordinary_yaml_with_anchors_and_merge_keys_loads() -> None:
    text = "base: &b {x: 1, y: 2}\nc:\n  <<: *b\n  x: 5\nd: [*b, *b]\n"
    assert load_yaml(text, source="s.yaml") == {
        "base": {"x": 1, "y": 2}, "c": {"x": 5, "y": 2}, "d": [{"x": 1, "y": 2}, {"x": 1, "y": 2}],
    }


def test_exponent_numbers_are_numbers() -> None:
    # YAML 1.1 (PyYAML's default) reads 1e5 as the string "1e5"; specs mean a number, as in JSON
    data = load_yaml("a: [1e5, 1.5e-3, -2E+2, .5, 1_000, '1e5', 1e, 2e3x]\n", source="s.yaml")
    assert data == {"a": [100000.0, 0.0015, -200.0, 0.5, 1000, "1e5", "1e", "2e3x"]}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a: 1\nb: 2\na: 3\n", "line 3, column 1: duplicate key 'a' (first given at line 1)"),
        ("columns:\n  - {name: x, sd: 1, sd: 2}\n", "line 2, column 22: duplicate key 'sd'"),
        ("a: &a [1, *a]\n", "YAML refused at line 1: an alias refers to the mapping or list that contains it"),
        ("a: " + "[" * 150 + "]" * 150 + "\n", "nested deeper than 100 levels"),
        ("a: " + "[" * 3_000 + "]" * 3_000 + "\n", "nested too deeply"),
        ("a: 2024-13-45\n", "malformed YAML value: month must be in 1..12"),
        ("a: \x1f\n", "special characters are not allowed"),
        ("a: !!python/object/apply:os.system ['true']\n", "could not determine a constructor"),
        ("a: [1, 2\n", "malformed YAML at line 2"),
        ('a: ok\nb: "x\\ud800"\n', "YAML refused at line 2: a lone surrogate escape"),
    ],
    ids=["duplicate", "duplicate-in-flow", "recursive-alias", "deep", "very-deep", "bad-date", "control-char",
         "python-tag", "unclosed", "lone-surrogate"],
)
def test_refused_with_file_and_line(text: str, message: str) -> None:
    with pytest.raises(SpecError) as info:
        load_yaml(text, source="s.yaml")
    assert str(info.value).startswith("s.yaml: ")
    assert message in str(info.value)


def test_billion_laughs_is_refused_before_anything_expands() -> None:
    lines = ["a: &a [" + ", ".join(["lol"] * 10) + "]"]
    for parent, child in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{child}: &{child} [" + ", ".join([f"*{parent}"] * 10) + "]")
    with pytest.raises(SpecError, match=f"expands to more than {MAX_NODES:,} values"):
        load_yaml("\n".join(lines), source="s.yaml")
    # the same shape a few levels down is an ordinary document
    assert len(load_yaml("\n".join(lines[:3]), source="s.yaml")["c"]) == 10
