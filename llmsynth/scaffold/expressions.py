"""Evaluate checked expression trees with numpy, node by node: no Python ``eval`` of user text.

``llmsynth.spec.expression`` has already whitelisted the tree; here each node maps to a numpy
operation on whole columns, and random calls draw ``n`` values from the stream the engine passes.
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from llmsynth.errors import ExpressionError, GenerationError
from llmsynth.scaffold.base import Sampler
from llmsynth.scaffold.promises import LinearPromise, Promise
from llmsynth.spec.expression import parse_expression

_BINARY: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Pow: np.power,
    ast.BitAnd: np.logical_and,
    ast.BitOr: np.logical_or,
}
_UNARY: dict[type, Callable[[Any], Any]] = {
    ast.USub: operator.neg,
    ast.UAdd: operator.pos,
    ast.Not: np.logical_not,
    ast.Invert: np.logical_not,
}
_COMPARE: dict[type, Callable[[Any, Any], Any]] = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
}
_MATH: dict[str, Callable[..., Any]] = {
    "abs": np.abs,
    "sqrt": np.sqrt,
    "exp": np.exp,
    "log": np.log,
    "log10": np.log10,
    "log1p": np.log1p,
    "sin": np.sin,
    "cos": np.cos,
    "tan": np.tan,
    "floor": np.floor,
    "ceil": np.ceil,
    "round": np.round,
    "minimum": np.minimum,
    "maximum": np.maximum,
    "clip": np.clip,
    "where": np.where,
    "tanh": np.tanh,
    "sign": np.sign,
}
_CONSTANTS = {"pi": np.pi, "e": np.e, "True": True, "False": False}
# random functions: numpy Generator method and its parameters with defaults (None = required)
_RANDOM: dict[str, tuple[str, tuple[tuple[str, float | None], ...]]] = {
    "normal": ("normal", (("loc", 0.0), ("scale", 1.0))),
    "uniform": ("uniform", (("low", 0.0), ("high", 1.0))),
    "lognormal": ("lognormal", (("mean", 0.0), ("sigma", 1.0))),
    "exponential": ("exponential", (("scale", 1.0),)),
    "poisson": ("poisson", (("lam", 1.0),)),
    "binomial": ("binomial", (("n", None), ("p", None))),
}


class Evaluator:
    """Evaluates one tree over ``n`` rows; ``names`` maps column names to arrays."""

    def __init__(
        self, names: Mapping[str, Any], rng: np.random.Generator | None, n: int, column: str
    ) -> None:
        self.names, self.rng, self.n, self.column = names, rng, n, column

    def __call__(self, tree: ast.Expression) -> np.ndarray:
        with np.errstate(all="ignore"):  # division by zero etc. become inf/nan, checked by the caller
            value = self.visit(tree.body)
        return np.broadcast_to(np.asarray(value), (self.n,)).copy()

    def visit(self, node: ast.AST) -> Any:
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, ast.Name):
            if node.id in self.names:
                return self.names[node.id]
            if node.id in _CONSTANTS:
                return _CONSTANTS[node.id]
            raise ExpressionError(f"unknown name '{node.id}'", column=self.column)
        if isinstance(node, ast.BinOp):
            return _BINARY[type(node.op)](self.visit(node.left), self.visit(node.right))
        if isinstance(node, ast.UnaryOp):
            return _UNARY[type(node.op)](self.visit(node.operand))
        if isinstance(node, ast.BoolOp):
            combine = np.logical_and if isinstance(node.op, ast.And) else np.logical_or
            result = self.visit(node.values[0])
            for value in node.values[1:]:
                result = combine(result, self.visit(value))
            return result
        if isinstance(node, ast.Compare):
            result, left = True, self.visit(node.left)
            for op, right_node in zip(node.ops, node.comparators, strict=True):
                right = self.visit(right_node)
                result = np.logical_and(result, _COMPARE[type(op)](left, right))
                left = right
            return result
        if isinstance(node, ast.IfExp):
            return np.where(self.visit(node.test), self.visit(node.body), self.visit(node.orelse))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            return self._call(node.func.id, node)
        raise ExpressionError(f"cannot evaluate {type(node).__name__}", column=self.column)

    def _call(self, name: str, node: ast.Call) -> Any:
        args = [self.visit(a) for a in node.args]
        kwargs = {k.arg: self.visit(k.value) for k in node.keywords if k.arg}
        if name in _MATH:
            return _MATH[name](*args, **kwargs)
        if self.rng is None:
            raise ExpressionError(
                f"'{name}' draws random numbers, which is not allowed here", column=self.column
            )
        if name == "choice":
            if not args:
                raise ExpressionError("choice(...) needs at least one option", column=self.column)
            return np.asarray(args, dtype=object)[self.rng.integers(0, len(args), size=self.n)]
        method, params = _RANDOM[name]
        if len(args) > len(params):
            raise ExpressionError(f"{name}() takes at most {len(params)} arguments", column=self.column)
        values = dict(zip([p for p, _ in params], args, strict=False))
        for key, value in kwargs.items():
            if key not in dict(params):
                raise ExpressionError(f"{name}() has no argument '{key}'", column=self.column)
            values[key] = value
        for key, default in params:
            if key not in values:
                if default is None:
                    raise ExpressionError(f"{name}() needs '{key}'", column=self.column)
                values[key] = default
        return getattr(self.rng, method)(size=self.n, **values)


def evaluate(
    text: str, names: Mapping[str, Any], n: int, rng: np.random.Generator | None, column: str
) -> np.ndarray:
    """Values of ``text`` for ``n`` rows; non-finite results are an error naming the column."""
    try:
        tree = parse_expression(text)
    except ValueError as exc:
        raise ExpressionError(str(exc), column=column) from exc
    values = Evaluator(names, rng, n, column)(tree)
    if values.dtype.kind == "f" and not np.isfinite(values).all():
        bad = int((~np.isfinite(values)).sum())
        raise GenerationError(
            f"column '{column}': expression {text!r} gave {bad} non-finite value(s)"
            " (division by zero, log of a negative number?)"
        )
    return values


def linear_form(node: ast.AST) -> tuple[dict[str, float], float, float] | None:
    """(coefficients, intercept, noise variance) when the expression is linear in columns plus
    normal(...) noise with constant arguments; None otherwise."""
    if isinstance(node, ast.Expression):
        return linear_form(node.body)
    if (
        isinstance(node, ast.Constant)
        and isinstance(node.value, int | float)
        and not isinstance(node.value, bool)
    ):
        return {}, float(node.value), 0.0
    if isinstance(node, ast.Name) and node.id not in _CONSTANTS:
        return {node.id: 1.0}, 0.0, 0.0
    if isinstance(node, ast.Name):
        value = _CONSTANTS[node.id]
        return ({}, float(value), 0.0) if not isinstance(value, bool) else None
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        inner = linear_form(node.operand)
        return _scale(inner, -1.0 if isinstance(node.op, ast.USub) else 1.0)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "normal":
        parts = [linear_form(a) for a in node.args]
        if node.keywords or len(parts) > 2 or any(p is None or p[0] or p[2] for p in parts):
            return None
        loc = parts[0][1] if parts and parts[0] else 0.0
        scale = parts[1][1] if len(parts) > 1 and parts[1] else 1.0
        return {}, loc, scale**2
    if isinstance(node, ast.BinOp):
        left, right = linear_form(node.left), linear_form(node.right)
        if left is None or right is None:
            return None
        if isinstance(node.op, ast.Add | ast.Sub):
            sign = 1.0 if isinstance(node.op, ast.Add) else -1.0
            coefs = dict(left[0])
            for k, v in right[0].items():
                coefs[k] = coefs.get(k, 0.0) + sign * v
            return coefs, left[1] + sign * right[1], left[2] + right[2]
        if isinstance(node.op, ast.Mult):
            if not left[0] and not left[2]:
                return _scale(right, left[1])
            if not right[0] and not right[2]:
                return _scale(left, right[1])
        if isinstance(node.op, ast.Div) and not right[0] and not right[2] and right[1] != 0:
            return _scale(left, 1.0 / right[1])
    return None


def _scale(form: tuple[dict[str, float], float, float] | None, factor: float) -> Any:
    if form is None:
        return None
    return {k: v * factor for k, v in form[0].items()}, form[1] * factor, form[2] * factor**2


class ExpressionSampler(Sampler):
    """``kind: expression``: a column computed from the columns before it, plus seeded noise."""

    def sample(self, n: int, rng: np.random.Generator, context: pd.DataFrame) -> pd.DataFrame:
        spec = self.spec
        names = {c: context[c].to_numpy() for c in spec.dependencies()}
        values = evaluate(spec.expr, names, n, rng, spec.name)
        if values.dtype == bool:
            values = values.astype(np.int64)
        if spec.clip is not None:
            low, high = spec.clip
            values = np.clip(values, -np.inf if low is None else low, np.inf if high is None else high)
        if spec.round is not None:
            values = np.round(values.astype(float), spec.round)
            if spec.round == 0:
                values = values.astype(np.int64)
        return pd.DataFrame({spec.name: values})

    def promises(self) -> list[Promise]:
        if self.spec.clip is not None or self.spec.round is not None:
            return []
        form = linear_form(parse_expression(self.spec.expr))
        if form is None or not form[0]:
            return []
        coefs, intercept, variance = form
        return [LinearPromise(self.spec.name, coefs, intercept, float(np.sqrt(variance)))]
