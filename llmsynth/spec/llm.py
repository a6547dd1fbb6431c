"""LLM-filled columns: a group of fields the language model writes together, one JSON object per row."""

from __future__ import annotations

from typing import Any, Literal

from jinja2 import meta
from jinja2.exceptions import TemplateSyntaxError
from pydantic import Field, field_validator, model_validator
from typing_extensions import override

from llmsynth.registry import PARSERS
from llmsynth.spec.base import ColumnBase, StrictModel
from llmsynth.spec.schema import ColumnSchema
from llmsynth.spec.template_check import TemplateRefused, checked_tree

FieldType = Literal["string", "choice", "integer", "number", "boolean", "date"]

# names a template may use that are not columns (loop helpers, bundled globals)
TEMPLATE_GLOBALS = frozenset({"loop", "row", "range", "examples", "fields", "row_index"})


class LLMField(StrictModel):
    """One LLM-owned column and what the model may write into it."""

    type: FieldType = Field(description="string | choice | integer | number | boolean | date")
    description: str | None = Field(default=None, description="Shown to the model in the prompt.")
    choices: list[str] | dict[str, float] | None = Field(
        default=None,
        description="Allowed values for type: choice; a mapping value -> weight also fixes the column's marginal.",
    )
    min: float | None = Field(default=None, description="Lower bound for integer/number.")
    max: float | None = Field(default=None, description="Upper bound for integer/number.")
    min_length: int | None = Field(default=None, ge=0)
    max_length: int | None = Field(default=None, ge=1, description="Longest string allowed (default 40).")
    pattern: str | None = Field(default=None, description="Regular expression a string must match.")
    nullable: bool = False
    unique: bool = Field(default=False, description="Reject exact duplicates of this field across rows.")
    enumerate: bool | None = Field(
        default=None,
        description="Score every value whole (exact); default: choices, booleans, integer ranges up to 32 values.",
    )

    @model_validator(mode="after")
    def _check_consistency(self) -> LLMField:
        if self.type == "choice" and not self.choices:
            raise ValueError("type 'choice' needs a non-empty 'choices' list")
        if self.choices is not None and self.type != "choice":
            raise ValueError(f"'choices' is only allowed with type 'choice', not '{self.type}'")
        if isinstance(self.choices, list) and len(set(self.choices)) != len(self.choices):
            raise ValueError("'choices' contains duplicates")
        if isinstance(self.choices, dict):
            bad = {k: v for k, v in self.choices.items() if not (v >= 0 and v < float("inf"))}
            if bad or sum(self.choices.values()) <= 0:
                raise ValueError("choice weights must be non-negative numbers with a positive sum")
        if self.enumerate and self.type not in ("choice", "boolean", "integer"):
            raise ValueError(f"'enumerate' applies to choice, boolean and integer fields, not '{self.type}'")
        if self.enumerate and self.type == "integer" and (self.min is None or self.max is None):
            raise ValueError("'enumerate: true' on an integer field needs both 'min' and 'max'")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min ({self.min}) is greater than max ({self.max})")
        if (self.min is not None or self.max is not None) and self.type not in ("integer", "number"):
            raise ValueError(f"'min'/'max' apply to integer or number fields, not '{self.type}'")
        string_only = (self.max_length, self.min_length, self.pattern)
        if any(v is not None for v in string_only) and self.type != "string":
            raise ValueError(f"'max_length'/'min_length'/'pattern' apply to string fields, not '{self.type}'")
        return self

    def weights(self) -> dict[str, float] | None:
        """Declared choice weights, normalised to sum to 1 (None when the choices are a plain list)."""
        if not isinstance(self.choices, dict):
            return None
        total = sum(self.choices.values())
        return {k: v / total for k, v in self.choices.items()}

    def schema_for(self, name: str) -> ColumnSchema:
        """The row-schema entry of one field."""
        return ColumnSchema(
            name=name,
            type=self.type,
            minimum=self.min,
            maximum=self.max,
            choices=tuple(self.choices) if self.choices else None,  # a weights mapping gives its keys
            pattern=self.pattern,
            min_length=self.min_length,
            max_length=self.max_length if self.max_length is not None else (40 if self.type == "string" else None),
            nullable=self.nullable,
            unique=self.unique,
            description=self.description,
        )


class LLMGroup(ColumnBase):
    """Fields filled by the language model from one prompt per row, conditioned on earlier columns."""

    kind: Literal["llm"]
    name: str | None = Field(default=None, description="Label of the group in messages and reports.")
    fields: dict[str, LLMField] = Field(min_length=1, description="Column name -> field definition.")
    prompt: str | None = Field(default=None, description="Inline Jinja template rendered per row.")
    template: str | None = Field(
        default=None, description="A template file (relative to the spec) or a bundled template name."
    )
    system: str | None = Field(default=None, description="System prompt for chat models.")
    examples: list[dict[str, Any]] = Field(default_factory=list, description="Few-shot example rows.")
    decoding: Literal["constrained", "free"] = Field(
        default="constrained", description="constrained: grammar-enforced JSON; free: parse free text."
    )
    parser: str = Field(
        default="json",
        description="Parser for free decoding: a name registered in llmsynth.registry.PARSERS (or by a plugin).",
        json_schema_extra={"examples": [*PARSERS.builtin_names()]},
    )
    regex: str | None = Field(default=None, description="Pattern with named groups, for parser: regex.")

    @field_validator("parser")
    @classmethod
    def _known_parser(cls, name: str) -> str:
        if name not in PARSERS:  # built-in names answer without reading entry points
            raise ValueError(PARSERS.unknown(name))
        return name

    @model_validator(mode="after")
    def _check_prompt(self) -> LLMGroup:
        if self.prompt is None and self.template is None:
            raise ValueError("an llm group needs 'prompt' (inline Jinja) or 'template' (a file or bundled name)")
        if self.prompt is not None and self.template is not None:
            raise ValueError("give either 'prompt' or 'template', not both")
        if self.parser == "regex" and self.decoding == "free" and not self.regex:
            raise ValueError("parser 'regex' needs a 'regex' pattern with named groups")
        return self

    @classmethod
    def from_model(cls, model: type[Any], **settings: Any) -> LLMGroup:
        """A group whose fields come from a pydantic model: ``LLMGroup.from_model(Row, prompt=...)``."""
        from llmsynth.spec.from_pydantic import fields_from_model

        return cls(kind="llm", fields=fields_from_model(model), **settings)

    @override
    def output_names(self) -> list[str]:
        return list(self.fields)

    @property
    def label(self) -> str:
        """How error messages name this group."""
        return self.name or ", ".join(self.fields)

    @override
    def dependencies(self) -> set[str]:
        names: set[str] = set()
        for text, origin in ((self.prompt, "prompt"), (self.system, "system")):
            if text:
                names |= template_variables(text, origin)
        return names - TEMPLATE_GLOBALS - set(self.fields)

    @override
    def column_schemas(self) -> list[ColumnSchema]:
        return [f.schema_for(n) for n, f in self.fields.items()]


def template_variables(text: str, origin: str = "prompt") -> set[str]:
    """Names a Jinja template reads, to order columns before any rendering.

    The template also goes through the sandbox's static pass here, so a spec whose template would be
    refused at render time does not load (ValueError saying where and why).
    """
    try:
        return set(meta.find_undeclared_variables(checked_tree(text)))
    except TemplateSyntaxError as exc:
        raise ValueError(f"{origin}: template syntax error on line {exc.lineno}: {exc.message}") from exc
    except TemplateRefused as exc:
        raise ValueError(f"{origin}: template refused on {exc}") from exc
    except RecursionError:
        raise ValueError(f"{origin}: template refused: nested too deeply") from None
