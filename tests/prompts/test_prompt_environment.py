"""The sandbox: templates from spec files cannot reach Python internals nor build unbounded text, and
unknown names fail loudly. What the static pass can see is refused when the template compiles; what
depends on row values is stopped while rendering, with a SpecError naming the column."""

from __future__ import annotations

import pytest

from llmsynth.errors import SpecError
from llmsynth.prompts.environment import compile_template, render
from llmsynth.spec.template_budget import MAX_LOOP_ITERATIONS, MAX_PROMPT_CHARS


def run(source: str, **variables: object) -> str:
    return render(compile_template(source, group="bio"), variables, group="bio")


def test_renders_row_values() -> None:
    assert run("{{ name }} is {{ age + 1 }}", name="Ann", age=40) == "Ann is 41"


def test_ordinary_templates_render_unchanged() -> None:
    source = (
        "{% for k, v in row.items() %}{{ k|title }}={{ v }}{% if not loop.last %}, {% endif %}{% endfor %}|"
        "{{ '%.1f'|format(score) }}|{{ '{0:>5}'.format(name) }}|{{ names|join(' & ') }}|{{ (name ~ '!') * 2 }}|"
        "{{ name|center(7) }}|{{ '%d%%' % 7 }}|{{ range(3)|list }}|{{ 2 ** 10 }}"
    )
    out = run(source, row={"age": 3, "city": "Lima"}, score=7.25, name="Ann", names=["a", "b"])
    assert out == "Age=3, City=Lima|7.2|  Ann|a & b|Ann!Ann!|  Ann  |7%|[0, 1, 2]|1024"


@pytest.mark.parametrize(
    ("source", "problem"),
    [
        ("{{ ''.__class__ }}", "attribute '__class__' is private"),
        ("{{ cycler.__init__.__globals__.os }}", "is private"),
        ("{{ name.__class__.__mro__[1].__subclasses__() }}", "is private"),
        ("{{ ''.format.__globals__ }}", "attribute '__globals__' is private"),
        ("{{ name|attr('__class__') }}", "attribute '__class__' is private"),
        ("{{ row['__class__'] }}", "item '__class__' is private"),
        ("{% include 'other.j2' %}", "{% include %} is not available"),
        ("{{ [1, 2]|random }}", "filter 'random' is not available"),
        ("{{ name|lenght }}", "unknown filter 'lenght' (did you mean 'length'?)"),
        ("{{ 'x' * 10**9 }}", "'x' * 1000000000 would build 1,000,000,000 characters (limit 100,000)"),
        ("{{ range(10**8)|list }}", "range(100000000) has over 100,000 items"),
        ("{% for i in range(200) %}{% for j in range(200) %}.{% endfor %}{% endfor %}",
         "these loops would run 40,000 iterations (limit 10,000 per prompt)"),
        ("{{ 2 ** 100000 }}", "2 ** 100000 is an integer of about 100,001 bits (limit 4,096)"),
        ("{{ name|center(10**9) }}", "center(1000000000) would build over 100,000 characters"),
        ("{{ '{:>999999999}'.format(name) }}", "format width 999999999 is over the limit of 1,000"),
        ("{{ '%0999999999d' % age }}", "format width 999999999"),
        ("{{ [age] * 10**9 }}", "would build 1,000,000,000 items"),
        ("{% macro f(n) %}{{ g(n) }}{% endmacro %}{% macro g(n) %}{{ f(n) }}{% endmacro %}{{ f(1) }}",
         "macro 'f' calls itself (f -> g -> f)"),
        ("{% for x in [1] recursive %}{{ loop([x]) }}{% endfor %}", "recursive loops are not allowed"),
    ],
    ids=["class", "cycler-globals", "subclasses", "format-globals", "attr-filter", "item", "include", "random",
         "typo-filter", "huge-string", "huge-range", "nested-loops", "huge-int", "center", "format-width",
         "printf-width", "list-repeat", "recursive-macros", "recursive-loop"],
)
def test_refused_when_compiled_with_the_line(source: str, problem: str) -> None:
    with pytest.raises(SpecError) as info:
        compile_template("ok\n" + source, group="bio")
    message = str(info.value)
    assert message.startswith("column 'bio': prompt: template refused on line 2: ")
    assert problem in message


@pytest.mark.parametrize(
    ("source", "variables", "problem"),
    [
        ("{{ 'x' * n }}", {"n": 10**9}, "would build 1,000,000,000 characters"),
        ("{% for i in range(n) %}{% for j in range(n) %}{% endfor %}{% endfor %}", {"n": 1000},
         f"loops ran over {MAX_LOOP_ITERATIONS:,} iterations"),
        ("{% for i in range(n) %}{{ s }}{% endfor %}", {"n": 500, "s": "y" * 1000},
         f"the prompt is longer than {MAX_PROMPT_CHARS:,} characters"),
        ("{{ s.replace('x', s).replace('x', s) }}", {"s": "x" * 1000}, "replace() would build 1,000,000 characters"),
        ("{{ name.ljust(n) }}", {"name": "a", "n": 10**9}, "ljust(1000000000)"),
        ("{{ name|indent(n) }}", {"name": "a\nb", "n": 10**6}, "indent() would build"),
        ("{{ '%*d' % (n, 1) }}", {"n": 10**9}, "a '*' width"),
        ("{{ x ** n }}", {"x": 10, "n": 10**6}, "bits"),
        ("{% macro f(g, n) %}{% if n %}{{ g(g, n - 1) }}{{ g(g, n - 1) }}{% endif %}{% endmacro %}{{ f(f, n) }}",
         {"n": 40}, "calls and filters in one prompt"),
        ("{{ name|attr(key) }}", {"name": "a", "key": "__class__"}, "blocked by the template sandbox"),
        ("{{ items.append(1) }}", {"items": [1]}, "access to attribute 'append' of 'list' object is unsafe"),
    ],
    ids=["string", "loops", "output", "replace", "ljust", "indent", "printf-star", "power", "macro-calls",
         "dynamic-attr", "mutation"],
)
def test_stopped_while_rendering(source: str, variables: dict[str, object], problem: str) -> None:
    with pytest.raises(SpecError) as info:
        run(source, **variables)
    message = str(info.value)
    assert message.startswith("column 'bio': prompt: ")
    assert problem in message


def test_missing_variable_is_named_with_the_known_ones() -> None:
    with pytest.raises(SpecError, match=r"'countr' is undefined.*known: age, country"):
        run("{{ countr }}", age=3, country="PE")


def test_syntax_error_gives_the_line() -> None:
    with pytest.raises(SpecError, match=r"column 'bio'.*line 2"):
        compile_template("ok\n{{ name ", group="bio")


def test_runtime_error_in_template_is_a_spec_error() -> None:
    with pytest.raises(SpecError, match="ZeroDivisionError"):
        run("{{ 1 / zero }}", zero=0)
