"""Labels from a decision tree learned on sample data, sampled by ``scaffold/tree.py``."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator
from typing_extensions import override

from llmsynth.spec.kinds.base import DataSource, SamplerColumn, invalid
from llmsynth.spec.schema import ColumnSchema


class TreeSpec(SamplerColumn, DataSource):
    """Labels from a decision tree fitted on sample data: each row's label is drawn from its leaf's
    class frequencies (not the majority class), so the rule and its noise both carry over."""

    kind: Literal["tree"]
    name: str = Field(description="The label column to generate.")
    features: list[str] = Field(min_length=1, description="Already generated columns the tree reads.")
    target: str | None = Field(default=None, description="Label column in the sample data (default: name).")
    max_depth: int | None = Field(default=4, ge=1)
    min_samples_leaf: int = Field(default=5, ge=1)
    classes: list[str] | None = Field(default=None, description="Allowed labels, for validation.")

    @model_validator(mode="after")
    def _check(self) -> TreeSpec:
        if not self.has_data():
            raise invalid("rows", "a tree needs sample data: 'file' or 'rows'")
        if self.name in self.features:
            raise invalid("features", f"'{self.name}' cannot be its own feature")
        if self.rows is not None:
            wanted = [*self.features, self.target or self.name]
            missing = sorted({c for c in wanted if any(c not in r for r in self.rows)})
            if missing:
                raise invalid("rows", f"rows lack column(s) {', '.join(missing)}")
        return self

    @override
    def dependencies(self) -> set[str]:
        return set(self.features)

    @override
    def value_schemas(self) -> list[ColumnSchema]:
        if self.classes:
            return [ColumnSchema(name=self.name, type="choice", choices=tuple(self.classes))]
        return [ColumnSchema(name=self.name, type="string")]


TREE_SPECS = (TreeSpec,)
