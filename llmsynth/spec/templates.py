"""Where an LLM group's prompt text comes from: inline, a file next to the spec, or a bundled template.

It lives in the spec package because the planner must read a template file's variables to order the
columns before anything is rendered. The bundled ``*.j2`` files are this package's own data
(``spec/prompt_templates``), so the spec layer reads no files of a layer above it.
"""

from __future__ import annotations

import difflib
from pathlib import Path

from llmsynth.errors import SpecError
from llmsynth.spec.llm import LLMGroup
from llmsynth.spec.paths import confined
from llmsynth.spec.template_budget import MAX_TEMPLATE_CHARS

BUNDLED_DIR = Path(__file__).resolve().parent / "prompt_templates"


def bundled_names() -> list[str]:
    """Names of the bundled templates (without ``.j2``)."""
    return sorted(p.name.removesuffix(".j2") for p in BUNDLED_DIR.glob("*.j2"))


def bundled_template(name: str) -> str:
    """Text of a bundled template; KeyError when there is none of that name."""
    path = BUNDLED_DIR / f"{name.removesuffix('.j2')}.j2"
    if not path.is_file():
        raise KeyError(name)
    return path.read_text(encoding="utf-8")


def template_source(group: LLMGroup, base_dir: Path) -> tuple[str, str]:
    """(template text, where it came from) for a group's user prompt."""
    if group.prompt is not None:
        return group.prompt, "prompt"
    name = str(group.template)
    path = Path(name).expanduser()
    path = path if path.is_absolute() else base_dir / path
    if path.is_file():
        try:
            confined(name, base_dir, what="template")
        except SpecError as exc:
            raise SpecError(str(exc), column=group.label) from None
        return _read_template(path, group.label), f"template {path}"
    try:
        return bundled_template(name), f"bundled template '{name}'"
    except KeyError:
        pass
    names = bundled_names()
    close = difflib.get_close_matches(name.removesuffix(".j2"), names, n=1)
    hint = f" Did you mean '{close[0]}'?" if close else ""
    raise SpecError(
        f"template '{name}' is neither a file ({path}) nor a bundled template ({', '.join(names)}).{hint}",
        column=group.label,
    )


def _read_template(path: Path, column: str) -> str:
    """A template file's text, reading no more than a template may hold (a huge file is refused unread)."""
    try:
        with path.open("rb") as handle:
            data = handle.read(4 * MAX_TEMPLATE_CHARS + 1)
        if len(data) > 4 * MAX_TEMPLATE_CHARS:
            raise SpecError(f"template file {path} is over {MAX_TEMPLATE_CHARS:,} characters", column=column)
        return data.decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SpecError(f"cannot read template file {path}: {exc}", column=column) from exc
