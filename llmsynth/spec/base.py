"""Base classes shared by every column kind of the spec."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict

from llmsynth.spec.schema import ColumnSchema, RowConstraint


class StrictModel(BaseModel):
    """A spec model: unknown keys are errors, so a typo never passes silently."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class ColumnBase(StrictModel):
    """One entry of ``columns:``; it may produce one column or a group of columns.

    Subclasses answer four questions the planner, the engine and the validators ask:
    which columns it writes, which columns it reads, what a valid value looks like,
    and which constraints span several of its columns.
    """

    if TYPE_CHECKING:  # every concrete kind declares ``kind`` as a Literal, which is the union's discriminator
        kind: str

    def output_names(self) -> list[str]:
        """The columns this entry writes."""
        name = getattr(self, "name", None)
        if not isinstance(name, str):
            raise TypeError(f"{type(self).__name__} must define output_names()")
        return [name]

    def dependencies(self) -> set[str]:
        """The columns this entry reads, which the plan puts before it."""
        return set()

    def column_schemas(self) -> list[ColumnSchema]:
        """What a valid value of each output column looks like (type, range, choices)."""
        return [ColumnSchema(name=n, type="number") for n in self.output_names()]

    def row_constraints(self) -> list[RowConstraint]:
        """Constraints across several of its columns (a fixed sum), checked on every row."""
        return []

    @property
    def label(self) -> str:
        """How error messages name this entry."""
        return ", ".join(self.output_names())
