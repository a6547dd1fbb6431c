"""Which model fills the LLM columns and how it decodes; every field can be overridden from the CLI."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from llmsynth.spec.base import StrictModel

DEFAULT_MODEL = "smollm2-135m"


class ModelConfig(StrictModel):
    """The model is configuration: swap it here, never in code."""

    name: str = Field(
        default=DEFAULT_MODEL,
        description="Registered alias (see `llmsynth models`), a Hugging Face id in the local cache, or a folder.",
    )
    backend: str = Field(default="transformers", description="Backend that runs the model.")
    grammar: Literal["xgrammar", "llguidance", "outlines_core"] = Field(
        default="xgrammar", description="Grammar engine for constrained decoding (xgrammar enforces bounds)."
    )
    dtype: Literal["auto", "float32", "bfloat16", "float16"] = Field(
        default="auto", description="auto: bfloat16 on GPU and on CPUs with native bf16, else float32."
    )
    device: str = Field(default="auto", description="auto | cpu | cuda | cuda:N.")
    device_map: str | None = Field(default=None, description="accelerate device_map (e.g. 'auto') for big models.")
    batch_size: int | Literal["auto"] = Field(default="auto", description="Rows decoded together.")
    runtime: Literal["auto", "native", "transformers"] = Field(
        default="auto",
        description="Whose code runs the model. auto: llmsynth's own forward pass for Llama-family models (no"
        " transformers model code to import, a few seconds less at start), transformers for every other"
        " architecture and with device_map; native: llmsynth's, an error where it does not apply.",
    )


class GenerationConfig(StrictModel):
    """Sampling and retry settings for the LLM columns."""

    temperature: float = Field(default=0.9, ge=0.0, le=5.0)
    top_p: float = Field(default=0.95, gt=0.0, le=1.0)
    max_new_tokens: int | None = Field(default=None, ge=1, description="Default: derived from the row schema.")
    retries: int = Field(default=3, ge=0, description="Extra attempts for a row that fails validation.")
    chunk_size: int | None = Field(
        default=None,
        ge=1,
        description="Rows per chunk (a unit of work and of writing). Default: 256 with LLM columns, 262,144 for"
        " scaffold-only specs. Sampler values do not depend on it.",
    )
    unique_text: bool = Field(default=False, description="Regenerate rows whose LLM text repeats an earlier row.")
