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

import contextvars
import functools
import math
import re
import string
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from jinja2 import StrictUndefined, pass_context
from jinja2.exceptions import TemplateRuntimeError
from jinja2.runtime import Context
from jinja2.sandbox import ImmutableSandboxedEnvironment

MAX_TEMPLATE_CHARS = 100_000
MAX_PROMPT_CHARS = 100_000
MAX_VALUE_CHARS = 100_000
MAX_ITEMS = 100_000
MAX_WORK_CHARS = 1_000_000
MAX_LOOP_ITERATIONS = 10_000
MAX_CALLS = 50_000
MAX_INT_BITS = 4_096
MAX_FORMAT_WIDTH = 1_000

LOOP_GUARD = "_llmsynth_loop"
SIZE_GUARD = "_llmsynth_size"
# filters a prompt cannot use: `random` draws outside the dataset's seed, so reruns would differ
REMOVED_FILTERS = {"random": "it draws outside the dataset's seed (use a categorical column instead)"}
REMOVED_GLOBALS = ("cycler", "joiner", "lipsum", "namespace")


class TemplateLimitError(TemplateRuntimeError):
    """A template tried to build more than the limits allow."""


@dataclass
class Budget:
    """What one render has spent: characters produced, loop iterations, calls."""

    work: int = 0
    loops: int = 0
    calls: int = 0

    def produce(self, size: int) -> None:
        self.work += size
        if self.work > MAX_WORK_CHARS:
            raise TemplateLimitError(f"the template produced over {MAX_WORK_CHARS:,} characters of values")

    def iterate(self, cost: int) -> None:
        self.loops += 1
        if self.loops > MAX_LOOP_ITERATIONS:
            raise TemplateLimitError(f"loops ran over {MAX_LOOP_ITERATIONS:,} iterations in one prompt")
        self.produce(cost)

    def call(self) -> None:
        self.calls += 1
        if self.calls > MAX_CALLS:
            raise TemplateLimitError(f"over {MAX_CALLS:,} calls and filters in one prompt")


_BUDGET: contextvars.ContextVar[Budget | None] = contextvars.ContextVar("llmsynth_template_budget", default=None)


def render_limited(template: Any, variables: dict[str, Any]) -> str:
    """Render with a fresh budget, stopping as soon as the output passes ``MAX_PROMPT_CHARS``."""
    token = _BUDGET.set(Budget())
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
        _BUDGET.reset(token)


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
    budget = _BUDGET.get()
    if budget is not None:
        budget.produce(size)
    return value


def _refuse_size(what: str, size: int, unit: str, limit: int) -> None:
    if size > limit:
        raise TemplateLimitError(f"{what} would build {size:,} {unit} (limit {limit:,})")


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 20 else text[:17] + "..."


# ---- operators ----------------------------------------------------------------------------------


def checked_mul(left: Any, right: Any) -> Any:
    for seq, count in ((left, right), (right, left)):
        if isinstance(seq, str | list | tuple) and isinstance(count, int):
            is_text = isinstance(seq, str)
            _refuse_size(
                f"{_show(seq)} * {count}", len(seq) * max(count, 0), "characters" if is_text else "items",
                MAX_VALUE_CHARS if is_text else MAX_ITEMS,
            )
            return sized(seq * count)
    if isinstance(left, int) and isinstance(right, int) and left.bit_length() + right.bit_length() > MAX_INT_BITS:
        raise TemplateLimitError(f"{_show(left)} * {_show(right)} is an integer over {MAX_INT_BITS:,} bits")
    return left * right


def checked_pow(left: Any, right: Any) -> Any:
    if isinstance(left, int) and isinstance(right, int) and right > 0 and abs(left) > 1:
        bits = int(math.log2(abs(left)) * right) + 1
        if bits > MAX_INT_BITS:
            raise TemplateLimitError(f"{_show(left)} ** {right} is an integer of about {bits:,} bits "
                                     f"(limit {MAX_INT_BITS:,})")
    return left**right


def checked_add(left: Any, right: Any) -> Any:
    result = left + right  # both sides are already within the limits, so this is at most twice that
    return sized(result) if isinstance(result, str | list | tuple) else result


_PRINTF = re.compile(r"%(?:\([^)]*\))?[#0\- +]*(\*|\d+)?(?:\.(\*|\d+))?")


def check_printf(fmt: str) -> None:
    """Refuse ``%`` formats whose width or precision could build a huge string."""
    for match in _PRINTF.finditer(fmt):
        for part in match.groups():
            if part == "*":
                raise TemplateLimitError("a '*' width in a % format is not allowed (widths must be written out)")
            if part and (len(part) > 6 or int(part) > MAX_FORMAT_WIDTH):
                raise TemplateLimitError(f"format width {part} is over the limit of {MAX_FORMAT_WIDTH:,}")


def check_format_string(fmt: str) -> None:
    """Refuse ``str.format`` fields with nested or huge widths (``{:>1000000000}``)."""
    for _, _, spec, _ in string.Formatter().parse(fmt):
        if not spec:
            continue
        if "{" in spec:
            raise TemplateLimitError("a format width given by another field ({:{w}}) is not allowed")
        for digits in re.findall(r"\d+", spec):
            if len(digits) > 6 or int(digits) > MAX_FORMAT_WIDTH:
                raise TemplateLimitError(f"format width {digits} is over the limit of {MAX_FORMAT_WIDTH:,}")


def checked_mod(left: Any, right: Any) -> Any:
    if isinstance(left, str):
        check_printf(left)
        return sized(left % right)
    return left % right


BINOPS: dict[str, Callable[[Any, Any], Any]] = {
    "*": checked_mul, "**": checked_pow, "+": checked_add, "%": checked_mod,
}


# ---- argument checks for filters and string methods --------------------------------------------


def _arg(args: tuple[Any, ...], kwargs: dict[str, Any], index: int, name: str, default: Any) -> Any:
    return args[index] if len(args) > index else kwargs.get(name, default)


def _width_at_most(width: Any, what: str) -> None:
    if isinstance(width, int) and width > MAX_VALUE_CHARS:
        raise TemplateLimitError(f"{what}({width}) would build over {MAX_VALUE_CHARS:,} characters")


def _materialised(iterable: Any) -> Any:
    """An iterable as a list (at most MAX_ITEMS + 1 items taken) so its size can be checked first."""
    if isinstance(iterable, str | list | tuple | dict):
        return iterable
    items = []
    for item in iterable:
        items.append(item)
        if len(items) > MAX_ITEMS:
            raise TemplateLimitError(f"an iterable of over {MAX_ITEMS:,} items")
    return items


def _joined_size(separator: str, items: Any) -> int:
    return sum(len(x) if isinstance(x, str) else 8 for x in items) + len(separator) * max(len(items) - 1, 0)


def _check_replace(text: Any, old: Any, new: Any, count: Any) -> None:
    if isinstance(text, str) and isinstance(old, str) and isinstance(new, str):
        hits = len(text) + 1 if old == "" else text.count(old)
        if isinstance(count, int) and count >= 0:
            hits = min(hits, count)
        _refuse_size("replace()", len(text) + hits * (len(new) - len(old)), "characters", MAX_VALUE_CHARS)


def _filter_center(value: Any, args: tuple, kwargs: dict) -> Any:
    _width_at_most(_arg(args, kwargs, 0, "width", 80), "center")
    return value


def _filter_indent(value: Any, args: tuple, kwargs: dict) -> Any:
    width = _arg(args, kwargs, 0, "width", 4)
    per_line = len(width) if isinstance(width, str) else width if isinstance(width, int) else 0
    lines = str(value).count("\n") + 1
    _refuse_size("indent()", len(str(value)) + lines * per_line, "characters", MAX_VALUE_CHARS)
    return value


def _filter_wordwrap(value: Any, args: tuple, kwargs: dict) -> Any:
    wrap = _arg(args, kwargs, 2, "wrapstring", None)
    if isinstance(wrap, str):
        _refuse_size("wordwrap()", len(str(value)) * (1 + len(wrap)), "characters", MAX_VALUE_CHARS)
    return value


def _filter_format(value: Any, args: tuple, kwargs: dict) -> Any:
    if isinstance(value, str):
        check_printf(value)
    return value


def _filter_join(value: Any, args: tuple, kwargs: dict) -> Any:
    items = _materialised(value)
    separator = _arg(args, kwargs, 0, "d", "")
    if isinstance(separator, str) and not isinstance(items, dict):
        _refuse_size("join()", _joined_size(separator, items), "characters", MAX_VALUE_CHARS)
    return items


def _filter_replace(value: Any, args: tuple, kwargs: dict) -> Any:
    _check_replace(value, _arg(args, kwargs, 0, "old", None), _arg(args, kwargs, 1, "new", None),
                   _arg(args, kwargs, 2, "count", None))
    return value


def _filter_batch(value: Any, args: tuple, kwargs: dict) -> Any:
    size = _arg(args, kwargs, 0, "linecount", 1)
    if isinstance(size, int) and size > MAX_ITEMS:
        raise TemplateLimitError(f"batch({size}) is over the limit of {MAX_ITEMS:,} items")
    return value


def _filter_slice(value: Any, args: tuple, kwargs: dict) -> Any:
    slices = _arg(args, kwargs, 0, "slices", 1)
    if isinstance(slices, int) and slices > MAX_ITEMS:
        raise TemplateLimitError(f"slice({slices}) is over the limit of {MAX_ITEMS:,} slices")
    return value


FILTER_CHECKS: dict[str, Callable[[Any, tuple, dict], Any]] = {
    "center": _filter_center, "indent": _filter_indent, "wordwrap": _filter_wordwrap,
    "format": _filter_format, "join": _filter_join, "replace": _filter_replace,
    "batch": _filter_batch, "slice": _filter_slice, "list": lambda v, a, k: _materialised(v),
}


def _method_width(name: str) -> Callable[[str, tuple, dict], tuple]:
    def check(text: str, args: tuple, kwargs: dict) -> tuple:
        _width_at_most(_arg(args, kwargs, 0, "width", 0), name)
        return args

    return check


def _method_expandtabs(text: str, args: tuple, kwargs: dict) -> tuple:
    size = _arg(args, kwargs, 0, "tabsize", 8)
    if isinstance(size, int):
        _refuse_size("expandtabs()", len(text) + text.count("\t") * max(size, 0), "characters", MAX_VALUE_CHARS)
    return args


def _method_replace(text: str, args: tuple, kwargs: dict) -> tuple:
    _check_replace(text, _arg(args, kwargs, 0, "old", None), _arg(args, kwargs, 1, "new", None),
                   _arg(args, kwargs, 2, "count", -1))
    return args


def _method_join(text: str, args: tuple, kwargs: dict) -> tuple:
    if not args:
        return args
    items = _materialised(args[0])
    _refuse_size("join()", _joined_size(text, items), "characters", MAX_VALUE_CHARS)
    return (items, *args[1:])


def _method_translate(text: str, args: tuple, kwargs: dict) -> tuple:
    table = args[0] if args else None
    if isinstance(table, dict):
        longest = max((len(v) for v in table.values() if isinstance(v, str)), default=1)
        _refuse_size("translate()", len(text) * longest, "characters", MAX_VALUE_CHARS)
    return args


STR_METHOD_CHECKS: dict[str, Callable[[str, tuple, dict], tuple]] = {
    "center": _method_width("center"), "ljust": _method_width("ljust"), "rjust": _method_width("rjust"),
    "zfill": _method_width("zfill"), "expandtabs": _method_expandtabs, "replace": _method_replace,
    "join": _method_join, "translate": _method_translate,
}


def _str_method(obj: Any) -> tuple[str, str] | None:
    owner = getattr(obj, "__self__", None)
    name = getattr(obj, "__name__", None)
    if isinstance(owner, str) and isinstance(name, str) and name in STR_METHOD_CHECKS:
        return owner, name
    return None


# ---- the environment ----------------------------------------------------------------------------


def _count_call() -> None:
    budget = _BUDGET.get()
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
    budget = _BUDGET.get()
    for item in iterable:
        if budget is not None:
            budget.iterate(cost)
        yield item


def _size_guard(value: Any) -> Any:
    return sized(value)


def checked_range(*args: int) -> range:
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
    budget = _BUDGET.get()
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

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        return BINOPS[operator](left, right)

    def call(__self, __context: Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        _count_call()
        method = _str_method(__obj)
        if method is not None:
            args = STR_METHOD_CHECKS[method[1]](method[0], args, kwargs)
        return sized(super().call(__context, __obj, *args, **kwargs))

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
