"""The dataset spec: the whole of what to generate, as plain validated data (no torch, no numpy)."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Union

from pydantic import Field, PrivateAttr, create_model, model_validator

from llmsynth.registry import KINDS
from llmsynth.spec.base import ColumnBase, StrictModel
from llmsynth.spec.kinds import SAMPLER_SPECS
from llmsynth.spec.kinds.expression import ExpressionColumn
from llmsynth.spec.llm import LLMGroup
from llmsynth.spec.model import GenerationConfig, ModelConfig
from llmsynth.spec.schema import ColumnSchema, RowConstraint

_COLUMN_TYPES: tuple[type[ColumnBase], ...] = (LLMGroup, ExpressionColumn, *SAMPLER_SPECS)
if TYPE_CHECKING:  # the checker sees the common base; pydantic sees the discriminated union
    Column = ColumnBase
else:
    Column = Annotated[Union[_COLUMN_TYPES], Field(discriminator="kind")]  # noqa: UP007

# kind -> the model that declares it (``spec/kinds/<family>.py``; ``llm`` is ``spec/llm.py``)
KIND_MODELS: dict[str, type[ColumnBase]] = {
    k: t for t in _COLUMN_TYPES for k in t.model_fields["kind"].annotation.__args__  # type: ignore[union-attr]
}
COLUMN_KINDS: tuple[str, ...] = tuple(KIND_MODELS)


class DatasetSpec(StrictModel):
    """A dataset: its size, seed, model, and columns (samplers, expressions, LLM groups)."""

    name: str = Field(default="dataset", description="Name used in reports and output files.")
    description: str | None = None
    rows: int = Field(default=100, ge=1, description="Rows to generate unless overridden.")
    seed: int = Field(default=0, ge=0, description="One seed for everything; streams derive per column/chunk.")
    model: ModelConfig = Field(default_factory=ModelConfig)
    generation: GenerationConfig = Field(default_factory=GenerationConfig)
    columns: list[Column] = Field(min_length=1)
    thresholds: dict[str, float] = Field(
        default_factory=dict, description="Minimum scores for `llmsynth eval --check`, e.g. validity: 1.0."
    )
    reference: str | None = Field(default=None, description="Real table to compare against in evals.")
    target: str | None = Field(default=None, description="Column the usefulness eval predicts (TSTR vs TRTR).")
    sensitive: list[str] = Field(default_factory=list, description="Columns the bias eval groups by.")

    _source: Path | None = PrivateAttr(default=None)
    _notes: dict[str, str] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _unique_outputs(self) -> DatasetSpec:
        seen: dict[str, int] = {}
        for index, column in enumerate(self.columns):
            for name in column.output_names():
                if name in seen:
                    raise ValueError(f"column '{name}' is defined twice (columns[{seen[name]}] and columns[{index}])")
                seen[name] = index
        for key, names in (("target", [self.target] if self.target else []), ("sensitive", self.sensitive)):
            unknown = [n for n in names if n not in seen]
            if unknown:
                raise ValueError(f"'{key}' names {unknown}, which are not columns of this spec")
        return self

    @property
    def source(self) -> Path | None:
        """The file this spec was loaded from (None for specs built in Python)."""
        return self._source

    @property
    def notes(self) -> dict[str, str]:
        """Comments ``to_yaml`` writes: path ("columns/2/columns/age", "" for the header) -> text."""
        return self._notes

    def to_yaml(self, path: str | Path | None = None) -> str:
        """The spec as commented YAML that ``load_spec`` reads back to an equal spec; written to ``path`` if given."""
        from llmsynth.spec.writer import spec_yaml

        text = spec_yaml(self)
        if path is not None:
            Path(path).write_text(text, encoding="utf-8")
        return text

    @property
    def base_dir(self) -> Path:
        """Folder that relative file paths in the spec are resolved against."""
        return self._source.parent if self._source else Path.cwd()

    def resolve_path(self, path: str) -> Path:
        """A file named in the spec, confined to the spec's folder (see ``llmsynth.spec.paths``)."""
        from llmsynth.spec.paths import confined

        return confined(path, self.base_dir)

    @property
    def column_names(self) -> list[str]:
        """Every output column, in spec order."""
        return [n for c in self.columns for n in c.output_names()]

    def column_schemas(self) -> list[ColumnSchema]:
        """The row schema: every column's type and range, which validation checks each row against."""
        schemas = [s for c in self.columns for s in c.column_schemas()]
        # an expression over a column with missing values (null_rate) is missing in those rows too
        nullable = {s.name for s in schemas if s.nullable}
        expressions = {c.name: c.dependencies() for c in self.columns if isinstance(c, ExpressionColumn)}
        grown = True
        while grown:
            grown = False
            for name, reads in expressions.items():
                if name not in nullable and reads & nullable:
                    nullable.add(name)
                    grown = True
        return [s.model_copy(update={"nullable": True}) if s.name in nullable else s for s in schemas]

    def row_constraints(self) -> list[RowConstraint]:
        """Constraints across columns (fixed sums), checked on every row."""
        return [r for c in self.columns for r in c.row_constraints()]

    def llm_groups(self) -> list[LLMGroup]:
        """The LLM groups, in spec order."""
        return [c for c in self.columns if isinstance(c, LLMGroup)]

    def with_overrides(self, **changes: Any) -> DatasetSpec:
        """A copy with top-level or ``model.*``/``generation.*`` fields replaced (CLI overrides);
        ``decoding`` sets every LLM group's decoding mode."""
        data = self.model_dump(warnings=False)  # conditional parameters are kept as their raw mappings
        for key, value in changes.items():
            if value is None:
                continue
            if key == "decoding":  # every LLM group at once: compare constrained and free runs
                for column in data["columns"]:
                    if column.get("kind") == "llm":
                        column["decoding"] = value
                continue
            target = data
            *parents, leaf = key.split(".")
            for part in parents:
                target = target[part]
            target[leaf] = value
        copy = type(self).model_validate(data)  # the same model: a spec with plugin kinds keeps them
        copy._source = self._source
        return copy


@functools.cache
def with_plugin_kinds(kinds: frozenset[str]) -> type[DatasetSpec]:
    """``DatasetSpec`` whose column union also takes the named plugin kinds (``llmsynth.kinds`` entry
    points), built once per set of kinds: specs without plugin kinds never read entry points."""
    models = tuple(KINDS.get(kind) for kind in sorted(kinds))
    column = Annotated[Union[(*_COLUMN_TYPES, *models)], Field(discriminator="kind")]  # type: ignore[valid-type]
    model: type[DatasetSpec] = create_model(
        "DatasetSpec", __base__=DatasetSpec, __module__=__name__, columns=(list[column], Field(min_length=1))
    )
    return model
