"""Free text -> rows (json, regex, delimited tables, key-value lines) and vectorised table validation.

``parse_row`` reads one model output, ``parse_rows`` scans a long one; both put every row through
the same documented coercions (``coerce_row``). ``validate_table`` checks a whole DataFrame against
the row schema without a Python loop over rows; the generator and ``llmsynth eval`` both use it.
"""

from llmsynth.parsers.coerce import coerce_row
from llmsynth.parsers.parse import get_parser, parse_row, parse_rows
from llmsynth.parsers.result import ParseReject, ParseResult
from llmsynth.parsers.validate import TableValidation, validate_table
from llmsynth.registry import PARSERS

__all__ = [
    "PARSERS",
    "ParseReject",
    "ParseResult",
    "TableValidation",
    "coerce_row",
    "get_parser",
    "parse_row",
    "parse_rows",
    "validate_table",
]
