"""Evaluate checked expression trees with numpy, node by node: no Python ``eval`` of user text.

``llmsynth.spec.kinds.expression`` has already whitelisted the tree; here each node maps to a numpy
operation on whole columns. Random calls do not draw while evaluating: ``draw_random`` makes their
draws first (standard normals, uniforms, exponentials; no column read), so the engine can draw them
per fixed block of rows, and the evaluator maps them with the call's parameters.
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pandas as pd
from typing_extensions import override

from llmsynth.errors import ExpressionError, GenerationError
from llmsynth.scaffold.base import Material, Sampler, rows_of
from llmsynth.scaffold.promises import LinearPromise, Promise
from llmsynth.spec.kinds.expression import ExpressionColumn, parse_expression

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
# random functions: what each call draws per row (context-free), and its parameters with defaults
# (None = required); the values are made from the draws with the parameters in ``_random_values``
_RANDOM: dict[str, tuple[str, tuple[tuple[str, float | None], ...]]] = {
    "normal": ("normal", (("loc", 0.0), ("scale", 1.0))),
    "uniform": ("uniform", (("low", 0.0), ("high", 1.0))),
    "lognormal": ("normal", (("mean", 0.0), ("sigma", 1.0))),
    "exponential": ("exponential", (("scale", 1.0),)),
    "poisson": ("normal", (("lam", 1.0),)),
    "binomial": ("normal", (("n", None), ("p", None))),
    "choice": ("uniform", ()),
}


def random_calls(tree: ast.AST) -> list[str]:
    """Names of the random calls in the order the evaluator reaches them (arguments first)."""
    calls: list[str] = []
    for child in ast.iter_child_nodes(tree):
        calls.extend(random_calls(child))
    if isinstance(tree, ast.Call) and isinstance(tree.func, ast.Name) and tree.func.id in _RANDOM:
        calls.append(tree.func.id)
    return calls


def draw_random(tree: ast.AST, n: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """The draws every random call of ``tree`` needs for ``n`` rows, before any column is read."""
    makers: dict[str, Callable[[int], np.ndarray]] = {
        "normal": lambda size: rng.standard_normal(size),
        "uniform": lambda size: rng.random(size),
        "exponential": lambda size: rng.standard_exponential(size),
    }
    return {f"call{i}": makers[_RANDOM[name][0]](n) for i, name in enumerate(random_calls(tree))}


class Evaluator:
    """Evaluates one tree over ``n`` rows; ``names`` maps column names to arrays, ``draws`` holds the
    random calls' draws (``draw_random``), or is None where randomness is not allowed."""

    def __init__(
        self, names: Mapping[str, Any], draws: Mapping[str, np.ndarray] | None, n: int, column: str
    ) -> None:
        self.names, self.draws, self.n, self.column = names, draws, n, column
        self.calls = 0

    def __call__(self, tree: ast.Expression) -> np.ndarray:
        """The expression's values for the current table (one numpy operation per node)."""
        with np.errstate(all="ignore"):  # division by zero etc. become inf/nan, checked by the caller
            value = self.visit(tree.body)
        return np.broadcast_to(np.asarray(value), (self.n,)).copy()

    def visit(self, node: ast.AST) -> Any:
        """Dispatch a node to its numpy operation; only whitelisted nodes reach here."""
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
        if self.draws is None:
            raise ExpressionError(
                f"'{name}' draws random numbers, which is not allowed here", column=self.column
            )
        draw = self.draws[f"call{self.calls}"]
        self.calls += 1
        if name == "choice":
            if not args:
                raise ExpressionError("choice(...) needs at least one option", column=self.column)
            index = np.minimum((draw * len(args)).astype(np.int64), len(args) - 1)
            return np.asarray(args, dtype=object)[index]
        _, params = _RANDOM[name]
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
        return _random_values(name, values, draw)


def _random_values(name: str, p: dict[str, Any], draw: np.ndarray) -> np.ndarray:
    """Values of one random call from its draws: location-scale maps, or a discrete law's inverse."""
    if name == "normal":
        return np.asarray(p["loc"] + p["scale"] * draw)
    if name == "lognormal":
        return np.asarray(np.exp(p["mean"] + p["sigma"] * draw))
    if name == "uniform":
        return np.asarray(p["low"] + (p["high"] - p["low"]) * draw)
    if name == "exponential":
        return np.asarray(p["scale"] * draw)
    from llmsynth.scaffold.numeric import law_values

    if name == "poisson":
        return law_values("poisson", {"mu": p["lam"]}, None, True, draw).astype(np.int64)
    return law_values("binom", {"n": p["n"], "p": p["p"]}, None, True, draw).astype(np.int64)


def evaluate(
    text: str | ast.Expression,
    names: Mapping[str, Any],
    n: int,
    rng: np.random.Generator | Mapping[str, np.ndarray] | None,
    column: str,
    missing: np.ndarray | None = None,
) -> np.ndarray:
    """Values of ``text`` for ``n`` rows; random calls take their draws from ``rng`` (a generator, or
    draws made by ``draw_random``). Non-finite results are an error naming the column, except in rows
    marked ``missing`` (an input there is missing, so the result is too)."""
    try:
        tree = parse_expression(text) if isinstance(text, str) else text
    except ValueError as exc:
        raise ExpressionError(str(exc), column=column) from exc
    draws = draw_random(tree, n, rng) if isinstance(rng, np.random.Generator) else rng
    try:
        values = Evaluator(names, draws, n, column)(tree)
    except (ValueError, TypeError) as exc:  # a bad argument to a law (negative rate, p above 1)
        if isinstance(exc, ExpressionError):
            raise
        raise GenerationError(f"column '{column}': expression {ast.unparse(tree)!r} failed: {exc}") from exc
    if values.dtype.kind == "f":
        bad_rows = ~np.isfinite(values)
        if missing is not None:
            bad_rows &= ~missing
        if bad_rows.any():
            raise GenerationError(
                f"column '{column}': expression {ast.unparse(tree)!r} gave {int(bad_rows.sum())} non-finite"
                " value(s) (division by zero, log of a negative number?)"
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


def column_values(series: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """A column as a numpy array for arithmetic (missing numbers as NaN), and its missing-value mask."""
    absent = series.isna().to_numpy()
    numeric = pd.api.types.is_bool_dtype(series.dtype) or pd.api.types.is_numeric_dtype(series.dtype)
    if numeric and absent.any():
        return series.to_numpy(dtype=float, na_value=np.nan), absent
    return series.to_numpy(), absent


def _with_missing(values: np.ndarray, missing: np.ndarray, integer: bool) -> Any:
    """Blank the rows whose inputs were missing, in a dtype that can hold a missing value."""
    if values.dtype.kind in "fiub":
        out = values.astype(float)
        out[missing] = np.nan
        return pd.array(out, dtype="Int64") if integer else out
    out = values.astype(object)
    out[missing] = None
    return out


def _scale(
    form: tuple[dict[str, float], float, float] | None, factor: float
) -> tuple[dict[str, float], float, float] | None:
    if form is None:
        return None
    return {k: v * factor for k, v in form[0].items()}, form[1] * factor, form[2] * factor**2


class ExpressionSampler(Sampler[ExpressionColumn]):
    """``kind: expression``: a column computed from the columns before it, plus seeded noise.

    Rows where a column it reads is missing are missing too (no error for their NaN results).
    """

    @override
    def fit(self) -> ExpressionSampler:
        self.tree_ = parse_expression(self.spec.expr)
        return self

    @override
    def draw(self, n: int, rng: np.random.Generator) -> Material:
        return {"rows": np.empty((n, 0)), **draw_random(self.tree_, n, rng)}

    @override
    def finish(self, material: Material, context: pd.DataFrame | None) -> pd.DataFrame:
        spec, n = self.spec, rows_of(material)
        names: dict[str, Any] = {}
        missing = np.zeros(n, dtype=bool)
        for name in sorted(spec.dependencies()):
            if context is None or name not in context.columns:
                raise ExpressionError(f"unknown name '{name}'", column=spec.name)
            values, absent = column_values(context[name])
            names[name] = values
            missing |= absent
        values = evaluate(self.tree_, names, n, material, spec.name, missing=missing)
        if values.dtype == bool:
            values = values.astype(np.int64)
        if spec.clip is not None:
            low, high = spec.clip
            values = np.clip(values, -np.inf if low is None else low, np.inf if high is None else high)
        if spec.round is not None:
            values = np.round(values.astype(float), spec.round)
        if missing.any():
            return pd.DataFrame({spec.name: _with_missing(values, missing, integer=spec.round == 0)})
        if spec.round == 0:
            values = values.astype(np.int64)
        return pd.DataFrame({spec.name: values})

    @override
    def promises(self) -> list[Promise]:
        if self.spec.clip is not None or self.spec.round is not None:
            return []
        form = linear_form(parse_expression(self.spec.expr))
        if form is None or not form[0]:
            return []
        coefs, intercept, variance = form
        return [LinearPromise(self.spec.name, coefs, intercept, float(np.sqrt(variance)))]
