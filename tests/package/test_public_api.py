"""``llmsynth.__all__`` is the public API: every name exists, says what it is for, and every function of
``llmsynth.api`` (one per CLI command, and their helpers) is in it."""

from __future__ import annotations

import ast
import inspect
import tomllib
import types
from pathlib import Path

import pytest

import llmsynth
from llmsynth import api


@pytest.mark.parametrize("name", llmsynth.__all__)
def test_every_public_name_exists_and_is_documented(name: str) -> None:
    value = getattr(llmsynth, name)
    assert not isinstance(value, types.ModuleType), f"llmsynth.{name} is a module, shadowing the API name"
    if name == "__version__":
        pyproject = Path(llmsynth.__file__).parents[1] / "pyproject.toml"
        assert value == tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["version"]
    else:
        assert inspect.getdoc(value), f"llmsynth.{name} has no docstring"


def test_the_public_api_is_in_all() -> None:
    assert set(api.__all__) <= set(llmsynth.__all__)
    assert {"validate", "preview", "generate", "parse", "evaluate", "plot", "list_models", "schema", "fit",
            "load_spec", "LLMSynthError", "SpecError", "DatasetSpec"} <= set(llmsynth.__all__)
    assert llmsynth.__all__ == sorted(set(llmsynth.__all__))  # sorted, no duplicates
    assert set(llmsynth.__all__) <= set(dir(llmsynth))  # tab completion shows the lazy names


def test_the_lazy_names_are_declared_for_type_checkers() -> None:
    source = Path(llmsynth.__file__).read_text(encoding="utf-8")
    typed = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            typed |= {alias.name for child in node.body if isinstance(child, ast.ImportFrom) for alias in child.names}
    assert typed == set(llmsynth._LAZY)
    assert set(llmsynth._LAZY) <= set(llmsynth.__all__)


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="has no attribute 'generat'"):
        llmsynth.generat  # noqa: B018
