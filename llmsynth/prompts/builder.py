"""One chat per row: system prompt, few-shot example turns, and the user prompt rendered from the row's
earlier columns followed by a description of the fields to write (the bundled ``fields`` template).
"""

from __future__ import annotations

import json
import math
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ValidationError

from llmsynth.errors import SpecError
from llmsynth.prompts.environment import compile_template, render
from llmsynth.spec import DatasetSpec, LLMGroup
from llmsynth.spec.llm import TEMPLATE_GLOBALS, template_variables
from llmsynth.spec.schema import ColumnSchema
from llmsynth.spec.templates import bundled_template, template_source

DEFAULT_SYSTEM = (
    "You write realistic, varied synthetic data records. Every answer is one record in the requested format."
)
Message = dict[str, str]


def describe(schema: ColumnSchema) -> str:
    """The allowed values of a field in words, for the prompt."""
    def num(x: float) -> str:
        return str(int(x)) if float(x).is_integer() else str(x)

    if schema.type == "choice":
        return "one of " + ", ".join(json.dumps(c) for c in schema.choices or ())
    if schema.type in ("integer", "number"):
        kind = "whole number" if schema.type == "integer" else "number"
        if schema.minimum is not None and schema.maximum is not None:
            kind += f" from {num(schema.minimum)} to {num(schema.maximum)}"
        elif schema.minimum is not None:
            kind += f" of at least {num(schema.minimum)}"
        elif schema.maximum is not None:
            kind += f" of at most {num(schema.maximum)}"
        return kind
    if schema.type == "boolean":
        return "true or false"
    if schema.type == "date":
        return "date as YYYY-MM-DD"
    if schema.type == "datetime":
        return "date and time as YYYY-MM-DDTHH:MM:SS"
    text = "text"
    if schema.max_length is not None:
        text += f" of at most {schema.max_length} characters"
    if schema.pattern:
        text += f" matching the pattern {schema.pattern}"
    return text + (", or null" if schema.nullable else "")


def plain_value(value: Any) -> Any:
    """A row value as templates should see it: Python scalars, None for missing, dates as ISO text."""
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, datetime) and value != value:  # pandas' NaT: a missing date (null_rate)
        return None
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    return value


class PromptBuilder:
    """Compiles a group's templates once and renders the messages of each row."""

    def __init__(self, group: LLMGroup, dataset: DatasetSpec, row_model: type[BaseModel]) -> None:
        self.group = group
        self.label = group.label
        source, self.origin = template_source(group, dataset.base_dir)
        self.user = compile_template(source, group=self.label, origin=self.origin)
        self.needs = template_variables(source) - TEMPLATE_GLOBALS
        self.system = compile_template(group.system or DEFAULT_SYSTEM, group=self.label, origin="system")
        self.fields_block = compile_template(bundled_template("fields"), group=self.label, origin="fields")
        self.fields = [
            {"name": s.name, "kind": describe(s), "description": s.description}
            for s in group.column_schemas()
        ]
        self.format = group.parser if group.decoding == "free" else "json"
        self.examples = [self._check_example(i, e, row_model) for i, e in enumerate(group.examples)]
        # examples that carry every variable the prompt needs become real conversation turns
        self.shots = bool(self.examples) and all(self.needs <= set(context) for context, _ in self.examples)

    def _check_example(self, index: int, example: dict[str, Any], model: type[BaseModel]) -> tuple[dict[str, Any], str]:
        names = list(self.group.fields)
        missing = [n for n in names if n not in example]
        if missing:
            raise SpecError(f"examples[{index}] lacks the fields {missing}", column=self.label)
        try:
            row = model.model_validate({n: example[n] for n in names})
        except ValidationError as exc:
            problems = "; ".join(f"{e['loc'][0]}: {e['msg']}" for e in exc.errors())
            message = f"examples[{index}] is not a valid answer: {problems}"
            raise SpecError(message, column=self.label) from exc
        answer = row.model_dump(mode="json", by_alias=True)
        context = {k: v for k, v in example.items() if k not in self.group.fields}
        return context, self._format_answer(answer)

    def _format_answer(self, answer: dict[str, Any]) -> str:
        if self.format == "kv":
            return "\n".join(f"{k}: {v}" for k, v in answer.items())
        if self.format == "table":
            return " | ".join(answer) + "\n" + " | ".join(str(v) for v in answer.values())
        return json.dumps(answer, ensure_ascii=False, separators=(",", ":"))

    def _fields_text(self, listed: list[str]) -> str:
        variables = {"fields": self.fields, "examples": listed, "format": self.format}
        return render(self.fields_block, variables, group=self.label, origin="fields").strip()

    def _user_message(self, variables: dict[str, Any], listed: list[str] | None) -> str:
        """The rendered prompt, followed by the field list unless the system message already has it."""
        head = render(self.user, variables, group=self.label, origin=self.origin).strip()
        if listed is None:
            return head or "Write one record."
        tail = self._fields_text(listed)
        return f"{head}\n\n{tail}" if head else tail

    def messages(self, row: dict[str, Any], row_index: int) -> list[Message]:
        """The chat messages for one row: system text with the field list, few-shot turns, the row's prompt."""
        values = {k: plain_value(v) for k, v in row.items()}
        variables = {**values, "row": values, "row_index": row_index, "fields": self.fields}
        system = render(self.system, variables, group=self.label, origin="system")
        # the field list (and listed examples) go in the system message, before anything row-specific, so
        # every row's prompt starts with the same tokens: the engine computes that shared prefix once per run
        if not self.shots:
            listed = [answer for _, answer in self.examples]
            return [
                {"role": "system", "content": f"{system}\n\n{self._fields_text(listed)}"},
                {"role": "user", "content": self._user_message(variables, None)},
            ]
        out = [{"role": "system", "content": f"{system}\n\n{self._fields_text([])}"}]
        for context, answer in self.examples:
            shot = {**context, "row": context, "row_index": -1, "fields": self.fields}
            out.append({"role": "user", "content": self._user_message(shot, None)})
            out.append({"role": "assistant", "content": answer})
        out.append({"role": "user", "content": self._user_message(variables, None)})
        return out
