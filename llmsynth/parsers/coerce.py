"""Turn parsed text values into typed row values, with a short, documented list of coercions.

Coercions (nothing else is converted; anything else is a reject with its reason):
- missing: ``None``, NaN, or text that trims to ``""``, ``null``, ``none`` or ``n/a`` (any case) is
  a missing value: ``None`` for a nullable column, else the reason ``missing``.
- string: surrounding whitespace trimmed; a JSON number becomes its text (``7`` -> ``"7"``); text with
  a lone surrogate (JSON's ``"\\ud800"``) is ``not valid Unicode``, since no output format can store it;
  line breaks ``\\r\\n`` and a bare ``\\r`` become ``\\n`` (a bare ``\\r`` in a CSV cell breaks readers).
- choice: an exact choice, else the one choice equal after trimming and case-folding (`` usa `` -> ``USA``).
- integer: ``"45"`` -> 45, ``"1,234"`` -> 1234 (comma thousands separators in groups of three),
  ``45.0``/``"45.0"`` -> 45; a fraction is ``not a whole number``; booleans are not integers; values
  outside the 64-bit range are refused (a number written with over 400 characters is not a number).
- number: the same text forms plus decimals and exponents (``"1,234.5"``, ``"2e3"``); must be finite.
- boolean: ``true/false``, ``yes/no``, ``1/0`` (text, any case, or the numbers 1 and 0).
- date: ISO ``YYYY-MM-DD`` text or a date object -> ISO text.
- datetime: ISO 8601 text (``T`` or space, optional seconds, fraction and offset) -> ISO text.
Then the schema's checks: minimum/maximum, pattern (full match, RE2), min/max length. Uniqueness is a
property of a table, so ``validate_table`` checks it, not this module.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any

from llmsynth.errors import SchemaValidationError
from llmsynth.parsers.patterns import compile_pattern
from llmsynth.spec.schema import ColumnSchema

MISSING_WORDS = frozenset({"", "null", "none", "n/a"})
MAX_NUMBER_CHARS = 400  # Python refuses int() of over 4,300 digits; no real value needs this many
_SURROGATE = re.compile("[\ud800-\udfff]")
TRUE_WORDS = frozenset({"true", "yes", "1"})
FALSE_WORDS = frozenset({"false", "no", "0"})
_NUMBER = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)?(?:\.\d+)?(?:[eE][+-]?\d+)?")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATETIME = re.compile(
    r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?)?(?:Z|[+-]\d{2}:?\d{2})?"
)


class Invalid(ValueError):
    """One value's reason for rejection (without the column name)."""


def fmt_number(x: float) -> str:
    """100.0 -> '100', 0.5 -> '0.5': bounds and sums read as the user wrote them."""
    return str(int(x)) if float(x).is_integer() and abs(x) < 1e16 else repr(float(x))


def is_missing(value: Any) -> bool:
    """Whether a raw value means 'no value' (None, empty text, null-like words)."""
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and value.strip().casefold() in MISSING_WORDS


def _number_text(text: str) -> int | float:
    s = text.strip()
    if len(s) > MAX_NUMBER_CHARS:
        raise Invalid(f"not a number (over {MAX_NUMBER_CHARS} characters)")
    if not s or not _NUMBER.fullmatch(s) or not any(c.isdigit() for c in s):
        raise Invalid("not a number")
    s = s.replace(",", "")
    return int(s) if s.lstrip("+-").isdigit() else float(s)


def _to_number(value: Any) -> int | float:
    if isinstance(value, bool):
        raise Invalid("not a number (a boolean)")
    if isinstance(value, int | float):
        number: int | float = value
    elif isinstance(value, str):
        number = _number_text(value)
    else:
        raise Invalid(f"not a number (a {type(value).__name__})")
    if isinstance(number, float) and not math.isfinite(number):
        raise Invalid("not a finite number")
    return number


def _check_bounds(x: float, schema: ColumnSchema) -> None:
    if schema.minimum is not None and x < schema.minimum:
        raise Invalid(f"below minimum {fmt_number(schema.minimum)}")
    if schema.maximum is not None and x > schema.maximum:
        raise Invalid(f"above maximum {fmt_number(schema.maximum)}")


def _to_text(value: Any) -> str:
    if isinstance(value, str):
        lone = _SURROGATE.search(value)
        if lone:  # e.g. JSON's "\ud800": a string no file format can store
            raise Invalid(f"not valid Unicode (lone surrogate U+{ord(lone.group()):04X})")
        return value.replace("\r\n", "\n").replace("\r", "\n").strip()
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    raise Invalid(f"not a string (a {type(value).__name__})")


def _string(value: Any, schema: ColumnSchema) -> str:
    text = _to_text(value)
    if schema.min_length is not None and len(text) < schema.min_length:
        raise Invalid(f"shorter than {schema.min_length} characters")
    if schema.max_length is not None and len(text) > schema.max_length:
        raise Invalid(f"longer than {schema.max_length} characters")
    if (
        schema.pattern is not None
        and compile_pattern(schema.pattern, column=schema.name).fullmatch(text) is None
    ):
        raise Invalid("does not match the pattern")
    return text


def _choice(value: Any, schema: ColumnSchema) -> str:
    choices = schema.choices or ()
    if isinstance(value, str) and value in choices:
        return value
    folded = _to_text(value).casefold()
    found = [c for c in choices if c.strip().casefold() == folded]
    if len(found) != 1:
        raise Invalid("not one of the choices")
    return found[0]


def _integer(value: Any, schema: ColumnSchema) -> int:
    number = _to_number(value)
    if isinstance(number, float):
        if not number.is_integer():
            raise Invalid("not a whole number")
        number = int(number)
    if not -(2**63) <= number < 2**63:
        raise Invalid("integer out of the 64-bit range")
    _check_bounds(number, schema)
    return number


def _number(value: Any, schema: ColumnSchema) -> float:
    try:
        number = float(_to_number(value))
    except OverflowError:  # an integer with hundreds of digits
        raise Invalid("not a finite number") from None
    _check_bounds(number, schema)
    return number


def _boolean(value: Any, schema: ColumnSchema) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        word = value.strip().casefold()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
    raise Invalid("not a boolean (true/false, yes/no, 1/0)")


def _date(value: Any, schema: ColumnSchema) -> str:
    if isinstance(value, dt.datetime):
        raise Invalid("not a date (a datetime)")
    if isinstance(value, dt.date):
        return value.isoformat()
    text = value.strip() if isinstance(value, str) else ""
    try:
        if _DATE.fullmatch(text):
            return dt.date.fromisoformat(text).isoformat()
    except ValueError:
        pass
    raise Invalid("not an ISO date (YYYY-MM-DD)")


def _datetime(value: Any, schema: ColumnSchema) -> str:
    if isinstance(value, dt.datetime):
        return value.isoformat()
    text = value.strip() if isinstance(value, str) else ""
    try:
        if _DATETIME.fullmatch(text):
            return dt.datetime.fromisoformat(text).isoformat()
    except ValueError:
        pass
    raise Invalid("not an ISO datetime (YYYY-MM-DDTHH:MM[:SS])")


_COERCERS = {
    "string": _string,
    "choice": _choice,
    "integer": _integer,
    "number": _number,
    "boolean": _boolean,
    "date": _date,
    "datetime": _datetime,
}


def coerce_value(value: Any, schema: ColumnSchema) -> Any:
    """One value, coerced and checked; raises Invalid with the reason."""
    if is_missing(value):
        if schema.nullable:
            return None
        raise Invalid("missing")
    return _COERCERS[schema.type](value, schema)


def coerce_row(values: dict[str, Any], schemas: list[ColumnSchema]) -> dict[str, Any]:
    """A row in schema order with every value coerced; a ParseError lists every reason it is not valid."""
    row: dict[str, Any] = {}
    reasons: list[str] = []
    for schema in schemas:
        try:
            row[schema.name] = coerce_value(values.get(schema.name), schema)
        except Invalid as exc:
            reasons.append(f"{schema.name}: {exc}")
    known = {s.name for s in schemas}
    reasons.extend(f"unexpected key '{k}'" for k in values if k not in known)
    if reasons:
        raise SchemaValidationError("; ".join(reasons), raw=repr(values), parser="coerce", reasons=reasons)
    return row
