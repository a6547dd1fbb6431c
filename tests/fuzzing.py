"""Fuzz targets and their inputs, shared by the fuzz tests (few cases, in ``make test``) and by
``benchmarks/fuzz.py`` (10,000+ cases per target).

Each target takes one generated input and lets only errors of the project's tree through
(``LLMSynthError``); anything else (a TypeError, a RecursionError, a UnicodeError...) is a bug that
hypothesis reports with the smallest input it can find. Inputs are random text, mutations of real
inputs (the example specs, the bundled prompt templates, captured model outputs) spliced with
hostile tokens, and random structures (spec mappings, data frames).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from llmsynth.errors import LLMSynthError
from llmsynth.spec.schema import ColumnSchema, SumConstraint

ROOT = Path(__file__).resolve().parents[1]

# few cases in `make test` (the same ones each run); benchmarks/fuzz.py runs 10,000+ per target
settings.register_profile(
    "llmsynth-fuzz-quick",
    max_examples=int(os.environ.get("LLMSYNTH_FUZZ_EXAMPLES", "40")),
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
QUICK = settings.get_profile("llmsynth-fuzz-quick")

# ---- mutation ------------------------------------------------------------------------------------


@st.composite
def mutated(draw: st.DrawFn, corpus: list[str], tokens: list[str], max_edits: int = 8) -> str:
    """A corpus text with a few edits: insertions of hostile tokens, deletions, duplications, swaps."""
    text = draw(st.sampled_from(corpus))
    for _ in range(draw(st.integers(0, max_edits))):
        op = draw(st.integers(0, 4))
        at = draw(st.integers(0, len(text)))
        end = draw(st.integers(at, min(len(text), at + 40)))
        if op == 0:
            text = text[:at] + draw(st.sampled_from(tokens)) + text[at:]
        elif op == 1:
            text = text[:at] + text[end:]
        elif op == 2:
            text = text[:at] + text[at:end] * draw(st.integers(2, 4)) + text[at:]
        elif op == 3:
            text = text[:at] + draw(st.sampled_from(tokens)) + text[end:]
        else:
            text = text[:at] + draw(st.characters()) + text[at + 1 :]
    return text


def _texts(folder: Path, pattern: str) -> list[str]:
    return [p.read_text(encoding="utf-8") for p in sorted(folder.glob(pattern))]


HOSTILE_NUMBERS = ["1e309", "-1e309", "1.0e+308", "9223372036854775808", "-9223372036854775809", "2**63",
                   ".nan", ".inf", "-.inf", "0", "-0.0", "1e-320", "99999999999999999999999999", "-1", "1e15"]

# ---- target: the spec loader --------------------------------------------------------------------

YAML_TOKENS = [
    "{", "}", "[", "]", ": ", "- ", "\n", "\n  ", "  ", "&a ", "*a", "<<: *a", "? ", "!!python/object:os.system ",
    "!!binary ", "'", '"', "\\ud800", "\\x00", "~", "null", "true", "kind: llm", "kind: normal", "kind: scipy",
    "kind: copula", "round: ", "mu: ", "lam: ", "n: ", "p: ", "rows: ", "seed: ", "template: ../../etc/passwd",
    "prompt: '{{ x * 10**9 }}'", "prompt: '{{ age.__class__ }}'", "by: ", "map: ", "{by: age, map: {a: 1}}",
    "dist: zipf", "params: {a: 1.0000001}", "columns:", "fields: {j: {type: string}}", "2024-13-45",
    *HOSTILE_NUMBERS,
]
SPEC_SEEDS = [
    *_texts(ROOT / "examples", "*.yaml"),
    *_texts(ROOT / "examples" / "guide", "*.yaml"),
    "a: &a [x,x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n",
    "columns:\n  - {name: x, kind: normal, sd: 1, sd: 2}\n",
]
KINDS = ["normal", "truncnormal", "uniform", "lognormal", "exponential", "gamma", "beta", "poisson", "binomial",
         "negbinomial", "scipy", "categorical", "boolean", "integer", "date", "datetime", "id", "expression",
         "llm", "copula", "mvnormal", "fixed_sum", "mixture", "density", "empirical", "arma", "graph", "tree"]
PARAMS = ["mean", "sd", "low", "high", "mu", "sigma", "lam", "n", "p", "scale", "shape", "a", "b", "round",
          "clip", "bounds", "dist", "params", "categories", "by", "default", "start", "end", "width", "prefix",
          "expr", "prompt", "system", "fields", "columns", "corr", "cov", "total", "alpha", "length", "series",
          "burnin", "nodes", "model", "m", "k", "values", "bins", "density", "grid", "template", "examples"]
_leaf = st.one_of(
    st.none(), st.booleans(), st.integers(), st.integers(-(2**70), 2**70), st.floats(),
    st.sampled_from([1e308, -1e308, 1e-308, 2.0**63, 709.9, 1e9, 1e12, 0.5, 1.0, 0.0]),
    st.text(max_size=20), st.sampled_from(["age", "x", "{{ age }}", "norm", "zipf", "2024-01-01", "../x"]),
)
_value = st.recursive(_leaf, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
    st.sampled_from(PARAMS) | st.text(max_size=5), inner, max_size=4), max_leaves=12)
random_column = st.builds(
    lambda kind, name, params: {**params, "kind": kind, "name": name},
    st.sampled_from(KINDS), st.sampled_from(["x", "age", "y", "z"]),
    st.dictionaries(st.sampled_from(PARAMS), _value, max_size=6),
)
random_spec = st.fixed_dictionaries(
    {"columns": st.lists(random_column, min_size=1, max_size=4)},
    optional={"rows": _leaf, "seed": _leaf, "generation": _value, "model": _value},
)
spec_texts = st.one_of(st.text(max_size=300), mutated(SPEC_SEEDS, YAML_TOKENS))


def load_spec_text(text: str) -> None:
    """Target: a spec file's text through YAML loading, validation, limits and template checks."""
    from llmsynth.spec.loader import spec_from_dict
    from llmsynth.spec.yaml_safe import load_yaml

    with tempfile.TemporaryDirectory() as folder:
        try:
            data = load_yaml(text, source="fuzz.yaml")
            spec_from_dict(data, source="fuzz.yaml", path=Path(folder) / "fuzz.yaml")
        except LLMSynthError:
            pass


def load_spec_mapping(data: dict[str, Any]) -> None:
    """Target: a random spec mapping (as YAML would give) through validation and every load check."""
    from llmsynth.spec.loader import spec_from_dict

    with tempfile.TemporaryDirectory() as folder:
        try:
            spec = spec_from_dict(data, source="fuzz.yaml", path=Path(folder) / "fuzz.yaml")
        except LLMSynthError:
            return
        spec.column_schemas()  # a loaded spec answers the questions the engine asks


# ---- target: the template checks ----------------------------------------------------------------

JINJA_TOKENS = [
    "{{", "}}", "{%", "%}", "{#", "#}", " for x in range(", " for x in row ", " endfor ", " if ", " endif ",
    " macro m(a) ", " endmacro ", " call m(1) ", " endcall ", " set s = ", " include 'x' ", " import 'x' as y ",
    "m(", ")", "(", "|", "|center(", "|join(", "|indent(", "|replace('a', ", "|format(", "|list", "|batch(",
    "|attr('__class__')", "|random", "*", "**", "~", "+", "%", "'x'", "'%0999999d'", "'{:>99999999}'.format(",
    "10**9", "10**5", "2**4096", "99999999999", "__class__", ".__mro__", "loop", "loop.cycle(", "row", "row.items()",
    "age", "name", "fields", "examples", "[", "]", ".", ",", "'", '"', "\n", "-", "recursive", "caller()",
    ".ljust(", ".replace(", ".join(", "range(", "dict(", "lipsum(", "cycler(", "self", "super()",
]
TEMPLATE_SEEDS = [
    *_texts(ROOT / "llmsynth" / "spec" / "prompt_templates", "*.j2"),
    "Customer {{ customer_id }}: {{ age }} years old, lives in {{ country }}.",
    "{% for k, v in row.items() %}- {{ k }}: {{ v }}\n{% endfor %}",
    "{% macro line(k, v) %}{{ k|title }} = {{ v }}{% endmacro %}{% for k, v in row.items() %}{{ line(k, v) }}"
    "{% endfor %}",
    "{{ '%.2f'|format(age) }} {{ '{0}'.format(name) }} {{ name|center(20) }} {{ (name ~ ' ') * 3 }}",
]
TEMPLATE_VARIABLES: dict[str, Any] = {
    "age": 41, "name": "Ann", "customer_id": "C00001", "country": "Peru", "row_index": 3, "format": "json",
    "row": {"age": 41, "name": "Ann"}, "fields": [{"name": "job", "kind": "text", "description": None}],
    "examples": ['{"job": "Nurse"}'],
}
template_texts = st.one_of(
    st.text(st.sampled_from(list("{}%#|()[]'\"~*+.,-_ \nabxyz0129")) | st.characters(), max_size=120),
    mutated(TEMPLATE_SEEDS, JINJA_TOKENS, max_edits=10),
)


def check_template(source: str) -> None:
    """Target: a template through the static pass, compilation and a limited render of one row."""
    from llmsynth.prompts.environment import compile_template, render
    from llmsynth.spec.llm import template_variables

    with contextlib.suppress(ValueError):  # the planner's way of saying the template is refused
        template_variables(source)
    with contextlib.suppress(LLMSynthError):
        render(compile_template(source, group="g"), dict(TEMPLATE_VARIABLES), group="g")


# ---- targets: the parsers -----------------------------------------------------------------------

SCHEMAS = [
    ColumnSchema(name="job", type="string", max_length=30),
    ColumnSchema(name="country", type="choice", choices=("USA", "France", "Japan")),
    ColumnSchema(name="age", type="integer", minimum=0, maximum=120),
    ColumnSchema(name="income", type="number"),
    ColumnSchema(name="remote", type="boolean"),
    ColumnSchema(name="joined", type="date"),
    ColumnSchema(name="note", type="string", nullable=True, pattern=r"[a-z ]*"),
]
REGEX = r"(?P<job>[^|\n]*)\|(?P<country>[^|\n]*)\|(?P<age>[^|\n]*)\|(?P<income>[^|\n]*)\|(?P<remote>[^|\n]*)" \
        r"\|(?P<joined>[^|\n]*)"
PARSER_TOKENS = [
    "{", "}", "[", "]", '"', "'", ":", ",", "|", "\n", "\r", "\r\n", "\t", "\\", "\\ud800", "\\udfff", "\\u0000",
    "\x00", "\ud800", "```json\n", "```", "---", "|---|", "null", "NaN", "Infinity", "1e999", "9" * 500, "-0",
    "true", "yes", "2024-02-30", "job", "Job:", "**Age**:", "country=", '"a\rb"', "\u2028", "\x85", "\ufeff",
]
PARSER_SEEDS = [*_texts(ROOT / "tests" / "parsers" / "fixtures", "*.txt"),
                'job | country | age\nNurse | USA | 41\n', '{"job": "Chef", "age": "1,234"}']
parser_texts = st.one_of(st.text(max_size=400), mutated(PARSER_SEEDS, PARSER_TOKENS, max_edits=10))
regexes = st.one_of(st.just(REGEX), mutated([REGEX], ["(", ")", "(?P<", ">", "*", "+", "\\1", "(?=", "[", "]"]))


def parse_text(parser: str) -> Callable[..., None]:
    """Target factory: one parser over a whole text (parse_rows) and as one row (parse_row)."""

    def target(text: str, regex: str | None = None) -> None:
        from llmsynth.parsers import parse_row, parse_rows

        pattern = (regex or REGEX) if parser == "regex" else None
        try:
            result = parse_rows(text, SCHEMAS, parser=parser, regex=pattern)
            assert all(r.reason for r in result.rejects)
        except LLMSynthError:
            pass
        with contextlib.suppress(LLMSynthError):
            parse_row(text, SCHEMAS, parser=parser, regex=pattern)

    return target


# ---- target: the table validator ----------------------------------------------------------------

_cells = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**70), 2**70), st.floats(), st.text(max_size=12),
    st.sampled_from(["USA", "41", "1,234", "2024-01-31", "2024-13-01", "2024-01-31T10:00:00Z", "yes", "", "n/a",
                     "\ud800", "inf", "-0"]),
    st.dates().map(lambda d: dt.datetime(d.year, d.month, d.day)), st.binary(max_size=4),
    st.lists(st.integers(), max_size=2), st.dictionaries(st.text(max_size=2), st.integers(), max_size=2),
)
_column_schemas = st.builds(
    ColumnSchema,
    name=st.sampled_from(["a", "b", "c", "d"]),
    type=st.sampled_from(["string", "choice", "integer", "number", "boolean", "date", "datetime"]),
    minimum=st.none() | st.floats(allow_nan=False), maximum=st.none() | st.floats(allow_nan=False),
    choices=st.just(("USA", "41", "x")), pattern=st.none() | st.sampled_from([r"\d+", "[A-Z]+", "a|b"]),
    min_length=st.none() | st.integers(0, 5), max_length=st.none() | st.integers(0, 5),
    nullable=st.booleans(), unique=st.booleans(),
)
_DTYPES = [None, "object", "float64", "Int64", "str", "boolean", "datetime64[ns]"]


@st.composite
def tables(draw: st.DrawFn) -> tuple[pd.DataFrame, list[ColumnSchema], list[SumConstraint]]:
    n = draw(st.integers(0, 12))
    columns: dict[str, Any] = {}
    for name in draw(st.lists(st.sampled_from(["a", "b", "c", "d", "e"]), unique=True, max_size=5)):
        values = draw(st.lists(_cells, min_size=n, max_size=n))
        series = pd.Series(values, dtype=object)
        dtype = draw(st.sampled_from(_DTYPES))
        if dtype is not None and dtype != "object":
            # where the cells do not convert, the object column stays: the validator must cope with it too
            with contextlib.suppress(TypeError, ValueError, OverflowError, UnicodeError):
                series = series.astype(dtype)
        columns[name] = series
    frame = pd.DataFrame(columns, index=pd.RangeIndex(n))
    schemas = list({s.name: s for s in draw(st.lists(_column_schemas, max_size=4))}.values())
    names = [s.name for s in schemas]
    constraints = []
    if len(names) >= 2 and draw(st.booleans()):
        total = draw(st.none() | st.floats(allow_nan=False))
        constraints.append(SumConstraint(columns=tuple(names[:2]), total=total,
                                         total_column=None if total is not None else names[-1]))
    return frame, schemas, constraints


def validate_random_table(case: tuple[pd.DataFrame, list[ColumnSchema], list[SumConstraint]]) -> None:
    """Target: the vectorised validator on a frame of mixed, hostile cells and a random schema."""
    from llmsynth.parsers import validate_table

    frame, schemas, constraints = case
    with np.errstate(all="ignore"):
        try:
            result = validate_table(frame, schemas, constraints)
        except LLMSynthError:
            return
    assert len(result.valid) == len(frame)
    assert all(isinstance(r, str) and r for r in result.errors["reason"])


# ---- the list the fuzz script and the tests run ------------------------------------------------

TARGETS: dict[str, tuple[Callable[..., None], dict[str, st.SearchStrategy[Any]]]] = {
    "spec loader (YAML text)": (load_spec_text, {"text": spec_texts}),
    "spec loader (mappings)": (load_spec_mapping, {"data": random_spec}),
    "template checks": (check_template, {"source": template_texts}),
    "parser json": (parse_text("json"), {"text": parser_texts}),
    "parser regex": (parse_text("regex"), {"text": parser_texts, "regex": regexes}),
    "parser kv": (parse_text("kv"), {"text": parser_texts}),
    "parser table": (parse_text("table"), {"text": parser_texts}),
    "table validator": (validate_random_table, {"case": tables()}),
}
