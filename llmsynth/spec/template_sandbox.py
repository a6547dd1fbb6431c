"""The Jinja environment every prompt template compiles and renders in, with limits on what it may build.

Templates come from spec files, so a template is untrusted code. Jinja's immutable sandbox already
blocks Python internals (``__class__``) and mutation of lists and dicts; on top of it, every place
where a template can make work grow is metered against the ``Budget`` of the current render:

- operators that can grow a value (``*``, ``**``, ``+``, ``%``) check the size of their result first;
- every call (macros, methods) and every filter counts, and string methods and filters that take a
  width or repeat text (``center``, ``indent``, ``replace``, ``join``, ``format``...) check it first;
- every loop iteration counts, charged with the template text its body writes (the static pass wraps
  each loop's iterable in the ``_llmsynth_loop`` filter, see ``template_check``);
- every value written is counted, and the prompt may not pass ``MAX_PROMPT_CHARS``.

Limits raise ``TemplateLimitError``; the prompt renderer turns it into a SpecError naming the column.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from typing import Any

from jinja2 import StrictUndefined, pass_context
from jinja2.runtime import Context
from jinja2.sandbox import ImmutableSandboxedEnvironment
from typing_extensions import override

from llmsynth.spec.template_budget import (
    BUDGET,
    MAX_ITEMS,
    MAX_PROMPT_CHARS,
    Budget,
    TemplateLimitError,
    sized,
)
from llmsynth.spec.template_growth import (
    BINOPS,
    FILTER_CHECKS,
    STR_METHOD_CHECKS,
    check_format_string,
    str_method,
)

LOOP_GUARD = "_llmsynth_loop"
SIZE_GUARD = "_llmsynth_size"
# filters a prompt cannot use: `random` draws outside the dataset's seed, so reruns would differ
REMOVED_FILTERS = {"random": "it draws outside the dataset's seed (use a categorical column instead)"}
REMOVED_GLOBALS = ("cycler", "joiner", "lipsum", "namespace")


def render_limited(template: Any, variables: dict[str, Any]) -> str:
    """Render with a fresh budget, stopping as soon as the output passes ``MAX_PROMPT_CHARS``."""
    token = BUDGET.set(Budget())
    try:
        pieces: list[str] = []
        total = 0
        for piece in template.generate(variables):
            total += len(piece)
            if total > MAX_PROMPT_CHARS:
                raise TemplateLimitError(f"the prompt is longer than {MAX_PROMPT_CHARS:,} characters")
            pieces.append(piece)
        return "".join(pieces)
    finally:
        BUDGET.reset(token)


def _count_call() -> None:
    budget = BUDGET.get()
    if budget is not None:
        budget.call()


def _wrap_filter(name: str, func: Callable[..., Any]) -> Callable[..., Any]:
    skip = 1 if getattr(func, "jinja_pass_arg", None) is not None else 0
    check = FILTER_CHECKS.get(name)

    @functools.wraps(func)  # keeps jinja_pass_arg, so Jinja passes the same context argument
    def limited(*args: Any, **kwargs: Any) -> Any:
        _count_call()
        if check is not None and len(args) > skip:
            value = check(args[skip], args[skip + 1 :], kwargs)
            args = (*args[:skip], value, *args[skip + 1 :])
        return sized(func(*args, **kwargs))

    return limited


@pass_context
def _loop_guard(context: Context, iterable: Any, cost: int = 0) -> Iterator[Any]:
    """Count each iteration of a loop (and the template text its body writes) against the budget."""
    budget = BUDGET.get()
    for item in iterable:
        if budget is not None:
            budget.iterate(cost)
        yield item


def _size_guard(value: Any) -> Any:
    return sized(value)


def checked_range(*args: int) -> range:
    """``range`` limited to the loop budget."""
    numbers = range(*args)
    try:
        size = len(numbers)
    except OverflowError:  # more items than a C ssize_t holds
        size = MAX_ITEMS + 1
    if size > MAX_ITEMS:
        raise TemplateLimitError(f"range({', '.join(map(str, args))}) has over {MAX_ITEMS:,} items")
    return numbers


def _finalize(value: Any) -> Any:
    text = value if isinstance(value, str) else str(value)
    budget = BUDGET.get()
    if budget is not None:
        budget.produce(len(text))
    return text


class LimitedSandbox(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox with the size, loop and call limits of this module."""

    intercepted_binops = frozenset(BINOPS)

    def __init__(self) -> None:
        super().__init__(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=False,
                         finalize=_finalize)
        for name in REMOVED_GLOBALS:
            self.globals.pop(name, None)
        self.globals["range"] = checked_range
        for name in REMOVED_FILTERS:
            self.filters.pop(name, None)
        self.filters = {name: _wrap_filter(name, func) for name, func in self.filters.items()}
        self.filters[LOOP_GUARD] = _loop_guard
        self.filters[SIZE_GUARD] = _size_guard

    @override
    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        return BINOPS[operator](left, right)

    @override
    def call(__self, __context: Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        _count_call()
        method = str_method(__obj)
        if method is not None:
            args = STR_METHOD_CHECKS[method[1]](method[0], args, kwargs)
        return sized(super().call(__context, __obj, *args, **kwargs))

    @override
    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        wrapped = super().wrap_str_format(value)
        if wrapped is not None:
            check_format_string(value.__self__)
        return wrapped


_ENVIRONMENT: LimitedSandbox | None = None


def environment() -> LimitedSandbox:
    """The shared environment (built on first use)."""
    global _ENVIRONMENT
    if _ENVIRONMENT is None:
        _ENVIRONMENT = LimitedSandbox()
    return _ENVIRONMENT
