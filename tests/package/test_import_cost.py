"""`import llmsynth` and `llmsynth [COMMAND] --help` load no heavy library: the public names are imported
on first use and CLI commands import the API only when they run (timing: benchmarks/bench_import.py)."""

from __future__ import annotations

import subprocess
import sys

import pytest

# what a bare import or a help page must not pay for: seconds of imports on a loaded 2-core machine
HEAVY = ("pandas", "numpy", "torch", "transformers", "scipy", "jinja2", "pydantic", "yaml", "matplotlib", "rich")
COMMANDS = ("generate", "preview", "validate", "models", "schema", "eval", "fit", "parse", "plot")

LOADED = "print('loaded:' + ','.join(sorted(m for m in {heavy!r} if m in sys.modules)))"


def _loaded(code: str, *, allowed: tuple[str, ...] = ()) -> list[str]:
    script = f"import sys\n{code}\n{LOADED.format(heavy=HEAVY)}"
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    last = result.stdout.strip().splitlines()[-1]
    assert last.startswith("loaded:"), result.stdout
    return [name for name in last.removeprefix("loaded:").split(",") if name and name not in allowed]


def test_import_llmsynth_loads_nothing_heavy() -> None:
    assert _loaded("import llmsynth") == []


@pytest.mark.parametrize("argv", [[], *([c] for c in COMMANDS)], ids=["root", *COMMANDS])
def test_help_loads_nothing_heavy(argv: list[str]) -> None:
    code = (
        "from llmsynth.cli.main import main\n"
        f"sys.argv = ['llmsynth', *{argv!r}, '--help']\n"
        "try:\n    main()\nexcept SystemExit as exit:\n    assert exit.code == 0, exit.code"
    )
    # typer 0.29 itself imports pydantic to coerce the values of any command it runs, even one without options
    assert _loaded(code, allowed=("pydantic",) if argv else ()) == []


def test_a_public_name_imports_its_module_on_first_use() -> None:
    code = "import llmsynth\nllmsynth.load_spec\nassert 'load_spec' in vars(llmsynth)"
    assert _loaded(code) == ["jinja2", "pydantic", "yaml"]  # the spec models' own needs


def test_the_api_imports_pandas_only_in_the_functions_that_use_it() -> None:
    # `llmsynth schema`, `models` and `validate --dry-rows 0` never touch a table
    assert _loaded("import llmsynth.api") == ["jinja2", "pydantic", "yaml"]
