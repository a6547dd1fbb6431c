"""Checks on the template operations that can make a value grow, made before the value is built:
operators (``*``, ``**``, ``+``, ``%``), the filters and string methods that take a width or repeat
text, and format strings. Each raises ``TemplateLimitError`` with what would have been built.
"""

from __future__ import annotations

import math
import re
import string
from collections.abc import Callable
from typing import Any

from llmsynth.spec.template_budget import (
    MAX_FORMAT_WIDTH,
    MAX_INT_BITS,
    MAX_ITEMS,
    MAX_VALUE_CHARS,
    TemplateLimitError,
    refuse_size,
    show,
    sized,
)


def checked_mul(left: Any, right: Any) -> Any:
    """``*`` that refuses results over the size limits (``'x' * 10**9``) before building them."""
    for seq, count in ((left, right), (right, left)):
        if isinstance(seq, str | list | tuple) and isinstance(count, int):
            is_text = isinstance(seq, str)
            refuse_size(
                f"{show(seq)} * {count}", len(seq) * max(count, 0), "characters" if is_text else "items",
                MAX_VALUE_CHARS if is_text else MAX_ITEMS,
            )
            return sized(seq * count)
    if isinstance(left, int) and isinstance(right, int) and left.bit_length() + right.bit_length() > MAX_INT_BITS:
        raise TemplateLimitError(f"{show(left)} * {show(right)} is an integer over {MAX_INT_BITS:,} bits")
    return left * right


def checked_pow(left: Any, right: Any) -> Any:
    """``**`` that refuses numbers with more digits than the limit."""
    if isinstance(left, int) and isinstance(right, int) and right > 0 and abs(left) > 1:
        bits = int(math.log2(abs(left)) * right) + 1
        if bits > MAX_INT_BITS:
            raise TemplateLimitError(f"{show(left)} ** {right} is an integer of about {bits:,} bits "
                                     f"(limit {MAX_INT_BITS:,})")
    return left**right


def checked_add(left: Any, right: Any) -> Any:
    """``+`` that refuses strings and lists over the size limits."""
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
    """``%`` formatting that refuses results over the size limits."""
    if isinstance(left, str):
        check_printf(left)
        return sized(left % right)
    return left % right


BINOPS: dict[str, Callable[[Any, Any], Any]] = {
    "*": checked_mul, "**": checked_pow, "+": checked_add, "%": checked_mod,
}


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
        refuse_size("replace()", len(text) + hits * (len(new) - len(old)), "characters", MAX_VALUE_CHARS)


def _filter_center(value: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    _width_at_most(_arg(args, kwargs, 0, "width", 80), "center")
    return value


def _filter_indent(value: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    width = _arg(args, kwargs, 0, "width", 4)
    per_line = len(width) if isinstance(width, str) else width if isinstance(width, int) else 0
    lines = str(value).count("\n") + 1
    refuse_size("indent()", len(str(value)) + lines * per_line, "characters", MAX_VALUE_CHARS)
    return value


def _filter_wordwrap(value: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    wrap = _arg(args, kwargs, 2, "wrapstring", None)
    if isinstance(wrap, str):
        refuse_size("wordwrap()", len(str(value)) * (1 + len(wrap)), "characters", MAX_VALUE_CHARS)
    return value


def _filter_format(value: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    if isinstance(value, str):
        check_printf(value)
    return value


def _filter_join(value: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    items = _materialised(value)
    separator = _arg(args, kwargs, 0, "d", "")
    if isinstance(separator, str) and not isinstance(items, dict):
        refuse_size("join()", _joined_size(separator, items), "characters", MAX_VALUE_CHARS)
    return items


def _filter_replace(value: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    _check_replace(value, _arg(args, kwargs, 0, "old", None), _arg(args, kwargs, 1, "new", None),
                   _arg(args, kwargs, 2, "count", None))
    return value


def _filter_batch(value: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    size = _arg(args, kwargs, 0, "linecount", 1)
    if isinstance(size, int) and size > MAX_ITEMS:
        raise TemplateLimitError(f"batch({size}) is over the limit of {MAX_ITEMS:,} items")
    return value


def _filter_slice(value: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    slices = _arg(args, kwargs, 0, "slices", 1)
    if isinstance(slices, int) and slices > MAX_ITEMS:
        raise TemplateLimitError(f"slice({slices}) is over the limit of {MAX_ITEMS:,} slices")
    return value


FILTER_CHECKS: dict[str, Callable[[Any, tuple[Any, ...], dict[str, Any]], Any]] = {
    "center": _filter_center, "indent": _filter_indent, "wordwrap": _filter_wordwrap,
    "format": _filter_format, "join": _filter_join, "replace": _filter_replace,
    "batch": _filter_batch, "slice": _filter_slice, "list": lambda v, a, k: _materialised(v),
}


def _method_width(name: str) -> Callable[[str, tuple[Any, ...], dict[str, Any]], tuple[Any, ...]]:
    def check(text: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[Any, ...]:
        _width_at_most(_arg(args, kwargs, 0, "width", 0), name)
        return args

    return check


def _method_expandtabs(text: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[Any, ...]:
    size = _arg(args, kwargs, 0, "tabsize", 8)
    if isinstance(size, int):
        refuse_size("expandtabs()", len(text) + text.count("\t") * max(size, 0), "characters", MAX_VALUE_CHARS)
    return args


def _method_replace(text: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[Any, ...]:
    _check_replace(text, _arg(args, kwargs, 0, "old", None), _arg(args, kwargs, 1, "new", None),
                   _arg(args, kwargs, 2, "count", -1))
    return args


def _method_join(text: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[Any, ...]:
    if not args:
        return args
    items = _materialised(args[0])
    refuse_size("join()", _joined_size(text, items), "characters", MAX_VALUE_CHARS)
    return (items, *args[1:])


def _method_translate(text: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[Any, ...]:
    table = args[0] if args else None
    if isinstance(table, dict):
        longest = max((len(v) for v in table.values() if isinstance(v, str)), default=1)
        refuse_size("translate()", len(text) * longest, "characters", MAX_VALUE_CHARS)
    return args


STR_METHOD_CHECKS: dict[str, Callable[[str, tuple[Any, ...], dict[str, Any]], tuple[Any, ...]]] = {
    "center": _method_width("center"), "ljust": _method_width("ljust"), "rjust": _method_width("rjust"),
    "zfill": _method_width("zfill"), "expandtabs": _method_expandtabs, "replace": _method_replace,
    "join": _method_join, "translate": _method_translate,
}


def str_method(obj: Any) -> tuple[str, str] | None:
    """(type name, method name) when ``obj`` is a bound string method whose growth is checked, else None."""
    owner = getattr(obj, "__self__", None)
    name = getattr(obj, "__name__", None)
    if isinstance(owner, str) and isinstance(name, str) and name in STR_METHOD_CHECKS:
        return owner, name
    return None
