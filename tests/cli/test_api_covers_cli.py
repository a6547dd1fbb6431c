"""The CLI is a front end of the API: every command has an API function taking the same option names,
and the CLI imports nothing of llmsynth but the API, the errors and itself."""

from __future__ import annotations

import ast
import inspect
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import llmsynth
from llmsynth import api
from llmsynth.backends.fake import FakeBackend
from llmsynth.cli.main import app
from llmsynth.spec import spec_from_dict

CLI = Path(__file__).resolve().parents[2] / "llmsynth" / "cli"

# command -> the API functions that do its work: ``eval`` is a builtin, and ``llmsynth.models`` is the
# model registry's package, so the function cannot have that name at the top level
API_FOR = {"eval": ["evaluate"], "generate": ["generate", "generate_run"], "models": ["list_models"]}

# options that only shape what a terminal shows, with what a script uses instead
CLI_ONLY = {
    ("generate", "quiet"): "no progress bar or summary: a script passes progress= or nothing",
    ("generate", "explain"): "prints run.stats.record()['decoding'], which a script reads directly",
    ("merge", "quiet"): "no summary line: a script reads the RunStats merge returns",
    ("eval", "check"): "turns missed thresholds into exit code 1; a script reads report.failed_thresholds()",
}
# options of the root command, given before any command
ROOT_ONLY = {
    "debug": "shows Python tracebacks on errors; in Python they are always there",
    "version": "prints llmsynth.__version__",
    "allow_path": "calls llmsynth.api.allow_paths(...)",
}


def _commands() -> dict[str, Callable[..., Any]]:
    return {(c.name or c.callback.__name__): c.callback for c in app.registered_commands}  # type: ignore[union-attr]


def _parameters(function: Callable[..., Any]) -> list[str]:
    return [name for name, p in inspect.signature(function).parameters.items() if p.kind is not p.VAR_KEYWORD]


def test_the_cli_has_the_commands_the_api_mirrors() -> None:
    assert set(_commands()) >= {"validate", "preview", "generate", "parse", "eval", "plot", "models", "schema", "fit"}


@pytest.mark.parametrize("command", sorted(_commands()))
def test_every_cli_option_is_an_api_argument_of_the_same_name(command: str) -> None:
    cli_options = [name for name in _parameters(_commands()[command]) if (command, name) not in CLI_ONLY]
    for function_name in API_FOR.get(command, [command]):
        function = getattr(api, function_name)
        assert function_name in llmsynth.__all__
        missing = [name for name in cli_options if name not in _parameters(function)]
        assert missing == [], f"llmsynth.{function_name} lacks the CLI's {command} options {missing}"
        positional = [n for n, p in inspect.signature(function).parameters.items()
                      if p.default is p.empty and p.kind is not p.VAR_KEYWORD]
        assert positional == cli_options[: len(positional)], f"{function_name}: positional arguments differ"


def test_the_cli_only_lists_name_real_options() -> None:
    commands = _commands()
    for command, option in CLI_ONLY:
        assert option in _parameters(commands[command])
    root = app.registered_callback.callback  # type: ignore[union-attr]
    assert set(_parameters(root)) == set(ROOT_ONLY)


def test_the_cli_imports_only_the_api_and_the_errors() -> None:
    allowed = {"llmsynth", "llmsynth.api", "llmsynth.errors"}
    bad = []
    for path in sorted(CLI.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            module = node.module if isinstance(node, ast.ImportFrom) else None
            internal = module is not None and module.startswith("llmsynth") and not module.startswith("llmsynth.cli")
            if internal and module not in allowed:
                bad.append(f"{path.name}: {module}")
    assert bad == []


SPEC = {
    "name": "people",
    "rows": 6,
    "seed": 3,
    "columns": [
        {"kind": "integer", "name": "age", "low": 18, "high": 70},
        {"kind": "llm", "name": "person", "prompt": "A person aged {{ age }}.",
         "fields": {"job": {"type": "string", "max_length": 20},
                    "segment": {"type": "choice", "choices": ["budget", "premium"]}}},
    ],
}


def test_a_backend_named_as_on_the_command_line_works_from_python() -> None:
    named = llmsynth.generate(spec_from_dict(SPEC), backend="fake")
    given = llmsynth.generate(spec_from_dict(SPEC), backend=FakeBackend())

    assert list(named.columns) == ["age", "job", "segment"]
    assert len(named) == 6
    assert set(named["segment"]) <= {"budget", "premium"}
    assert named.equals(given)  # the name builds the same backend the object is


def test_model_settings_take_the_cli_names() -> None:
    resolved = api.resolve_spec(spec_from_dict(SPEC), model="my-model", backend="fake", device="cpu",
                                dtype="float32", batch_size=4, temperature=0.5, seed=9)

    assert (resolved.model.name, resolved.model.backend, resolved.model.device) == ("my-model", "fake", "cpu")
    assert (resolved.model.dtype, resolved.model.batch_size, resolved.seed) == ("float32", 4, 9)
    assert resolved.generation.temperature == 0.5
    as_mapping = api.resolve_spec(spec_from_dict(SPEC), model={"name": "my-model", "generation.temperature": 0.5})
    assert (as_mapping.model.name, as_mapping.generation.temperature) == ("my-model", 0.5)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"output_format": "hf"}, "apply to a run that writes its output"),
        ({"output": "out.xlsx"}, "unsupported file type '.xlsx'"),
        ({"output": "folder", "output_format": "zip"}, "unknown output format 'zip'; known: hf"),
        ({"output": "folder", "output_format": "hf", "resume": True}, "written in one go; no resume or force"),
    ],
    ids=["format-without-output", "bad-suffix", "unknown-format", "hf-resume"],
)
def test_contradicting_output_options_fail_before_any_work(options: dict[str, Any], message: str) -> None:
    from llmsynth.errors import LLMSynthError

    with pytest.raises(LLMSynthError, match=message) as caught:
        llmsynth.generate_run(spec_from_dict(SPEC), backend="fake", **options)
    assert caught.value.exit_code == 2
    assert not Path("folder").exists()
