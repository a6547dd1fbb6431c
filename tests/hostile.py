"""Hostile specs, by class of attack, each with the words of the refusal ``llmsynth validate`` must give.

Shared by tests/spec/test_hostile_specs.py (every attack refused, exit code 2, no traceback) and by
benchmarks/fuzz.py, which prints the "attacks refused, by class" table of the README.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

LLM = """columns:
  - {{name: age, kind: integer, low: 18, high: 70}}
  - kind: llm
    {body}
    fields: {{job: {{type: string, max_length: 20}}}}
"""


def _prompt(template: str) -> str:
    return LLM.format(body="prompt: " + json.dumps(template))  # a JSON string is a YAML string


def _column(entry: str, rows: int = 10) -> str:
    return f"rows: {rows}\ncolumns:\n  - {entry}\n"


@dataclass(frozen=True)
class Attack:
    kind: str
    name: str
    spec: str
    refusal: str
    files: dict[str, str] = field(default_factory=dict)  # name -> text, or "-> target" for a symlink

    def write(self, folder: Path) -> Path:
        for name, content in self.files.items():
            path = folder / name
            path.parent.mkdir(parents=True, exist_ok=True)
            if content.startswith("-> "):
                path.symlink_to(content[3:])
            else:
                path.write_text(content, encoding="utf-8")
        spec = folder / "spec.yaml"
        spec.write_text(self.spec, encoding="utf-8")
        return spec


LAUGHS = "\n".join(
    [
        "name: laughs",
        "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]",
        *(f"{c}: &{c} [{', '.join([f'*{p}'] * 10)}]" for p, c in zip("abcdefgh", "bcdefghi", strict=True)),
        "columns: [{name: x, kind: normal}]",
    ]
)

ATTACKS = [
    # the template sandbox: Python internals
    Attack("sandbox escape", "dunder attribute", _prompt("{{ age.__class__.__mro__ }}"), "is private"),
    Attack("sandbox escape", "globals through a helper", _prompt("{{ cycler.__init__.__globals__ }}"), "is private"),
    Attack("sandbox escape", "attr filter", _prompt("{{ age|attr('__class__') }}"), "is private"),
    Attack("sandbox escape", "item lookup", _prompt("{{ row['__class__'] }}"), "is private"),
    Attack("sandbox escape", "include a file", _prompt("{% include '/etc/passwd' %}"), "include %} is not available"),
    Attack("sandbox escape", "import", _prompt("{% import 'x' as y %}"), "is not available"),
    Attack("sandbox escape", "unseeded randomness", _prompt("{{ ['a', 'b']|random }}"), "filter 'random'"),
    # template resources
    Attack("template resources", "huge string", _prompt("{{ 'x' * 10**9 }}"), "1,000,000,000 characters"),
    Attack("template resources", "nested loops", _prompt(
        "{% for i in range(10**6) %}{% for j in range(10**6) %}x{% endfor %}{% endfor %}"), "over 100,000 items"),
    Attack("template resources", "nested loops under the range limit", _prompt(
        "{% for i in range(10000) %}{% for j in range(10000) %}{% endfor %}{% endfor %}"),
        "100,000,000 iterations"),
    Attack("template resources", "huge list", _prompt("{{ range(10**8)|list }}"), "over 100,000 items"),
    Attack("template resources", "huge integer", _prompt("{{ 2 ** 1000000 }}"), "bits"),
    Attack("template resources", "padding filter", _prompt("{{ age|center(1000000000) }}"), "center(1000000000)"),
    Attack("template resources", "format width", _prompt("{{ '{:>999999999}'.format(age) }}"), "format width"),
    Attack("template resources", "printf width", _prompt("{{ '%0999999999d' % age }}"), "format width"),
    Attack("template resources", "list repetition", _prompt("{{ [age] * 10**9 }}"), "items"),
    Attack("template resources", "batch fill", _prompt("{{ [1]|batch(10**9, 'x')|list }}"), "batch("),
    Attack("template resources", "recursive macro", _prompt(
        "{% macro f(n) %}{{ f(n) }}{% endmacro %}{{ f(1) }}"), "calls itself"),
    Attack("template resources", "mutually recursive macros", _prompt(
        "{% macro f() %}{{ g() }}{% endmacro %}{% macro g() %}{{ f() }}{% endmacro %}{{ f() }}"), "calls itself"),
    Attack("template resources", "recursive loop", _prompt(
        "{% for x in [1] recursive %}{{ loop([x]) }}{% endfor %}"), "recursive loops"),
    # file references
    Attack("file references", "template ../..", LLM.format(body="template: ../../../../../../etc/passwd"),
           "outside the spec's folder"),
    Attack("file references", "template absolute", LLM.format(body="template: /etc/hostname"),
           "outside the spec's folder"),
    Attack("file references", "template symlink", LLM.format(body="template: link.j2"), "outside the spec's folder",
           files={"link.j2": "-> /etc/hostname"}),
    Attack("file references", "reference table",
           "reference: ../../etc/passwd.csv\ncolumns: [{name: x, kind: normal}]\n", "outside the spec's folder"),
    Attack("file references", "sample data", _column("{name: x, kind: empirical, file: /etc/passwd}"),
           "outside the spec's folder"),
    # YAML
    Attack("YAML", "billion laughs", LAUGHS, "expands to more than 1,000,000 values"),
    Attack("YAML", "recursive alias", "a: &a [1, *a]\ncolumns: [{name: x, kind: normal}]\n", "refers to the"),
    Attack("YAML", "duplicate key", _column("{name: x, kind: normal, sd: 1, sd: 1000}"), "duplicate key 'sd'"),
    Attack("YAML", "deep nesting", "columns: " + "[" * 5000 + "]" * 5000 + "\n", "nested"),
    Attack("YAML", "python object tag", "columns: !!python/object/apply:os.system ['true']\n",
           "could not determine a constructor"),
    # numbers that overflow or hang sampling
    Attack("numeric overflow", "round: 2**63", _column("{name: x, kind: normal, round: 9223372036854775808}"),
           "field 'round'"),
    Attack("numeric overflow", "lognormal huge mu", _column("{name: x, kind: lognormal, mu: 1000}"), "field 'mu'"),
    Attack("numeric overflow", "integer beyond int64", _column("{name: x, kind: integer, low: 0, high: 1e23}"),
           "field 'high'"),
    Attack("numeric overflow", "normal to integers", _column("{name: x, kind: normal, mean: 1e300, round: 0}"),
           "field 'mean'"),
    Attack("numeric overflow", "Poisson mean", _column("{name: x, kind: poisson, lam: 1e300}"), "field 'lam'"),
    Attack("numeric overflow", "binomial trials", _column("{name: x, kind: binomial, n: 1e30, p: 0.5}"), "field 'n'"),
    Attack("numeric overflow", "negative binomial p", _column("{name: x, kind: negbinomial, n: 1, p: 1e-300}"),
           "field 'p'"),
    Attack("numeric overflow", "scipy heavy tail",
           _column("{name: x, kind: scipy, dist: zipf, params: {a: 1.0000001}}"), "median of scipy.stats.zipf beyond"),
    Attack("numeric overflow", "id counter", _column("{name: x, kind: id, start: 9223372036854775807}"),
           "field 'start'"),
    Attack("numeric overflow", "dates out of range",
           _column("{name: x, kind: date, start: 0001-01-01, end: 9999-12-31}"), "field 'start'"),
    Attack("numeric overflow", "NaN bound", _column("{name: x, kind: normal, clip: [.nan, 1]}"), "NaN"),
    # sizes
    Attack("sizes", "rows 10^12", _column("{name: x, kind: normal}", rows=10**12), "field 'rows'"),
    Attack("sizes", "rows 0", _column("{name: x, kind: normal}", rows=0), "greater than or equal to 1"),
    Attack("sizes", "negative rows", _column("{name: x, kind: normal}", rows=-5), "greater than or equal to 1"),
    Attack("sizes", "chunk size", "generation: {chunk_size: 1000000000000}\ncolumns: [{name: x, kind: normal}]\n",
           "generation.chunk_size"),
    Attack("sizes", "series length", _column("{name: x, kind: arma, length: 1000000000000}"), "field 'length'"),
    Attack("sizes", "histogram bins", _column("{name: x, kind: empirical, values: [1, 2], bins: 100000000000}"),
           "field 'bins'"),
    Attack("sizes", "graph edges", _column("{kind: graph, model: erdos_renyi, nodes: 10000000, p: 1}"),
           "edges is more than"),
    Attack("sizes", "id padding", _column("{name: x, kind: id, prefix: a, width: 1000000000}"), "field 'width'"),
    Attack("sizes", "text length", LLM.replace("max_length: 20", "max_length: 1000000000").format(
        body="prompt: hi"), "max_length"),
]
