"""The sandbox: templates from spec files cannot reach Python internals, and unknown names fail loudly."""

from __future__ import annotations

import pytest

from llmsynth.errors import SpecError
from llmsynth.prompts.environment import compile_template, render


def run(source: str, **variables: object) -> str:
    return render(compile_template(source, group="bio"), variables, group="bio")


def test_renders_row_values() -> None:
    assert run("{{ name }} is {{ age + 1 }}", name="Ann", age=40) == "Ann is 41"


@pytest.mark.parametrize(
    "source",
    [
        "{{ ''.__class__ }}",
        "{{ cycler.__init__.__globals__.os }}",
        "{{ name.__class__.__mro__[1].__subclasses__() }}",
        "{{ ''.format.__globals__ }}",
    ],
    ids=["class", "cycler-globals", "subclasses", "format-globals"],
)
def test_escapes_fail_with_a_clear_error_naming_the_group(source: str) -> None:
    with pytest.raises(SpecError) as info:
        run(source, name="Ann")
    message = str(info.value)
    assert message.startswith("column 'bio': ")
    assert "sandbox" in message or "undefined" in message


def test_attribute_escape_is_reported_as_the_sandbox() -> None:
    with pytest.raises(SpecError, match=r"blocked by the template sandbox.*__class__"):
        run("{{ ''.__class__ }}")


def test_missing_variable_is_named_with_the_known_ones() -> None:
    with pytest.raises(SpecError, match=r"'countr' is undefined.*known: age, country"):
        run("{{ countr }}", age=3, country="PE")


def test_syntax_error_gives_the_line() -> None:
    with pytest.raises(SpecError, match=r"column 'bio'.*line 2"):
        compile_template("ok\n{{ name ", group="bio")


def test_runtime_error_in_template_is_a_spec_error() -> None:
    with pytest.raises(SpecError, match="ZeroDivisionError"):
        run("{{ 1 / zero }}", zero=0)
