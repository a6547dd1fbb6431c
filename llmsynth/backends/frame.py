"""The answer frame of an LLM group: the compact JSON text the schema fixes, with one slot per field.

``{"job":"`` SLOT ``","country":"`` SLOT ``","score":`` SLOT ``}``: the fixed text (keys, quotes, separators)
is forced, never sampled; each slot is decided by the method that keeps it faithful to the model:

- ``enum``: every valid value is scored as a whole (choices, booleans, small integer ranges) and one is
  sampled from the renormalised probabilities: exactly the model's distribution restricted to the values.
- ``number``: digits are sampled from the model's full distribution and a value that leaves the bounds is
  rejected and redrawn (rejection sampling of the field: the reference for faithful constrained decoding).
- ``text``: free text under a character mask; a text longer than its limit ends at the last word boundary.

The frame is plain data (no tokenizer); ``frame_tokens.py`` turns it into token sequences for one model.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from llmsynth.spec.schema import ColumnSchema

# integer ranges up to this many values are scored whole; wider ones are decoded digit by digit
ENUMERATE_LIMIT = 32
SlotKind = str  # "enum" | "number" | "text"


@dataclass
class Slot:
    """One field's place in the frame; ``closer`` is the fixed text that follows its value."""

    schema: ColumnSchema
    kind: SlotKind
    closer: str = ""
    candidates: list[str] = field(default_factory=list)  # JSON value texts of an enum slot
    weights: list[float] | None = None  # declared marginal of an enum slot, aligned with candidates
    quoted: bool = False  # the opening quote is part of the fixed text before the slot

    @property
    def name(self) -> str:
        """The field's column name."""
        return self.schema.name


@dataclass
class Frame:
    """Fixed text and slots in order: ``opening`` + value0 + slots[0].closer + value1 + ..."""

    opening: str
    slots: list[Slot]

    def render(self, values: Sequence[str]) -> str:
        """The answer text for the given JSON value texts (strings without their quotes when quoted)."""
        parts = [self.opening]
        for slot, value in zip(self.slots, values, strict=True):
            parts.append(value)
            parts.append(slot.closer)
        return "".join(parts)


def frame_supported(schemas: Sequence[ColumnSchema]) -> bool:
    """Whether the frame decoder handles every field; the grammar backend takes the others."""
    for schema in schemas:
        if schema.type == "datetime":
            return False
        if schema.nullable and schema.type in ("string", "number", "date"):
            return False
        if schema.nullable and schema.type == "integer" and not _small_integer_range(schema):
            return False
    return True


def _small_integer_range(schema: ColumnSchema, limit: int = ENUMERATE_LIMIT) -> bool:
    if schema.minimum is None or schema.maximum is None:
        return False
    low, high = math.ceil(schema.minimum), math.floor(schema.maximum)
    return 0 <= high - low < limit


def slot_kind(schema: ColumnSchema, enumerate_values: bool | None = None, limit: int = ENUMERATE_LIMIT) -> SlotKind:
    """How a field is decided: scored whole when its values are few, decoded otherwise."""
    if schema.type in ("choice", "boolean"):
        return "enum"
    if schema.type == "integer":
        if enumerate_values is False:
            return "number"
        return "enum" if _small_integer_range(schema, 100_000 if enumerate_values else limit) else "number"
    if schema.type == "number":
        return "number"
    return "text"


def enum_candidates(schema: ColumnSchema) -> list[str]:
    """JSON value texts of an enumerable field (strings without quotes: the frame holds them)."""
    if schema.type == "choice":
        values = [json.dumps(c, ensure_ascii=False)[1:-1] for c in schema.choices or ()]
        if schema.nullable:
            values = [f'"{v}"' for v in values]
    elif schema.type == "boolean":
        values = ["true", "false"]
    else:
        low, high = math.ceil(schema.minimum or 0), math.floor(schema.maximum or 0)
        values = [str(v) for v in range(low, high + 1)]
    return [*values, "null"] if schema.nullable else values


def build_frame(
    schemas: Sequence[ColumnSchema],
    *,
    weights: dict[str, dict[str, float]] | None = None,
    enumerate_fields: dict[str, bool | None] | None = None,
    limit: int = ENUMERATE_LIMIT,
) -> Frame:
    """The frame of a row: compact JSON, keys in schema order, no whitespace (as the grammar path writes)."""
    weights = weights or {}
    enumerate_fields = enumerate_fields or {}
    slots: list[Slot] = []
    texts: list[str] = []  # fixed text before each slot
    pending = "{"
    for index, schema in enumerate(schemas):
        pending += ("," if index else "") + json.dumps(schema.name, ensure_ascii=False) + ":"
        kind = slot_kind(schema, enumerate_fields.get(schema.name), limit)
        quoted = schema.type in ("string", "date") or (schema.type == "choice" and not schema.nullable)
        if quoted:
            pending += '"'
        slot = Slot(schema, kind, quoted=quoted)
        if kind == "enum":
            slot.candidates = enum_candidates(schema)
            declared = weights.get(schema.name)
            if declared:
                slot.weights = [float(declared.get(c, 0.0)) for c in schema.choices or ()]
                if schema.nullable:
                    slot.weights.append(0.0)
        texts.append(pending)
        slots.append(slot)
        pending = '"' if quoted else ""
    for index, slot in enumerate(slots):
        # the text after a slot's value: its closing quote, then the next key and opening quote, or the brace
        last = index + 1 == len(slots)
        slot.closer = (('"' if slot.quoted else "") + "}") if last else texts[index + 1]
    return Frame(opening=texts[0], slots=slots)
