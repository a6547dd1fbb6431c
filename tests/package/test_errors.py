"""One exception root: everything llmsynth raises to a user derives from ``LLMSynthError``, the CLI maps
only those to their exit codes (2 for bad input), and a builtin exception is raised only where a caller
inside llmsynth turns it into a root error, or where it marks a bug (listed below with the reason)."""

from __future__ import annotations

import ast
import builtins
import inspect
from pathlib import Path

import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

import llmsynth
from llmsynth import api, errors
from llmsynth.cli.errors import handle_errors
from llmsynth.errors import LLMSynthError, ParseError, PathError, SchemaValidationError
from llmsynth.parsers import parse_row
from llmsynth.spec.schema import ColumnSchema

PACKAGE = Path(llmsynth.__file__).parent


def _subclasses(cls: type[BaseException]) -> list[type[BaseException]]:
    found = []
    for sub in cls.__subclasses__():
        found += [sub, *_subclasses(sub)]
    return found


ERRORS = [c for c in vars(errors).values() if isinstance(c, type) and issubclass(c, BaseException)]


@pytest.mark.parametrize("cls", ERRORS, ids=lambda c: c.__name__)
def test_every_error_derives_from_the_root_and_is_in_the_tree(cls: type[BaseException]) -> None:
    assert issubclass(cls, LLMSynthError)
    assert f" {cls.__name__} " in errors.__doc__  # type: ignore[operator]
    assert cls.__doc__


def _exit_code(exc: BaseException) -> tuple[int, str]:
    @handle_errors
    def command() -> None:
        raise exc

    app = typer.Typer()
    app.command()(command)
    result = CliRunner().invoke(app, [])
    return result.exit_code, result.output


@pytest.mark.parametrize("cls", [LLMSynthError, *_subclasses(LLMSynthError)], ids=lambda c: c.__name__)
def test_the_cli_maps_each_root_error_to_its_exit_code_in_one_line(cls: type[LLMSynthError]) -> None:
    code, output = _exit_code(cls("the problem"))
    assert code == cls.exit_code
    assert output.strip() == "error: the problem"


@pytest.mark.parametrize("exc", [OSError(2, "No such file or directory", "x.csv"), FileNotFoundError("x"),
                                 ValueError("v"), KeyError("k"), TypeError("t"), RuntimeError("r")],
                         ids=lambda e: type(e).__name__)
def test_exit_code_2_comes_only_from_root_errors(exc: Exception) -> None:
    code, output = _exit_code(exc)
    assert code == 1  # anything else reaching a command is a bug, said in one line
    assert output.startswith(f"error: unexpected {type(exc).__name__}: ")
    assert "a bug in llmsynth" in output
    assert "Traceback" not in output


@pytest.mark.parametrize("name", [n for n in api.__all__ if inspect.isfunction(getattr(api, n))])
def test_every_api_function_wraps_os_errors(name: str) -> None:
    function = getattr(api, name)
    assert function.__code__ is not inspect.unwrap(function).__code__, f"{name} is not marked @public"


def test_an_os_error_on_a_users_path_leaves_the_api_as_a_root_error(tmp_path: Path) -> None:
    with pytest.raises(PathError, match=f"^{tmp_path}: Is a directory$") as caught:
        llmsynth.schema(output=tmp_path)
    assert isinstance(caught.value, OSError)  # code written against `except OSError` still works
    assert caught.value.filename == str(tmp_path)
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    with pytest.raises(PathError, match="a-file"):
        llmsynth.fit(pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0]}), output=blocker / "spec.yaml")


def test_a_row_that_breaks_the_schema_is_a_schema_validation_error() -> None:
    schemas = [ColumnSchema(name="score", type="integer", minimum=0, maximum=100),
               ColumnSchema(name="segment", type="choice", choices=["a", "b"])]
    with pytest.raises(SchemaValidationError) as caught:
        parse_row('{"score": 200, "segment": "c"}', schemas)
    error = caught.value
    assert isinstance(error, ParseError)  # `except ParseError` (unreadable or invalid) still catches it
    assert error.reasons == ["score: above maximum 100", "segment: not one of the choices"]
    assert error.raw == '{"score": 200, "segment": "c"}'
    assert error.parser == "json"
    with pytest.raises(ParseError) as unreadable:
        parse_row("no json here", schemas)
    assert not isinstance(unreadable.value, SchemaValidationError)


# (package, builtin exception) -> why it never reaches a user as itself
INTERNAL_RAISES = {
    ("__init__", "AttributeError"): "PEP 562 __getattr__: Python's own protocol for a missing attribute",
    ("backends", "RuntimeError"): "a transformers cache method llmsynth never calls: reaching it is a bug",
    ("engine", "KeyboardInterrupt"): "a second Ctrl-C stops at once, as Python does",
    ("evals", "ValueError"): "a promise or metric that cannot be computed: evaluate() records it as skipped",
    ("laws", "ValueError"): "zipf parameters out of its domain, as scipy's: the spec's probe reports them as a "
                            "SpecError naming the field, evals skip the promise",
    ("io", "NotImplementedError"): "an abstract table-format method: a bug in a format class",
    ("io", "OSError"): "a short part file: the run folder turns it into an OutputError naming the run",
    ("io", "ValueError"): "an unreadable manifest: the run folder turns it into an OutputError",
    ("parsers", "ValueError"): "a malformed CSV line: the table parser makes it a reject with its reason",
    ("scaffold", "KeyError"): "an unknown sampler kind: the spec's kind union refuses it first",
    ("scaffold", "NotImplementedError"): "an abstract sampler method: a bug in a sampler class",
    ("scaffold", "TypeError"): "a kind without an inverse CDF asked for one: a bug",
    ("scaffold", "ValueError"): "bounds with no probability: the scaffold step makes it a SpecError naming the column",
    ("spec", "KeyError"): "no bundled template of that name: template_source makes it a SpecError",
    ("spec", "TypeError"): "an abstract spec method: a bug in a spec class",
    ("spec", "ValueError"): "pydantic validators: pydantic makes it a ValidationError, load_spec a SpecError",
}


def test_builtin_exceptions_are_raised_only_where_they_cannot_reach_a_user() -> None:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            exc = node.exc if isinstance(node, ast.Raise) else None
            name = (exc.func if isinstance(exc, ast.Call) else exc) if exc is not None else None
            builtin = getattr(builtins, name.id, None) if isinstance(name, ast.Name) else None
            if isinstance(builtin, type) and issubclass(builtin, BaseException):
                where = path.relative_to(PACKAGE).parts[0].removesuffix(".py")
                found.setdefault((where, builtin.__name__), f"{path.relative_to(PACKAGE)}:{node.lineno}")
    unexplained = {key: line for key, line in found.items() if key not in INTERNAL_RAISES}
    assert unexplained == {}, "raise an LLMSynthError subclass, or explain here why a user never sees it"
