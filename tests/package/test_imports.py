"""`import llmsynth` and the CLI stay light: no torch, transformers or outlines until a model is used."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

HEAVY = ("torch", "transformers", "outlines", "xgrammar", "matplotlib", "sklearn", "statsmodels")
PACKAGE = Path(__file__).resolve().parents[2] / "llmsynth"


@pytest.mark.parametrize("module", ["llmsynth", "llmsynth.cli.main", "llmsynth.spec"])
def test_import_loads_no_heavy_library(module: str) -> None:
    code = f"import sys, {module}; print(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert loaded.strip() == ""


# package -> llmsynth packages it must not import at module level or inside functions
FORBIDDEN = {
    "spec": {"scaffold", "prompts", "models", "backends", "engine", "parsers", "evals", "io", "cli", "plots", "api"},
    "scaffold": {"engine", "backends", "models", "prompts", "evals", "cli", "api"},
    "parsers": {"engine", "backends", "models", "scaffold", "evals", "cli", "api"},
    "evals": {"engine", "backends", "models", "cli", "api"},
    "io": {"spec", "scaffold", "engine", "backends", "models", "parsers", "evals", "cli", "api"},
}


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_import_direction(package: str) -> None:
    bad = []
    for path in (PACKAGE / package).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("llmsynth."):
                target = node.module.split(".")[1]
                if target in FORBIDDEN[package]:
                    bad.append(f"{path.relative_to(PACKAGE)} imports llmsynth.{target}")
    assert bad == []


def test_no_package_reaches_into_another_by_file_path() -> None:
    # a module that finds files by walking up from its own location depends on the folder above it, which
    # the import rules above cannot see (bundled templates are the spec package's own data for this reason)
    bad = [str(path.relative_to(PACKAGE)) for path in PACKAGE.rglob("*.py")
           if ".parents[1]" in path.read_text(encoding="utf-8") or ".parent.parent" in path.read_text(encoding="utf-8")]
    assert bad == []
