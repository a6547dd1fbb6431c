"""Convert GGUF weights once into a cached safetensors folder: de-quantising a GGUF file takes ~20 s,
loading the cached copy well under a second.

``save_pretrained`` refuses a model loaded from GGUF ("quantized with gguf and is not serializable")
although its weights are already de-quantised, so the model is rebuilt from its config without the
quantization entry, given the state dict, and that copy is saved.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from pathlib import Path

from llmsynth.errors import ModelLoadError
from llmsynth.models.sources import WeightSource

STAMP = "llmsynth-source.json"


def cache_root() -> Path:
    """``$LLMSYNTH_CACHE/models``, default ``~/.cache/llmsynth/models``."""
    base = os.environ.get("LLMSYNTH_CACHE") or "~/.cache/llmsynth"
    return Path(base).expanduser() / "models"


def _stamp(source: WeightSource) -> dict[str, object]:
    gguf = source.location / str(source.gguf_file)
    stat = gguf.stat()
    return {"gguf": str(gguf), "size": stat.st_size, "mtime": int(stat.st_mtime)}


def cached_folder(source: WeightSource) -> Path:
    """The converted folder for a GGUF source, converting on first use (or when the file changed)."""
    if source.kind != "gguf":
        return source.location
    target = cache_root() / re.sub(r"[^A-Za-z0-9._-]+", "_", source.label)
    stamp = _stamp(source)
    stamp_file = target / STAMP
    if stamp_file.is_file() and json.loads(stamp_file.read_text(encoding="utf-8")) == stamp:
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        _convert(source, work)
        (work / STAMP).write_text(json.dumps(stamp), encoding="utf-8")
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
