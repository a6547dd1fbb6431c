"""Load a model and tokenizer from local weights, on the configured device and dtype."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from llmsynth.errors import ModelLoadError, SpecError
from llmsynth.models.gguf_cache import cached_folder
from llmsynth.models.registry import load_registry
from llmsynth.models.sources import locate
from llmsynth.spec.model import ModelConfig


@dataclass
class LoadedModel:
    """A ready model plus where and how it runs. ``runtime`` "native": ``model`` is llmsynth's own forward
    (``backends/native_llama.py``) and ``tokenizer`` a ``LightTokenizer``; ``transformers_objects`` loads
    transformers' model and tokenizer from the same folder when a caller needs them (free generation)."""

    model: Any
    tokenizer: Any
    name: str
    folder: Path
    device: str
    dtype: str
    seconds: float
    runtime: str = "transformers"
    config: ModelConfig | None = None
    _transformers: tuple[Any, Any] | None = None

    def transformers_objects(self) -> tuple[Any, Any]:
        """transformers' model and tokenizer (the loaded ones, or loaded now from the same folder)."""
        if self.runtime == "transformers":
            return self.model, self.tokenizer
        if self._transformers is None:
            config = (self.config or ModelConfig()).model_copy(update={"dtype": self.dtype, "device": self.device})
            self._transformers = _load_transformers(config, self.folder, self.device, self.dtype)
        return self._transformers


def resolve_device(config: ModelConfig) -> str:
    """The device a config asks for ("auto": CUDA when there is one, else CPU); CUDA missing is an error."""
    import torch

    if config.device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if config.device.startswith("cuda") and not torch.cuda.is_available():
        raise SpecError(f"device '{config.device}' asked for, but CUDA is not available", column="model")
    return config.device


def cpu_has_native_bf16() -> bool:
    """Whether this CPU computes bfloat16 in hardware (AVX512-BF16 or AMX); elsewhere bf16 is emulated."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            flags = set(handle.read().split())
    except OSError:
        return False
    return bool(flags & {"avx512_bf16", "amx_bf16"})


def resolve_dtype(config: ModelConfig, device: str) -> str:
    """auto: the registry's recommendation (bfloat16 by default) on GPU; on CPU bfloat16 where the CPU
    has native bf16 (measured 1.4x the rows/s of float32 here, benchmarks/bench_llm.py), else float32."""
    if config.dtype != "auto":
        return config.dtype
    if device == "cpu":
        return "bfloat16" if cpu_has_native_bf16() else "float32"
    entry = load_registry().get(config.name)
    return entry.dtype if entry and entry.dtype else "bfloat16"


def set_openmp_wait_policy() -> str | None:
    """Choose how torch's idle OpenMP threads wait, before torch is first imported (later it is too late).

    The runtime's default (spin briefly, then sleep) keeps a batch's many small operations fast on cores
    of our own: passive waiting was 15-20% slower on 2 idle cores. But spinning threads collapse
    throughput when other processes want the cores (5x slower on 2 busy cores). So wait passively only
    when the machine is already over-busy (a load average above its core count); a value the user set is
    kept. Returns the policy in force (None: the runtime's default)."""
    busy = hasattr(os, "getloadavg") and os.getloadavg()[0] > (os.cpu_count() or 1)
    if busy and "OMP_WAIT_POLICY" not in os.environ:
        os.environ["OMP_WAIT_POLICY"] = "PASSIVE"
    return os.environ.get("OMP_WAIT_POLICY")


def native_blocker(config: ModelConfig, folder: Path) -> str | None:
    """Why llmsynth's own forward cannot run this model (None: it can); see ``ModelConfig.runtime``."""
    from llmsynth.backends.native_llama import read_config, supports

    if config.runtime == "transformers":
        return "the spec asks for transformers"
    if config.device_map:
        return "device_map places the model with accelerate"
    if not (folder / "tokenizer.json").exists():
        return "the folder has no tokenizer.json"
    if not ((folder / "model.safetensors").exists() or (folder / "model.safetensors.index.json").exists()):
        return "the folder has no safetensors weights"
    return supports(read_config(folder))


def load_model(config: ModelConfig) -> LoadedModel:
    """Locate, convert if needed (GGUF), and load; raises ModelLoadError with a way out."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    set_openmp_wait_policy()
    started = time.perf_counter()
    source = locate(config.name)  # fail fast, before importing torch
    folder = cached_folder(source)
    device = resolve_device(config)
    dtype = resolve_dtype(config, device)
    blocker = native_blocker(config, folder)
    if blocker is None:
        model, tokenizer = _load_native(config, folder, device, dtype)
        return LoadedModel(model, tokenizer, config.name, folder, device, dtype, time.perf_counter() - started,
                           runtime="native", config=config)
    if config.runtime == "native":
        raise SpecError(f"runtime 'native' cannot run model '{config.name}': {blocker}; use runtime 'auto'",
                        column="model")
    model, tokenizer = _load_transformers(config, folder, device, dtype)
    return LoadedModel(model, tokenizer, config.name, folder, device, dtype, time.perf_counter() - started,
                       config=config)


def _load_native(config: ModelConfig, folder: Path, device: str, dtype: str) -> tuple[Any, Any]:
    import torch

    from llmsynth.backends.native_llama import load_native, read_config
    from llmsynth.models.light_tokenizer import LightTokenizer

    try:
        tokenizer = LightTokenizer(folder)
        model = load_native(folder, read_config(folder), getattr(torch, dtype), device)
    except (OSError, ValueError, KeyError, RuntimeError) as exc:
        raise ModelLoadError(
            f"could not load model '{config.name}' from {folder}: {exc}. "
            "Check that the folder holds config.json, tokenizer.json and safetensors weights, or set the "
            "model's runtime to 'transformers'."
        ) from exc
    return model, tokenizer


def _load_transformers(config: ModelConfig, folder: Path, device: str, dtype: str) -> tuple[Any, Any]:
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    options: dict[str, Any] = {"dtype": getattr(torch, dtype), "local_files_only": True}
    if device != "cpu":
        options["attn_implementation"] = "sdpa"
    if config.device_map:
        options["device_map"] = config.device_map
    try:
        tokenizer = AutoTokenizer.from_pretrained(folder, local_files_only=True)
        model = AutoModelForCausalLM.from_pretrained(folder, **options)
    except (OSError, ValueError) as exc:
        raise ModelLoadError(
            f"could not load model '{config.name}' from {folder}: {exc}. "
            "Check that the folder holds config.json, tokenizer files and weights."
        ) from exc
    if not config.device_map:
        model = model.to(device)  # type: ignore[arg-type]  # transformers' stub wants a dtype-or-device union
    model.eval()
    tokenizer.padding_side = "left"
    if tokenizer.pad_token_id is None:
        tokenizer.pad_token = tokenizer.eos_token
    return model, tokenizer
