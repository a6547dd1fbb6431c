"""``kind: conditional``: the same columns drawn by a different sampler for each value of another column.

This is how a class-conditional model is written: a label first, then per label value a copula (or any
other sampler) of the features, so the relation between the label and every feature carries over,
which one copula over all columns loses. ``llmsynth fit --label`` writes it; it is equally useful by
hand (a mixture per region, a normal per product line).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, Union

from pydantic import Field, field_validator, model_validator
from typing_extensions import override

from llmsynth.spec.kinds.base import SamplerColumn, invalid
from llmsynth.spec.kinds.basic import BooleanSpec, CategoricalSpec, DateSpec, IntegerSpec
from llmsynth.spec.kinds.distributions import DIST_SPECS
from llmsynth.spec.kinds.expression import ExpressionColumn
from llmsynth.spec.kinds.fitted import FITTED_SPECS
from llmsynth.spec.kinds.fixed_sum import FIXED_SUM_SPECS
from llmsynth.spec.kinds.mixture import MIXTURE_SPECS
from llmsynth.spec.kinds.montecarlo import MONTE_CARLO_SPECS
from llmsynth.spec.kinds.multivariate import MULTIVARIATE_SPECS
from llmsynth.spec.schema import ColumnSchema

_CASE_TYPES = (
    *DIST_SPECS, *FITTED_SPECS, CategoricalSpec, BooleanSpec, IntegerSpec, DateSpec,
    *MONTE_CARLO_SPECS, *MULTIVARIATE_SPECS, *FIXED_SUM_SPECS, *MIXTURE_SPECS, ExpressionColumn,
)
Case = Annotated[Union[_CASE_TYPES], Field(discriminator="kind")]  # type: ignore[valid-type]  # noqa: UP007


class ConditionalSpec(SamplerColumn):
    """``columns`` drawn, row by row, by the entry in ``cases`` named by that row's ``by`` value."""

    kind: Literal["conditional"]
    by: str = Field(description="Column whose value picks the case (matched on its text form).")
    columns: list[str] = Field(min_length=1, description="The columns every case writes.")
    cases: dict[str, Case] = Field(min_length=1, description="Value of `by` -> sampler entry for those rows.")
    default: Case | None = Field(default=None, description="Entry for values of `by` missing from cases.")

    @model_validator(mode="before")
    @classmethod
    def _name_single_columns(cls, data: Any) -> Any:
        # a one-column case may leave out its name: it is the conditional's column
        if not isinstance(data, dict) or not isinstance(data.get("columns"), list) or len(data["columns"]) != 1:
            return data
        name = data["columns"][0]

        def named(entry: Any) -> Any:
            return {**entry, "name": name} if isinstance(entry, dict) and "name" not in entry else entry

        out = dict(data)
        if isinstance(data.get("cases"), dict):
            out["cases"] = {k: named(v) for k, v in data["cases"].items()}
        if data.get("default") is not None:
            out["default"] = named(data["default"])
        return out

    @field_validator("cases", mode="before")
    @classmethod
    def _string_keys(cls, value: Any) -> Any:
        # YAML turns `1:` and `true:` into int/bool keys; rows are matched on their string form
        return {str(k): v for k, v in value.items()} if isinstance(value, dict) else value

    @model_validator(mode="after")
    def _check(self) -> ConditionalSpec:
        if len(set(self.columns)) != len(self.columns):
            raise invalid("columns", f"columns repeat a name: {self.columns}")
        if self.by in self.columns:
            raise invalid("by", f"'{self.by}' cannot pick the case of its own value")
        for key, entry in self.entries():
            if sorted(entry.output_names()) != sorted(self.columns):
                raise invalid(
                    f"cases.{key}" if key is not None else "default",
                    f"writes {entry.output_names()}, but every case must write exactly {self.columns}",
                )
        return self

    def entries(self) -> list[tuple[str | None, Any]]:
        """(value, entry) for every case, then (None, default) when there is one."""
        return [*self.cases.items(), *([(None, self.default)] if self.default is not None else [])]

    @override
    def output_names(self) -> list[str]:
        return list(self.columns)

    @override
    def dependencies(self) -> set[str]:
        needs = {self.by}
        for _, entry in self.entries():
            needs |= entry.dependencies()
        return needs - set(self.columns)

    def value_schemas(self) -> list[ColumnSchema]:
        """Per column, the widest schema over the cases (union of choices, widest numeric range; nullable
        when any case may leave it missing)."""
        per_column: dict[str, list[ColumnSchema]] = {name: [] for name in self.columns}
        for _, entry in self.entries():
            for schema in entry.column_schemas():
                per_column[schema.name].append(schema)
        return [merge_schemas(name, schemas) for name, schemas in per_column.items()]


def merge_schemas(name: str, schemas: list[ColumnSchema]) -> ColumnSchema:
    """One schema that accepts every value any of ``schemas`` accepts."""
    merged = _merged_type(name, schemas)
    return merged.model_copy(update={"nullable": True}) if any(s.nullable for s in schemas) else merged


def _merged_type(name: str, schemas: list[ColumnSchema]) -> ColumnSchema:
    types = {s.type for s in schemas}
    if types <= {"integer", "number"}:
        kind = "integer" if types == {"integer"} else "number"
        lows, highs = [s.minimum for s in schemas], [s.maximum for s in schemas]
        return ColumnSchema(
            name=name,
            type=kind,
            minimum=None if None in lows else min(lows),  # type: ignore[type-var]
            maximum=None if None in highs else max(highs),  # type: ignore[type-var]
        )
    if types == {"choice"}:
        choices = tuple(dict.fromkeys(c for s in schemas for c in s.choices or ()))
        return ColumnSchema(name=name, type="choice", choices=choices)
    if len(types) == 1:
        return ColumnSchema(name=name, type=schemas[0].type)
    return ColumnSchema(name=name, type="string")


CONDITIONAL_SPECS = (ConditionalSpec,)
