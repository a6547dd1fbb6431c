"""Convert GGUF weights once into a cached safetensors folder: de-quantising a GGUF file takes ~20 s,
loading the cached copy well under a second.

The cache is keyed by the file's content (its SHA-256), not by where it lies, so the same weights
reached through another path (a copied or moved venv, a symlink, a bind mount) find the converted
copy. Hashing is done once per (path, size, mtime) and remembered in ``fingerprints.json``.

``save_pretrained`` refuses a model loaded from GGUF ("quantized with gguf and is not serializable")
although its weights are already de-quantised, so the model is rebuilt from its config without the
quantization entry, given the state dict, and that copy is saved.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path

from llmsynth.cache import cache_folder
from llmsynth.errors import ModelLoadError
from llmsynth.models.sources import WeightSource

STAMP = "llmsynth-source.json"
FINGERPRINTS = "fingerprints.json"
KEY_CHARS = 16  # of the hex digest, in the folder name


def cache_root() -> Path:
    """``$LLMSYNTH_CACHE/models``, default ``~/.cache/llmsynth/models``."""
    return cache_folder("models")


def _read_json(path: Path) -> dict[str, object]:
    try:
        loaded = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return loaded if isinstance(loaded, dict) else {}


def _write_json(path: Path, value: dict[str, object]) -> None:
    """Replace atomically: a reader never sees half a file (a lost concurrent update only costs a rehash)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}-", dir=path.parent)
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        json.dump(value, out, indent=1)
    os.replace(temporary, path)


def content_hash(path: Path) -> str:
    """SHA-256 of a weights file, remembered per (real path, size, mtime) so later loads read no bytes."""
    stat = path.stat()
    key = f"{path.resolve()}|{stat.st_size}|{stat.st_mtime_ns}"
    memo_path = cache_root() / FINGERPRINTS
    memo = _read_json(memo_path)
    if isinstance(memo.get(key), str):
        return str(memo[key])
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    memo[key] = digest.hexdigest()
    with contextlib.suppress(OSError):  # a read-only cache still works: the hash is recomputed next time
        _write_json(memo_path, memo)
    return digest.hexdigest()


def cached_folder(source: WeightSource) -> Path:
    """The converted folder for a GGUF source, converting on first use (or when the content changed)."""
    if source.kind != "gguf":
        return source.location
    gguf = source.location / str(source.gguf_file)
    try:
        sha256 = content_hash(gguf)
        size = gguf.stat().st_size
    except OSError as exc:
        raise ModelLoadError(f"cannot read GGUF weights {gguf}: {exc}") from exc
    target = cache_root() / f"gguf-{sha256[:KEY_CHARS]}"
    stamp_file = target / STAMP
    stamp = _read_json(stamp_file)
    if stamp.get("sha256") == sha256 and stamp.get("size") == size:
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        _convert(source, work)
        # where it came from is kept for people reading the cache; only the content decides a hit
        record = {"sha256": sha256, "size": size, "gguf_file": source.gguf_file, "converted_from": str(gguf)}
        (work / STAMP).write_text(json.dumps(record), encoding="utf-8")
        if target.exists():
            shutil.rmtree(target, ignore_errors=True)
        os.replace(work, target)
    except OSError as exc:
        raise ModelLoadError(
            f"could not write the converted model to {target}: {exc}. "
            "Set $LLMSYNTH_CACHE to a writable folder."
        ) from exc
    finally:
        if work.exists():
            shutil.rmtree(work, ignore_errors=True)
    return target


def _convert(source: WeightSource, out: Path) -> None:
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    try:
        tokenizer = AutoTokenizer.from_pretrained(source.location, gguf_file=source.gguf_file)
        loaded = AutoModelForCausalLM.from_pretrained(
            source.location, gguf_file=source.gguf_file, dtype=torch.float32
        )
    except (OSError, ValueError, RuntimeError, KeyError) as exc:
        raise ModelLoadError(
            f"could not read GGUF weights {source.location / str(source.gguf_file)}: {exc}. "
            "Is the file complete and its architecture supported by transformers?"
        ) from exc
    settings = loaded.config.to_dict()
    settings.pop("quantization_config", None)
    config = type(loaded.config).from_dict(settings)
    model = AutoModelForCausalLM.from_config(config, dtype=torch.float32)
    model.load_state_dict(loaded.state_dict(), strict=True)
    model.generation_config = loaded.generation_config
    model.save_pretrained(out, safe_serialization=True)
    tokenizer.save_pretrained(out)
