"""llmsynth: synthetic tabular data from statistical scaffolds and a local language model.

The public API is small: ``load_spec``, ``generate``, ``merge`` (shards), ``evaluate``, the spec classes, and the
Hugging Face export (``to_hf_dataset``, ``write_hf_dataset``; needs the ``hf`` extra).
Importing this package never imports torch, transformers or outlines.
"""

from llmsynth.api import evaluate, fit, generate, generate_run, load_spec, merge
from llmsynth.errors import LLMSynthError, SpecError
from llmsynth.export.hf import to_hf_dataset, write_hf_dataset
from llmsynth.spec import DatasetSpec, LLMField, LLMGroup, ModelConfig, spec_from_dict

__version__ = "0.1.0"

__all__ = [
    "DatasetSpec",
    "LLMField",
    "LLMGroup",
    "LLMSynthError",
    "ModelConfig",
    "SpecError",
    "__version__",
    "evaluate",
    "fit",
    "generate",
    "generate_run",
    "load_spec",
    "merge",
    "spec_from_dict",
    "to_hf_dataset",
    "write_hf_dataset",
]
