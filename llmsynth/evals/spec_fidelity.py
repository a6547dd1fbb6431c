"""Fidelity to the spec: every scaffold sampler's promises, each checked by the test for its kind.

Samplers say what they promise (``llmsynth.scaffold.promises``); this module only dispatches on the
promise type, so a new sampler kind is checked as soon as it returns one of the known promises.
A promise type without a checker is listed as unchecked rather than silently dropped.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd

from llmsynth.errors import LLMSynthError
from llmsynth.evals.inputs import EvalInputs
from llmsynth.evals.promise_checks import check_categorical, check_distribution, check_missing, check_tabulated
from llmsynth.evals.structure_checks import (
    check_arma,
    check_correlation,
    check_graph,
    check_linear,
    check_sum,
)
from llmsynth.scaffold.promises import (
    ArmaPromise,
    CategoricalPromise,
    CorrelationPromise,
    DistributionPromise,
    GraphPromise,
    LinearPromise,
    MissingPromise,
    Promise,
    SumPromise,
    TabulatedPromise,
)
from llmsynth.spec import DatasetSpec, LLMGroup
from llmsynth.spec.kinds.base import SamplerColumn

Check = Callable[[Any, pd.DataFrame], dict[str, Any]]

CHECKS: dict[type, tuple[str, Check]] = {
    DistributionPromise: ("distribution", check_distribution),
    TabulatedPromise: ("tabulated", check_tabulated),
    CategoricalPromise: ("categorical", check_categorical),
    CorrelationPromise: ("correlation", check_correlation),
    SumPromise: ("sum", check_sum),
    ArmaPromise: ("arma", check_arma),
    LinearPromise: ("linear", check_linear),
    GraphPromise: ("graph", check_graph),
    MissingPromise: ("missing", check_missing),
}

# Kinds whose entries promise nothing the spec family can test, and why; every other kind must make at
# least one promise with a check above (tests/test_kinds.py holds both sides, so this table cannot go stale).
UNCHECKED_KINDS: dict[str, str] = {
    "llm": "text written by the model: each row is checked against the row schema by the validity family",
    "date": "days drawn uniformly between bounds: the bounds are part of the row schema (validity)",
    "datetime": "times drawn uniformly between bounds: the bounds are part of the row schema (validity)",
    "id": "identifiers: uniqueness and format are part of the row schema (validity)",
    "tree": "labels from a tree learned on sample data: judged by usefulness (train on synthetic, test on real)",
    "conditional": "each case's promises hold on that case's rows only, and promises carry no row filter yet",
    "data": "rows copied from a given table: nothing is drawn, so nothing is promised",
}


def collect_promises(spec: DatasetSpec) -> tuple[list[Promise], dict[str, str]]:
    """Promises of every scaffold entry, and why an entry gave none (unregistered kind, failed fit)."""
    from llmsynth.scaffold.missing import MissingMask
    from llmsynth.scaffold.registry import build_sampler

    promises: list[Promise] = []
    problems: dict[str, str] = {}
    for column in spec.columns:
        if isinstance(column, LLMGroup):
            continue
        try:
            sampler = build_sampler(column, spec)
            promises.extend(sampler.promises())
        except (KeyError, ImportError, LLMSynthError) as exc:
            problems[column.label] = f"{type(exc).__name__}: {exc}"
            continue
        if isinstance(column, SamplerColumn) and column.null_rates():
            promises.extend(MissingMask(column, sampler.stream_key).promises())
    return promises, problems


def promise_columns(promise: Promise) -> list[str]:
    """The data columns a promise is about, in a stable order."""
    if isinstance(promise, GraphPromise):
        return [promise.source, promise.target]
    if isinstance(promise, LinearPromise):
        return [promise.column, *promise.coefficients]
    if isinstance(promise, SumPromise):
        return [*promise.columns, *([promise.total_column] if promise.total_column else [])]
    if isinstance(promise, ArmaPromise):
        return [promise.column, *([promise.group_column] if promise.group_column else [])]
    columns = getattr(promise, "columns", None)
    if columns is not None:
        return list(columns)
    column = getattr(promise, "column", None)
    return [column] if column is not None else []


def check_promise(promise: Promise, data: pd.DataFrame) -> tuple[str, dict[str, Any]]:
    """(check id, result) for one promise; the result always has ``kind``, ``columns`` and ``passed``."""
    name, check = CHECKS.get(type(promise), (type(promise).__name__, None))
    columns = promise_columns(promise)
    key = f"{name}:{','.join(columns)}"
    base: dict[str, Any] = {"kind": name, "columns": columns}
    if check is None:
        return key, {**base, "passed": None, "note": f"no check for {type(promise).__name__}"}
    missing = [c for c in columns if c not in data.columns]
    if missing:
        return key, {**base, "passed": False, "error": f"missing column(s): {', '.join(missing)}"}
    try:
        result = check(promise, data)
    except (ValueError, ArithmeticError) as exc:  # numpy's LinAlgError is a ValueError
        return key, {**base, "passed": False, "error": f"{type(exc).__name__}: {exc}"}
    return key, {**base, **result}


def spec_fidelity_scores(data: pd.DataFrame, promises: list[Promise], problems: dict[str, str]) -> dict[str, Any]:
    """``score`` is the share of checked promises that passed (None when nothing could be checked)."""
    checks: dict[str, dict[str, Any]] = {}
    for promise in promises:
        key, result = check_promise(promise, data)
        suffix = 2
        while key in checks:  # two promises about the same columns keep both results
            key = f"{key.split('#')[0]}#{suffix}"
            suffix += 1
        checks[key] = result
    verdicts = [c["passed"] for c in checks.values() if c["passed"] is not None]
    passed = sum(bool(v) for v in verdicts)
    return {
        "score": passed / len(verdicts) if verdicts else None,
        "passed": passed,
        "failed": len(verdicts) - passed,
        "unchecked": len(checks) - len(verdicts),
        "checks": checks,
        "problems": problems,
    }


def family(inputs: EvalInputs) -> dict[str, Any]:
    """The ``spec`` family: each promise the spec's samplers make, checked on the table."""
    if inputs.spec is None:
        return {"skipped": "no spec"}
    return spec_fidelity_scores(inputs.data, inputs.promises, inputs.problems)
