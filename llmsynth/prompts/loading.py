"""Where a group's template text comes from: inline in the spec, a file next to the spec, or bundled."""

from __future__ import annotations

import difflib
from importlib import resources

from llmsynth.errors import SpecError
from llmsynth.spec import DatasetSpec, LLMGroup


def bundled_names() -> list[str]:
    """Names of the templates shipped in ``llmsynth/prompts/templates`` (without ``.j2``)."""
    folder = resources.files("llmsynth.prompts").joinpath("templates")
    return sorted(p.name.removesuffix(".j2") for p in folder.iterdir() if p.name.endswith(".j2"))


def bundled_template(name: str) -> str:
    stem = name.removesuffix(".j2")
    if stem not in bundled_names():
        raise KeyError(stem)
    return resources.files("llmsynth.prompts").joinpath("templates", f"{stem}.j2").read_text(encoding="utf-8")


def group_template(group: LLMGroup, dataset: DatasetSpec) -> tuple[str, str]:
    """(template text, where it came from) for a group's user prompt."""
    if group.prompt is not None:
        return group.prompt, "prompt"
    name = str(group.template)
    path = dataset.resolve_path(name)
    if path.is_file():
        try:
            return path.read_text(encoding="utf-8"), f"template {path}"
        except (OSError, UnicodeDecodeError) as exc:
            raise SpecError(f"cannot read template file {path}: {exc}", column=group.label) from exc
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
