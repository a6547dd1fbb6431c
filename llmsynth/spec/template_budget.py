"""The limits a prompt template renders under, and the per-render ``Budget`` they are charged to.

``template_growth`` checks the operations that can make work grow, ``template_sandbox`` builds the
Jinja environment that calls them; both charge the budget of the render in progress (a context
variable, so concurrent renders do not share one). Values are documented in docs/hostile-input.md.
"""

from __future__ import annotations

import contextvars
from dataclasses import dataclass
from typing import Any

from jinja2.exceptions import TemplateRuntimeError

MAX_TEMPLATE_CHARS = 100_000
MAX_PROMPT_CHARS = 100_000
MAX_VALUE_CHARS = 100_000
MAX_ITEMS = 100_000
MAX_WORK_CHARS = 1_000_000
MAX_LOOP_ITERATIONS = 10_000
MAX_CALLS = 50_000
MAX_INT_BITS = 4_096
MAX_FORMAT_WIDTH = 1_000


class TemplateLimitError(TemplateRuntimeError):
    """A template tried to build more than the limits allow."""


@dataclass
class Budget:
    """What one render has spent: characters produced, loop iterations, calls."""

    work: int = 0
    loops: int = 0
    calls: int = 0

    def produce(self, size: int) -> None:
        """Charge ``size`` characters of produced values; over the limit is a TemplateLimitError."""
        self.work += size
        if self.work > MAX_WORK_CHARS:
            raise TemplateLimitError(f"the template produced over {MAX_WORK_CHARS:,} characters of values")

    def iterate(self, cost: int) -> None:
        """Charge one loop iteration (and what it produced)."""
        self.loops += 1
        if self.loops > MAX_LOOP_ITERATIONS:
            raise TemplateLimitError(f"loops ran over {MAX_LOOP_ITERATIONS:,} iterations in one prompt")
        self.produce(cost)

    def call(self) -> None:
        """Charge one call or filter."""
        self.calls += 1
        if self.calls > MAX_CALLS:
            raise TemplateLimitError(f"over {MAX_CALLS:,} calls and filters in one prompt")


BUDGET: contextvars.ContextVar[Budget | None] = contextvars.ContextVar("llmsynth_template_budget", default=None)


def sized(value: Any) -> Any:
    """Check a value a template built against the size limits and charge it to the budget."""
    if isinstance(value, str | bytes):
        size, limit, unit = len(value), MAX_VALUE_CHARS, "characters"
    elif isinstance(value, list | tuple | dict | set | frozenset):
        size, limit, unit = len(value), MAX_ITEMS, "items"
    else:
        return value
    if size > limit:
        raise TemplateLimitError(f"a value of {size:,} {unit} is over the limit of {limit:,}")
    budget = BUDGET.get()
    if budget is not None:
        budget.produce(size)
    return value


def refuse_size(what: str, size: int, unit: str, limit: int) -> None:
    """A TemplateLimitError when an operation would build more than ``limit``."""
    if size > limit:
        raise TemplateLimitError(f"{what} would build {size:,} {unit} (limit {limit:,})")


def show(value: Any) -> str:
    """A value shortened for an error message."""
    text = repr(value)
    return text if len(text) <= 20 else text[:17] + "..."
