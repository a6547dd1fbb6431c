"""What both LLM benchmarks share: loading a spec by name or path, run settings applied to it, the
prompt texts the engine builds, the peer's pydantic model of a group, and a description of the machine.

Specs stay plain mappings until a run needs them, so a benchmark can derive variants (scaffold only,
with a row id, without declared weights) without touching llmsynth's internals.
"""

from __future__ import annotations

import copy
import datetime as dt
import os
import platform
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

import pandas as pd
import yaml
from _specs import BUILTIN
from pydantic import BaseModel, Field, StringConstraints, create_model

from llmsynth import generate, spec_from_dict
from llmsynth.spec import DatasetSpec, LLMField, LLMGroup, order_columns

ROOT = Path(__file__).resolve().parents[1]
ROW_ID = "bench_row_id"  # added by the faithfulness benchmark so rows of two runs can be paired


@dataclass(frozen=True)
class NamedSpec:
    """A spec mapping with a short name for tables and the file it came from (relative paths in it
    resolve against that file)."""

    name: str
    data: dict[str, Any]
    path: Path | None = None


@dataclass(frozen=True)
class Settings:
    """Everything a run is asked to hold fixed across the paths it compares."""

    model: str = "smollm2-135m"
    dtype: str = "float32"
    device: str = "cpu"
    batch_size: int = 64
    rows: int = 64
    seed: int = 0
    temperature: float | None = None  # None: the spec's own
    top_p: float | None = None


def named_spec(name_or_path: str) -> NamedSpec:
    """A built-in spec (``reference``, ``wide``, ``zero_shot``, ``reviews``, ``customers``) or a YAML file."""
    if name_or_path in BUILTIN:
        return NamedSpec(name_or_path, copy.deepcopy(BUILTIN[name_or_path]))
    path = ROOT / "examples" / "customers.yaml" if name_or_path == "customers" else Path(name_or_path)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return NamedSpec(path.stem, data, path)


def build_spec(named: NamedSpec, settings: Settings, **generation: Any) -> DatasetSpec:
    """The spec with the run's model settings (and any ``generation`` values) applied."""
    data = copy.deepcopy(named.data)
    model = data.setdefault("model", {}) or {}
    model.update(name=settings.model, dtype=settings.dtype, device=settings.device, batch_size=settings.batch_size)
    data["model"] = model
    gen = data.setdefault("generation", {}) or {}
    sampling = {"temperature": settings.temperature, "top_p": settings.top_p, **generation}
    gen.update({k: v for k, v in sampling.items() if v is not None})
    data["generation"] = gen
    return spec_from_dict(data, source=str(named.path or named.name), path=named.path)


def llm_group(spec: DatasetSpec) -> LLMGroup:
    """The spec's one LLM group: the benchmarks compare decoders on one group at a time."""
    groups = spec.llm_groups()
    if len(groups) != 1:
        raise SystemExit(f"benchmark specs need exactly one llm group, this one has {len(groups)}")
    return groups[0]


def with_row_id(named: NamedSpec) -> NamedSpec:
    """The spec with a sequence id column first, so rows of different runs can be paired even when some
    were rejected (the id column draws nothing random, so every other value is unchanged)."""
    data = copy.deepcopy(named.data)
    data["columns"] = [{"name": ROW_ID, "kind": "id"}, *data["columns"]]
    return NamedSpec(named.name, data, named.path)


def scaffold_frame(named: NamedSpec, settings: Settings) -> pd.DataFrame:
    """The rows the LLM group is conditioned on: the spec without its LLM group, generated with the same
    seed (sampler streams are keyed by column, so the values equal those of the full run), restricted
    to the columns that come before the group."""
    spec = build_spec(named, settings)
    group = llm_group(spec)
    data = copy.deepcopy(named.data)
    data["columns"] = [c for c in data["columns"] if c.get("kind") != "llm"]
    order = order_columns(spec)
    before = [name for column in order[: order.index(group)] for name in column.output_names()]
    frame = generate(spec_from_dict(data, path=named.path), rows=settings.rows, seed=settings.seed)
    return frame[before]


def engine_prompt_texts(spec: DatasetSpec, frame: pd.DataFrame, tokenizer: Any) -> list[str]:
    """The chat texts llmsynth's engine feeds the model for these rows, built by the engine's own code.

    Today ``LLMFiller.fill`` renders ``plan(group).builder.messages(row, index in chunk)`` and formats it
    with the tokenizer's chat template; if the engine stops exposing its plan's builder, the prompts
    come from ``PromptBuilder`` directly. Change this one function if the engine lays prompts out anew.
    """
    group = llm_group(spec)
    try:
        from llmsynth.engine.llm_step import LLMFiller

        builder = LLMFiller(spec).plan(group).builder
    except (ImportError, AttributeError, TypeError):
        from llmsynth.prompts.builder import PromptBuilder

        builder = PromptBuilder(group, spec, pydantic_row_model(group))
    from llmsynth.engine.runner import chunk_rows

    chunk = chunk_rows(spec)  # generation.chunk_size, or the engine's default when the spec leaves it out
    records = frame.to_dict("records")
    chats = [builder.messages(record, i % chunk) for i, record in enumerate(records)]
    if not getattr(tokenizer, "chat_template", None):
        from llmsynth.backends.base import plain_chat

        return [plain_chat(chat) for chat in chats]
    return [tokenizer.apply_chat_template(chat, tokenize=False, add_generation_prompt=True) for chat in chats]


def batches(items: list[Any], chunk_size: int, batch_size: int) -> list[list[Any]]:
    """Items cut the way the engine batches rows: fixed chunks first, then batches within a chunk."""
    out = []
    for start in range(0, len(items), chunk_size):
        chunk = items[start : start + chunk_size]
        out.extend(chunk[i : i + batch_size] for i in range(0, len(chunk), batch_size))
    return out


def _annotation(field: LLMField) -> Any:
    """The type a pydantic user would write for one LLM field."""
    kind: Any
    if field.type == "string":
        limit = field.max_length if field.max_length is not None else 40
        kind = Annotated[str, StringConstraints(min_length=field.min_length, max_length=limit, pattern=field.pattern)]
    elif field.type == "choice":
        kind = Literal[tuple(field.choices or ())]  # a mapping of weights iterates over its options
    elif field.type == "integer":
        low, high = (None if v is None else int(v) for v in (field.min, field.max))
        kind = Annotated[int, Field(ge=low, le=high)]
    elif field.type == "number":
        kind = Annotated[float, Field(ge=field.min, le=field.max)]
    elif field.type == "boolean":
        kind = bool
    else:
        kind = dt.date
    return kind | None if field.nullable else kind


def pydantic_row_model(group: LLMGroup) -> type[BaseModel]:
    """The pydantic model equivalent to a group's fields, written as a plain Outlines user would."""
    fields: dict[str, Any] = {}
    for index, (name, field) in enumerate(group.fields.items()):
        key = name if name.isidentifier() and not name.startswith("_") else f"field_{index}"
        fields[key] = (_annotation(field), Field(alias=name))
    return create_model("Row", **fields)


def machine() -> str:
    """CPU model, cores and memory, for the line printed above every result table."""
    cpu = platform.processor() or platform.machine()
    memory = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f", {int(line.split()[1]) / 2**20:.0f} GiB"
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores{memory}, Python {platform.python_version()}"
