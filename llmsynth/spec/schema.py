"""What a valid value and a valid row look like, independent of how they were generated.

Every column kind describes its output with ``ColumnSchema`` entries and, where it promises
something across columns, ``RowConstraint`` entries. The row-schema builder (pydantic, for
constrained decoding) and the vectorised table validator both read only these, so a new column
kind never needs changes there.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

ValueType = Literal["string", "choice", "integer", "number", "boolean", "date", "datetime"]


class ColumnSchema(BaseModel):
    """Type and bounds of one output column."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    type: ValueType
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] | None = None
    pattern: str | None = None
    min_length: int | None = None
    max_length: int | None = None
    nullable: bool = False
    unique: bool = False
    description: str | None = None


class SumConstraint(BaseModel):
    """The listed columns add up to ``total`` in every row (within ``tolerance``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Literal["sum"] = "sum"
    columns: tuple[str, ...]
    total: float | None = None
    total_column: str | None = None
    tolerance: float = Field(default=1e-6, ge=0)


RowConstraint = SumConstraint
