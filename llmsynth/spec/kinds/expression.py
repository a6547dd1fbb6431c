"""Expression columns (``weight = 2.5 * height + 50 + normal(0, 5)``): parsed with ``ast``, never eval'd.

The spec side only checks the expression and finds the columns it reads; evaluation lives in
``llmsynth.scaffold.expression``.
"""

from __future__ import annotations

import ast
import warnings
from typing import Literal

from pydantic import Field, field_validator
from typing_extensions import override

from llmsynth.spec.base import ColumnBase
from llmsynth.spec.schema import ColumnSchema

# functions an expression may call: math on arrays, and random draws seeded by the engine
MATH_FUNCTIONS = frozenset(
    {"abs", "sqrt", "exp", "log", "log10", "log1p", "sin", "cos", "tan", "floor", "ceil", "round",
     "minimum", "maximum", "clip", "where", "tanh", "sign"}
)
RANDOM_FUNCTIONS = frozenset({"normal", "uniform", "lognormal", "exponential", "poisson", "binomial", "choice"})
CONSTANTS = frozenset({"pi", "e", "True", "False"})
ALLOWED_FUNCTIONS = MATH_FUNCTIONS | RANDOM_FUNCTIONS

_ALLOWED_NODES = (
    ast.Expression, ast.BinOp, ast.UnaryOp, ast.BoolOp, ast.Compare, ast.IfExp, ast.Call, ast.Name,
    ast.Load, ast.Constant, ast.operator, ast.unaryop, ast.boolop, ast.cmpop, ast.keyword,
)


def parse_expression(text: str) -> ast.Expression:
    """Parse and check an expression; raise ValueError saying which construct is not allowed."""
    shown = text if len(text) <= 80 else text[:77] + "..."  # messages quote it; a hostile one may be huge
    try:
        with warnings.catch_warnings():  # Python only warns about `1if x else 2`; a spec gets a clear error
            warnings.simplefilter("error", SyntaxWarning)
            tree = ast.parse(text, mode="eval")
    except SyntaxError as exc:
        raise ValueError(f"expression {shown!r} is not valid: {exc.msg}") from exc
    except SyntaxWarning as exc:
        raise ValueError(f"expression {shown!r} is not valid: {exc}") from exc
    except (RecursionError, MemoryError) as exc:
        raise ValueError(f"expression {shown!r} is not valid: nested too deeply") from exc
    for node in ast.walk(tree):
        if not isinstance(node, _ALLOWED_NODES):
            raise ValueError(f"expression {shown!r} uses {type(node).__name__}, which is not allowed")
        if isinstance(node, ast.Call) and not _is_allowed_call(node):
            allowed = ", ".join(sorted(ALLOWED_FUNCTIONS))
            raise ValueError(f"expression {shown!r} calls {ast.unparse(node.func)!r}; allowed functions: {allowed}")
        if isinstance(node, ast.Constant) and not isinstance(node.value, int | float | str | bool):
            raise ValueError(f"expression {shown!r} uses a constant of type {type(node.value).__name__}")
    return tree


def _is_allowed_call(node: ast.Call) -> bool:
    return isinstance(node.func, ast.Name) and node.func.id in ALLOWED_FUNCTIONS


def expression_names(text: str) -> set[str]:
    """Column names an expression reads (function names and constants excluded)."""
    tree = parse_expression(text)
    called = {n.func.id for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
    names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
    return names - called - CONSTANTS


class ExpressionColumn(ColumnBase):
    """A column computed from other columns, vectorised; random terms are seeded per column and chunk."""

    kind: Literal["expression"]
    name: str
    expr: str = Field(description="Arithmetic over other columns, e.g. '2.5 * height + 50 + normal(0, 5)'.")
    round: int | None = Field(default=None, description="Round to this many decimals (0 gives integers).")
    clip: tuple[float | None, float | None] | None = Field(default=None, description="[low, high] bounds.")
    type: Literal["number", "integer", "string", "boolean"] | None = Field(
        default=None, description="Output type; default: integer with round 0, string if the expression has text."
    )

    @field_validator("expr")
    @classmethod
    def _check_expr(cls, value: str) -> str:
        parse_expression(value)
        return value

    @override
    def dependencies(self) -> set[str]:
        return expression_names(self.expr)

    @override
    def column_schemas(self) -> list[ColumnSchema]:
        low, high = self.clip if self.clip else (None, None)
        kind = self.type or self._inferred_type()
        if kind not in ("number", "integer"):
            return [ColumnSchema(name=self.name, type=kind)]
        return [ColumnSchema(name=self.name, type=kind, minimum=low, maximum=high)]

    def _inferred_type(self) -> Literal["number", "integer", "string"]:
        tree = parse_expression(self.expr)
        if any(isinstance(n, ast.Constant) and isinstance(n.value, str) for n in ast.walk(tree)):
            return "string"
        return "integer" if self.round == 0 else "number"
