"""Named models: a bundled YAML of aliases, extended by the user's own files, so swapping models is
configuration. ``list_models`` is what ``llmsynth models`` prints.

Later files override earlier ones per alias: bundled registry.yaml, then
``~/.config/llmsynth/models.yaml``, then the file named by ``$LLMSYNTH_MODELS``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from llmsynth.errors import SpecError

_KEYS = frozenset({"hf_id", "gguf_package", "gguf_file", "path", "dtype", "description"})


@dataclass(frozen=True)
class ModelEntry:
    """One alias and where its weights may come from (tried in order: path, GGUF package, HF cache)."""

    alias: str
    hf_id: str | None = None
    gguf_package: str | None = None
    gguf_file: str | None = None
    path: str | None = None
    dtype: str | None = None
    description: str = ""
    origin: str = "bundled"


@dataclass(frozen=True)
class ModelInfo:
    """A registry row as the CLI shows it."""

    alias: str
    source: str
    location: str
    present: bool
    dtype: str | None
    description: str


def user_registry_files() -> list[Path]:
    """User model lists that extend the bundled one: ~/.config/llmsynth/models.yaml and $LLMSYNTH_MODELS."""
    files = [Path("~/.config/llmsynth/models.yaml").expanduser()]
    if os.environ.get("LLMSYNTH_MODELS"):
        files.append(Path(os.environ["LLMSYNTH_MODELS"]).expanduser())
    return files


def _entries(data: Any, origin: str) -> dict[str, ModelEntry]:
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise SpecError("a model registry must map aliases to settings", source=origin)
    out: dict[str, ModelEntry] = {}
    for alias, settings in data.items():
        if not isinstance(settings, dict):
            raise SpecError(f"model '{alias}' must be a mapping of settings", source=origin)
        unknown = set(settings) - _KEYS
        if unknown:
            raise SpecError(
                f"model '{alias}': unknown keys {sorted(unknown)}; allowed: {sorted(_KEYS)}", source=origin
            )
        if not ({"hf_id", "path", "gguf_file"} & set(settings)):
            raise SpecError(f"model '{alias}' needs 'hf_id', 'path' or 'gguf_file'", source=origin)
        values = {k: str(v) for k, v in settings.items()}
        out[str(alias)] = ModelEntry(alias=str(alias), origin=origin, **values)
    return out


def load_registry() -> dict[str, ModelEntry]:
    """Every alias known on this machine."""
    text = resources.files("llmsynth.models").joinpath("registry.yaml").read_text(encoding="utf-8")
    registry = _entries(yaml.safe_load(text), "bundled")
    for path in user_registry_files():
        if path.is_file():
            try:
                data = yaml.safe_load(path.read_text(encoding="utf-8"))
            except yaml.YAMLError as exc:
                raise SpecError(f"not valid YAML: {exc}", source=str(path)) from exc
            registry.update(_entries(data, str(path)))
    return registry


def list_models() -> list[ModelInfo]:
    """Registered aliases, where each loads from and whether its weights are on this machine."""
    from llmsynth.models.sources import find_weights

    rows = []
    for entry in load_registry().values():
        found = find_weights(entry)
        if entry.path:
            source = f"folder {entry.path}"
        elif entry.gguf_package:
            source = f"package {entry.gguf_package} (GGUF), or HF cache {entry.hf_id}"
        else:
            source = f"HF cache {entry.hf_id}"
        location = str(found.location) if found else "not found"
        present = found is not None
        rows.append(ModelInfo(entry.alias, source, location, present, entry.dtype, entry.description))
    return rows
