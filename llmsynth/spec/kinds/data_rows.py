"""``kind: data``: columns taken row by row from an existing table instead of drawn by a sampler.

The table (a CSV/Parquet/JSONL ``file`` relative to the spec, or a DataFrame given in Python with
``llmsynth.generate(spec, data=df)``) fixes the number of rows; the other columns (LLM groups,
expressions, samplers) are then generated for each of its rows: enrichment of real or earlier data.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field, PrivateAttr, model_validator
from typing_extensions import override

from llmsynth.spec.kinds.base import SamplerColumn, invalid
from llmsynth.spec.schema import ColumnSchema

if TYPE_CHECKING:  # the spec never imports pandas at run time
    import pandas as pd

    from llmsynth.spec.dataset import DatasetSpec


class DataSpec(SamplerColumn):
    """Existing rows: ``columns`` of ``file`` (or of the DataFrame passed to ``generate``)."""

    kind: Literal["data"]
    columns: list[str] = Field(min_length=1, description="Columns of the table to carry into the output.")
    file: str | None = Field(
        default=None, description="Table with the rows (csv/parquet/jsonl), relative to the spec file; "
        "leave out to pass a DataFrame in Python: generate(spec, data=df)."
    )
    _frame: Any = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _check(self) -> DataSpec:
        if len(set(self.columns)) != len(self.columns):
            raise invalid("columns", f"columns repeat a name: {self.columns}")
        return self

    @property
    def frame(self) -> Any:
        """The DataFrame attached with ``with_frame`` (None when rows come from ``file``)."""
        return self._frame

    def with_frame(self, frame: pd.DataFrame) -> DataSpec:
        """A copy that takes its rows from ``frame`` (a pandas DataFrame) instead of ``file``."""
        copy = self.model_copy()
        copy._frame = frame
        return copy

    @override
    def output_names(self) -> list[str]:
        return list(self.columns)

    @override
    def value_schemas(self) -> list[ColumnSchema]:
        # existing values are taken as they are (missing ones included): only the new columns are checked
        return [ColumnSchema(name=name, type="string", nullable=True) for name in self.columns]

    @property
    def label(self) -> str:
        """How error messages name this entry."""
        return f"data: {', '.join(self.columns)}" if len(self.columns) <= 4 else f"data ({len(self.columns)} columns)"


DATA_SPECS = (DataSpec,)


def with_rows(spec: DatasetSpec, frame: pd.DataFrame) -> DatasetSpec:
    """``spec`` taking its existing rows from ``frame``: into its one ``kind: data`` entry, or, when it has
    none, a new first entry carrying every column of ``frame`` that the spec does not generate itself."""
    from llmsynth.errors import SpecError
    from llmsynth.spec.plan import order_columns

    entries = [(i, c) for i, c in enumerate(spec.columns) if isinstance(c, DataSpec)]
    if len(entries) > 1:
        raise SpecError("data= fills one 'kind: data' entry, and this spec has several", source=_source(spec))
    columns = list(spec.columns)
    if entries:
        index, entry = entries[0]
        columns[index] = entry.with_frame(frame)
    else:
        own = set(spec.column_names)
        carried = [str(c) for c in frame.columns if str(c) not in own]
        if not carried:
            raise SpecError("data= has no column the spec does not generate itself", source=_source(spec))
        columns.insert(0, DataSpec(kind="data", columns=carried).with_frame(frame.rename(columns=str)))
    model = type(spec)  # DatasetSpec, or its extension with plugin kinds
    fields = {name: getattr(spec, name) for name in model.model_fields}
    copy = model.model_validate({**fields, "columns": columns})
    copy._source = spec._source
    order_columns(copy)
    return copy


def _source(spec: DatasetSpec) -> str | None:
    return str(spec.source) if spec.source is not None else None
