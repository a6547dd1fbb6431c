"""Thresholds on scores: dotted keys into the score tree, each bounded in its figure's own direction.

``validity.score: 1.0`` is a minimum because more valid rows is better; ``privacy.exact_copies: 0``
is a maximum because fewer copies is better. A key may end in ``:min`` or ``:max`` to say the
bound's direction outright (``spec.checks.distribution:age.ks_statistic:max: 0.05``).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Mapping
from typing import Any, Literal

Bound = Literal["min", "max"]

# (key, direction, label) of the figures shown at the top of every report, in order
HEADLINE: tuple[tuple[str, Bound, str], ...] = (
    ("validity.score", "min", "Valid rows"),
    ("validity.run.first_pass_validity", "min", "First-pass validity (LLM rows)"),
    ("validity.run.reject_rate", "max", "Rejected rows in the run"),
    ("spec.score", "min", "Spec promises kept"),
    ("reference.overall", "min", "Reference quality (SDMetrics-style)"),
    ("reference.column_shapes", "min", "Column shapes"),
    ("reference.column_pair_trends", "min", "Column pair trends"),
    ("diversity.score", "min", "Diversity (normalised entropy)"),
    ("diversity.top_share", "max", "Most common value share"),
    ("diversity.near_duplicates", "max", "Near-duplicate text pairs"),
    ("diversity.duplicate_rows", "max", "Duplicate rows"),
    ("privacy.exact_copies", "max", "Exact copies of reference rows"),
    ("privacy.dcr_ratio", "min", "DCR ratio (synthetic / holdout)"),
    ("usefulness.ratio", "min", "TSTR / TRTR"),
    ("bias.max_tvd", "max", "Sensitive class balance error (TVD)"),
    ("bias.max_gap_error", "max", "Target-by-group gap error"),
)

# leaf names whose figures are better when lower, wherever they sit in the tree
LOWER_IS_BETTER = frozenset(
    {
        "reject_rate",
        "rejected",
        "retries",
        "invalid_rows",
        "top_share",
        "near_duplicates",
        "duplicate_rows",
        "exact_copies",
        "exact_copy_rows",
        "dcr_zero_share",
        "max_tvd",
        "max_gap_error",
        "gap_error",
        "tvd",
        "max_share_error",
        "max_rate_error",
        "ks_statistic",
        "max_abs_error",
        "max_abs_deviation",
        "noise_sd_error",
        "unexpected_share",
        "failed",
        "gap",
    }
)


def direction(key: str) -> Bound:
    """Whether a score key is good when high or when low (privacy copies, gaps), by its name."""
    for headline_key, bound, _ in HEADLINE:
        if key == headline_key:
            return bound
    return "max" if key.rsplit(".", 1)[-1] in LOWER_IS_BETTER else "min"


def split_key(key: str) -> tuple[str, Bound]:
    """``'a.b:max'`` -> ``('a.b', 'max')``; a bare key gets its figure's natural direction."""
    for suffix in ("min", "max"):
        if key.endswith(f":{suffix}"):
            return key[: -len(suffix) - 1], suffix
    return key, direction(key)


def resolve(scores: Mapping[str, Any], key: str) -> tuple[bool, Any]:
    """Walk a dotted key through nested dicts; parts may themselves contain dots (column names)."""
    parts = key.split(".")

    def walk(node: Any, start: int) -> tuple[bool, Any]:
        if start == len(parts):
            return True, node
        if not isinstance(node, Mapping):
            return False, None
        for end in range(len(parts), start, -1):  # longest name first
            name = ".".join(parts[start:end])
            if name in node:
                found, value = walk(node[name], end)
                if found:
                    return True, value
        return False, None

    return walk(scores, 0)


def numeric_keys(scores: Mapping[str, Any], prefix: str = "") -> Iterator[str]:
    """Dotted keys of every number in a score tree, the names thresholds can use."""
    for name, value in scores.items():
        key = f"{prefix}{name}"
        if isinstance(value, Mapping):
            yield from numeric_keys(value, key + ".")
        elif isinstance(value, int | float) and not isinstance(value, bool):
            yield key


def _not_computed(scores: Mapping[str, Any], key: str) -> str | None:
    """Why a figure is absent when its family was skipped or its parent is empty, else None."""
    parts = key.split(".")
    for end in range(1, len(parts) + 1):
        found, value = resolve(scores, ".".join(parts[:end]))
        if found and isinstance(value, Mapping) and "skipped" in value:
            return str(value["skipped"])
        if found and value is None:
            return "not computed"
    return "not computed" if key in {k for k, _, _ in HEADLINE} else None


def _evaluate(scores: Mapping[str, Any], thresholds: Mapping[str, float]) -> tuple[list[str], list[str]]:
    failures, unchecked = [], []
    for raw_key, limit in thresholds.items():
        key, bound = split_key(raw_key)
        found, value = resolve(scores, key)
        if found and isinstance(value, int | float) and not isinstance(value, bool):
            number = float(value)
            if (bound == "min" and number < limit) or (bound == "max" and number > limit):
                sign = "<" if bound == "min" else ">"
                failures.append(f"{key} = {number:.4g} {sign} {bound} {limit:g}")
            continue
        reason = _not_computed(scores, key)
        if reason is not None:
            unchecked.append(f"{key} ({bound} {limit:g}): {reason}")
            continue
        close = difflib.get_close_matches(key, list(numeric_keys(scores)), n=1)
        hint = f"did you mean '{close[0]}'?" if close else "no such score"
        failures.append(f"{key}: unknown score key ({hint}); threshold {bound} {limit:g}")
    return failures, unchecked


def failed_thresholds(scores: Mapping[str, Any], thresholds: Mapping[str, float]) -> list[str]:
    """One line per threshold not met, or naming a score that does not exist (a typo).

    A threshold on a figure that was not computed this time (no reference, no run record) is not a
    failure: ``unchecked_thresholds`` lists those.
    """
    return _evaluate(scores, thresholds)[0]


def unchecked_thresholds(scores: Mapping[str, Any], thresholds: Mapping[str, float]) -> list[str]:
    """Thresholds whose figure was not computed this time, each with the reason."""
    return _evaluate(scores, thresholds)[1]
