"""Every column kind is one name across the package: its spec model and its sampler live in modules of
the same name (``spec/kinds/<family>.py`` <-> ``scaffold/<family>.py``), the docs show it, and the evals
check what it promises (or ``UNCHECKED_KINDS`` says why not)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from llmsynth.errors import LLMSynthError
from llmsynth.evals.spec_fidelity import CHECKS, UNCHECKED_KINDS
from llmsynth.registry import SAMPLERS
from llmsynth.scaffold import build_sampler
from llmsynth.spec import COLUMN_KINDS, spec_from_dict
from llmsynth.spec.dataset import KIND_MODELS

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
SCAFFOLD_KINDS = [k for k in COLUMN_KINDS if k != "llm"]  # llm columns are written by the model (engine/llm_step)

# kinds whose documented snippets are abridged (``...``) or show a variant without a promise
EXTRA_EXAMPLES = [
    [{"kind": "lognormal", "name": "x", "mu": 1.0, "sigma": 0.5}],
    [{"kind": "normal", "name": "x", "mean": 0, "sd": 1}, {"kind": "expression", "name": "y", "expr": "2 * x + 1"}],
    [{"kind": "quantiles", "name": "q", "values": [0.0, 1.5, 2.0, 4.0, 9.0]}],
    [{"kind": "discrete", "name": "d", "probabilities": {0: 0.3, 1: 0.5, 2: 0.2}}],
    [
        {"kind": "categorical", "name": "region", "categories": {"north": 0.4, "south": 0.6}},
        {"kind": "conditional", "by": "region", "columns": ["income"], "cases": {
            "north": {"kind": "lognormal", "mu": 10.4, "sigma": 0.5},
            "south": {"kind": "lognormal", "mu": 10.1, "sigma": 0.6}}},
    ],
    [{"kind": "data", "columns": ["a"], "rows": [{"a": 1}, {"a": 2}]}],
]


def _documented_specs() -> list[dict]:
    found = []
    for path in DOCS:
        for text in re.findall(r"```yaml\n(.*?)```", path.read_text(encoding="utf-8"), flags=re.S):
            try:
                data = yaml.safe_load(text)
            except yaml.YAMLError:
                continue  # an abridged snippet (``...`` where a fitted spec goes on)
            if isinstance(data, dict) and "columns" in data:
                found.append(data)
    return found


def _promise_types() -> dict[str, set[str]]:
    """Kind -> names of the promise types its entries made, over the documented and extra examples."""
    made: dict[str, set[str]] = {}
    specs = [*_documented_specs(), *({"columns": c} for c in EXTRA_EXAMPLES)]
    for data in specs:
        try:
            spec = spec_from_dict(data)
        except LLMSynthError:
            continue  # an abridged snippet or one that reads files next to another spec
        for column in spec.columns:
            if column.kind == "llm":
                continue
            try:
                promises = build_sampler(column, spec).promises()
            except LLMSynthError:
                continue
            made.setdefault(column.kind, set()).update(type(p).__name__ for p in promises)
    return made


@pytest.mark.parametrize("kind", SCAFFOLD_KINDS)
def test_kind_has_a_sampler_in_the_module_of_the_same_name(kind: str) -> None:
    spec_module = KIND_MODELS[kind].__module__
    sampler_module = SAMPLERS.get(kind).__module__
    assert spec_module.startswith("llmsynth.spec.kinds.")
    assert sampler_module.startswith("llmsynth.scaffold.")
    assert spec_module.rsplit(".", 1)[1] == sampler_module.rsplit(".", 1)[1]


def test_every_registered_sampler_has_a_spec_kind() -> None:
    assert set(SAMPLERS.builtin_names()) == set(SCAFFOLD_KINDS)


@pytest.mark.parametrize("kind", COLUMN_KINDS)
def test_kind_is_documented(kind: str) -> None:
    pattern = re.compile(rf"kind: {re.escape(kind)}\b")
    assert [p.name for p in DOCS if pattern.search(p.read_text(encoding="utf-8"))], f"no docs show 'kind: {kind}'"


@pytest.fixture(scope="module")
def promise_types() -> dict[str, set[str]]:
    return _promise_types()


@pytest.mark.parametrize("kind", COLUMN_KINDS)
def test_kind_promises_are_checked_or_say_why_not(kind: str, promise_types: dict[str, set[str]]) -> None:
    made = promise_types.get(kind, set())
    checked = {t.__name__ for t in CHECKS}
    assert made <= checked, f"{kind} makes promises no check reads: {made - checked}"
    if kind in UNCHECKED_KINDS:
        assert UNCHECKED_KINDS[kind].strip()
        assert not made, f"{kind} is listed as unchecked but promises {made}"
    else:
        assert made, f"kind '{kind}' promises nothing checkable: make it promise, or add it to UNCHECKED_KINDS"


def test_unchecked_table_names_only_real_kinds() -> None:
    assert set(UNCHECKED_KINDS) <= set(COLUMN_KINDS)
