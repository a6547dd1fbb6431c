"""The pydantic model of the fields an LLM group writes: the one definition that drives the grammar
(its JSON Schema), the validation of every model answer, and the token budget of an answer.

Column names become aliases of positional attribute names (``f0``, ``f1``...), so any column name
(spaces, leading underscores, keywords) is a valid JSON key without clashing with pydantic internals.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Sequence
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, create_model

from llmsynth.errors import SpecError
from llmsynth.spec.schema import ColumnSchema

# a string column without max_length still needs a bound, or a small model may never close the quote
UNBOUNDED_STRING_CHARS = 200


def anchored(pattern: str) -> str:
    """The pattern as a full match: JSON Schema grammars match whole strings, pydantic searches."""
    body = pattern
    if body.startswith("^"):
        body = body[1:]
    if body.endswith("$") and not body.endswith("\\$"):
        body = body[:-1]
    return f"^(?:{body})$"


def _value_type(schema: ColumnSchema) -> Any:
    if schema.type == "string":
        return Annotated[
            str,
            StringConstraints(
                min_length=schema.min_length,
                max_length=schema.max_length,
                pattern=anchored(schema.pattern) if schema.pattern else None,
            ),
        ]
    if schema.type == "choice":
        if not schema.choices:
            raise SpecError("type 'choice' needs choices", column=schema.name)
        return Literal[tuple(schema.choices)]
    if schema.type == "integer":
        low = math.ceil(schema.minimum) if schema.minimum is not None else None
        high = math.floor(schema.maximum) if schema.maximum is not None else None
        return Annotated[int, Field(ge=low, le=high)]
    if schema.type == "number":
        return Annotated[float, Field(ge=schema.minimum, le=schema.maximum, allow_inf_nan=False)]
    if schema.type == "boolean":
        return bool
    if schema.type == "date":
        return dt.date
    if schema.type == "datetime":
        return dt.datetime
    raise SpecError(f"unsupported type '{schema.type}'", column=schema.name)


def build_row_model(schemas: Sequence[ColumnSchema], name: str = "Row") -> type[BaseModel]:
    """A pydantic model with one required field per schema; extra keys are forbidden."""
    if not schemas:
        raise SpecError("an LLM group needs at least one field")
    fields: dict[str, Any] = {}
    for index, schema in enumerate(schemas):
        value = _value_type(schema)
        if schema.nullable:
            value = value | None
        fields[f"f{index}"] = (value, Field(alias=schema.name, description=schema.description))
    config = ConfigDict(extra="forbid", populate_by_name=True)
    model: type[BaseModel] = create_model(name, __config__=config, **fields)
    return model


def json_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The model's JSON Schema keyed by column names (what the grammar compiles)."""
    return model.model_json_schema(by_alias=True)


def schema_key(model: type[BaseModel]) -> str:
    """A stable text key for caches of compiled grammars."""
    return json.dumps(json_schema(model), sort_keys=True)


def column_names(model: type[BaseModel]) -> list[str]:
    """The row model's field names as the table names them (an alias where a field has one)."""
    return [info.alias or name for name, info in model.model_fields.items()]


def _value_chars(schema: ColumnSchema) -> int:
    if schema.type == "string":
        # escapes and multi-byte characters split over byte-level tokens need more than one token a char
        return 2 * (schema.max_length or UNBOUNDED_STRING_CHARS) + 2
    if schema.type == "choice":
        return max(len(json.dumps(c)) for c in schema.choices or ("",))
    if schema.type == "integer":
        if schema.minimum is None or schema.maximum is None:
            return 20
        return max(len(str(math.ceil(schema.minimum))), len(str(math.floor(schema.maximum))))
    if schema.type == "number":
        return 24
    if schema.type == "boolean":
        return 5
    if schema.type == "date":
        return 12
    return 34  # datetime with fraction and offset


def max_answer_tokens(schemas: Sequence[ColumnSchema]) -> int:
    """Tokens enough for the longest valid compact JSON answer, plus the end token.

    Every token but the end token covers at least one character, so characters bound tokens.
    """
    chars = 2 + max(len(schemas) - 1, 0)  # braces and commas
    for schema in schemas:
        value = _value_chars(schema)
        if schema.nullable:
            value = max(value, 4)
        chars += len(json.dumps(schema.name)) + 1 + value
    return chars + 1
