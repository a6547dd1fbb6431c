"""LLM fields from a user's pydantic model, so a Python user can say "rows look like this class".

The model is read through its JSON Schema (types, bounds, lengths, patterns, enums, descriptions), so
the spec stays plain data that can be saved as YAML; anything the field types cannot express is an
error naming the field rather than a silently looser schema.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from llmsynth.errors import SpecError
from llmsynth.spec.llm import LLMField

_SIMPLE = {"string": "string", "integer": "integer", "number": "number", "boolean": "boolean"}


def fields_from_model(model: type[BaseModel]) -> dict[str, LLMField]:
    """One LLMField per model field, in declaration order."""
    schema = model.model_json_schema()
    definitions = schema.get("$defs", {})
    fields: dict[str, LLMField] = {}
    required = set(schema.get("required", []))
    for name, prop in schema.get("properties", {}).items():
        fields[name] = _field(model.__name__, name, _resolve(prop, definitions), name not in required)
    return fields


def _resolve(prop: dict[str, Any], definitions: dict[str, Any]) -> dict[str, Any]:
    ref = prop.get("$ref")
    if ref:
        return {**definitions[ref.rsplit("/", 1)[-1]], **{k: v for k, v in prop.items() if k != "$ref"}}
    return prop


def _field(model_name: str, name: str, prop: dict[str, Any], optional: bool) -> LLMField:
    nullable = False
    options = prop.get("anyOf")
    if options:
        kinds = [o for o in options if o.get("type") != "null"]
        nullable = len(kinds) < len(options)
        if len(kinds) != 1:
            raise SpecError(f"{model_name}.{name}: a union of several types cannot be an LLM field")
        prop = {**kinds[0], **{k: v for k, v in prop.items() if k != "anyOf"}}
    values: dict[str, Any] = {"description": prop.get("description"), "nullable": nullable or optional}
    if "enum" in prop or "const" in prop:
        choices = prop.get("enum", [prop.get("const")])
        values.update(type="choice", choices=[str(c) for c in choices])
    elif prop.get("type") == "string" and prop.get("format") == "date":
        values["type"] = "date"
    elif prop.get("type") in _SIMPLE:
        values["type"] = _SIMPLE[prop["type"]]
        if values["type"] == "string":
            values.update(max_length=prop.get("maxLength"), min_length=prop.get("minLength"),
                          pattern=prop.get("pattern"))
        elif values["type"] in ("integer", "number"):
            values.update(min=prop.get("minimum", prop.get("exclusiveMinimum")),
                          max=prop.get("maximum", prop.get("exclusiveMaximum")))
    else:
        raise SpecError(f"{model_name}.{name}: type {prop.get('type', prop)!r} cannot be an LLM field")
    try:
        return LLMField.model_validate({k: v for k, v in values.items() if v is not None})
    except ValueError as exc:
        raise SpecError(f"{model_name}.{name}: {exc}") from exc
