"""What can be known without generating: a spec checked and its plan (``validate``), the spec's JSON
Schema (``schema``) and the models this machine can load (``list_models``: ``llmsynth.models`` is the
model registry's package)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from llmsynth.api.boundary import public
from llmsynth.api.generation import as_spec
from llmsynth.errors import ModelLoadError, SpecError
from llmsynth.spec import DatasetSpec, LLMGroup

if TYPE_CHECKING:
    from llmsynth.engine.dry_run import DryRun
    from llmsynth.models.registry import ModelInfo


@dataclass(frozen=True)
class PlanStep:
    """One step of the generation plan: the column entry's kind, the columns it makes and what it reads."""

    kind: str
    columns: tuple[str, ...]
    reads: tuple[str, ...]


@dataclass
class Validation:
    """A spec that passed every check made without the model, with what those checks found."""

    spec: DatasetSpec
    plan: list[PlanStep]
    dry_run: DryRun | None = None
    model_location: Path | None = None
    warnings: list[str] = field(default_factory=list)


@public
def validate(spec: DatasetSpec | str | Path, dry_rows: int = 3) -> Validation:
    """Check ``spec`` without the model: schema, number ranges, file references, templates (sandbox and
    limits), dependencies; draw ``dry_rows`` scaffold rows and render every prompt for them (0: skip);
    locate the model's weights. Any problem raises a SpecError (or ModelLoadError) naming the spec file."""
    from llmsynth.spec import order_columns
    from llmsynth.spec.advice import spec_warnings
    from llmsynth.spec.plan import column_reads

    loaded = as_spec(spec)
    source = str(spec) if not isinstance(spec, DatasetSpec) else str(loaded.source or f"spec '{loaded.name}'")
    plan = []
    for column in order_columns(loaded):
        kind = str(getattr(column, "kind", "?"))
        if isinstance(column, LLMGroup):
            kind += f" ({column.decoding})"
        plan.append(PlanStep(kind, tuple(column.output_names()), tuple(sorted(column_reads(column, loaded)))))
    done = None
    if dry_rows:
        from llmsynth.engine.dry_run import dry_run

        try:
            done = dry_run(loaded, rows=dry_rows)
        except SpecError as exc:
            raise SpecError(str(exc), source=source) from exc
    location = None
    if loaded.llm_groups() and loaded.model.backend == "transformers":
        from llmsynth.models.sources import locate

        try:
            weights = locate(loaded.model.name)
        except ModelLoadError as exc:
            raise ModelLoadError(f"{source}: model: {exc}") from exc
        location = weights.location / weights.gguf_file if weights.gguf_file else weights.location
    return Validation(loaded, plan, done, location, spec_warnings(loaded))


@public
def allow_paths(folders: list[str | Path]) -> None:
    """Let spec files point into these folders too, besides their own, for the rest of this process
    (the CLI's ``--allow-path``): file references are confined so a shared spec cannot read ~/.ssh."""
    from llmsynth.spec.paths import allow_paths as _allow_paths

    _allow_paths(folders)


@public
def schema(output: str | Path | None = None) -> dict[str, Any]:
    """The JSON Schema of a spec, for editor completion and checking (yaml-language-server); written to
    ``output`` as indented JSON when given."""
    document: dict[str, Any] = DatasetSpec.model_json_schema()
    if output is not None:
        Path(output).write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    return document


@public
def list_models() -> list[ModelInfo]:
    """The registered model aliases, where each loads from, and whether its weights are on this machine
    (add your own in ~/.config/llmsynth/models.yaml or $LLMSYNTH_MODELS)."""
    from llmsynth.models.registry import list_models as _list_models

    return _list_models()
