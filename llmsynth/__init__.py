"""llmsynth: synthetic tabular data from statistical scaffolds and a local language model.

The public API mirrors the CLI, one function per command with the same option names: ``validate``,
``preview``, ``generate`` (``generate_run`` for the counters and rejects), ``parse``, ``evaluate``, ``plot``,
``list_models`` (``models``), ``schema``, ``fit``, ``merge`` (shards); plus ``load_spec``, the spec
classes, the error root, and the Hugging Face export (``to_hf_dataset``, ``write_hf_dataset``; needs the ``hf`` extra).

Importing this package costs nothing: each name is imported on first use (PEP 562 ``__getattr__``), so
``import llmsynth`` and ``llmsynth --help`` load neither pandas nor the spec models, let alone torch.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from llmsynth.errors import LLMSynthError, SpecError

if TYPE_CHECKING:  # what the lazy names are, for type checkers and editors
    from llmsynth.api import (
        GenerationRun,
        Parsed,
        PlanStep,
        Plotted,
        Validation,
        allow_paths,
        evaluate,
        fit,
        generate,
        generate_run,
        list_models,
        load_spec,
        merge,
        parse,
        plot,
        preview,
        resolve_spec,
        schema,
        validate,
    )
    from llmsynth.export.hf import to_hf_dataset, write_hf_dataset
    from llmsynth.spec import DatasetSpec, LLMField, LLMGroup, ModelConfig, spec_from_dict

__version__ = "0.1.0"

# public name -> the module that defines it; imported when first read
_LAZY = {
    **dict.fromkeys(
        ["GenerationRun", "Parsed", "PlanStep", "Plotted", "Validation", "allow_paths", "evaluate", "fit", "generate",
         "generate_run", "list_models", "load_spec", "merge", "parse", "plot", "preview", "resolve_spec", "schema",
         "validate"],
        "llmsynth.api",
    ),
    **dict.fromkeys(["DatasetSpec", "LLMField", "LLMGroup", "ModelConfig", "spec_from_dict"], "llmsynth.spec"),
    **dict.fromkeys(["to_hf_dataset", "write_hf_dataset"], "llmsynth.export.hf"),
}

__all__ = [
    "DatasetSpec",
    "GenerationRun",
    "LLMField",
    "LLMGroup",
    "LLMSynthError",
    "ModelConfig",
    "Parsed",
    "PlanStep",
    "Plotted",
    "SpecError",
    "Validation",
    "__version__",
    "allow_paths",
    "evaluate",
    "fit",
    "generate",
    "generate_run",
    "list_models",
    "load_spec",
    "merge",
    "parse",
    "plot",
    "preview",
    "resolve_spec",
    "schema",
    "spec_from_dict",
    "to_hf_dataset",
    "validate",
    "write_hf_dataset",
]


def __getattr__(name: str) -> Any:
    """Import a public name's module on first use and cache the name here (PEP 562)."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'llmsynth' has no attribute '{name}'")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """The public names too, before they are first imported (tab completion)."""
    return sorted({*globals(), *__all__})
