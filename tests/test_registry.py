"""The one Registry: lazy lookups, 'did you mean', listings, and plugins from real entry points."""

import importlib
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from llmsynth.errors import InputDataError, SpecError
from llmsynth.io import read_table, write_table
from llmsynth.parsers import parse_rows
from llmsynth.registry import BACKENDS, EVALS, KINDS, PARSERS, PLOTS, REGISTRIES, SAMPLERS, TABLE_FORMATS, Registry
from llmsynth.scaffold.registry import sampler_class
from llmsynth.spec import ColumnSchema, DatasetSpec, spec_from_dict


def test_lookup_imports_the_target_lazily() -> None:
    code = (
        "import sys; from llmsynth.registry import SAMPLERS, PLOTS;"
        "print('llmsynth.scaffold.graphs' in sys.modules, 'llmsynth.plots.structure' in sys.modules,"
        " 'graph' in SAMPLERS, 'series' in PLOTS, SAMPLERS.get('graph').__name__,"
        " 'llmsynth.scaffold.graphs' in sys.modules)"
    )
    shown = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert shown.split() == ["False", "False", "True", "True", "GraphSampler", "True"]


def test_known_names_resolve_to_their_objects() -> None:
    from llmsynth.backends.fake import FakeBackend
    from llmsynth.io.csv_format import CsvFormat
    from llmsynth.parsers.kv_parser import scan
    from llmsynth.plots.numeric import histogram
    from llmsynth.scaffold.multivariate import CopulaSampler

    assert sampler_class("copula") is CopulaSampler
    assert BACKENDS.get("fake") is FakeBackend
    assert PARSERS.get("kv") is scan
    assert TABLE_FORMATS.get("csv") is CsvFormat
    assert PLOTS.get("histogram") is histogram
    assert EVALS.get("bias").__module__ == "llmsynth.evals.bias"


@pytest.mark.parametrize(
    ("lookup", "error", "message"),
    [
        (lambda: sampler_class("normall"), SpecError, "unknown sampler kind 'normall' (did you mean 'normal'?)"),
        (lambda: PARSERS.get("jsn"), SpecError, "unknown parser 'jsn' (did you mean 'json'?); known: json, regex"),
        (lambda: PLOTS.get("histgram"), InputDataError, "unknown picture 'histgram' (did you mean 'histogram'?)"),
        (lambda: EVALS.get("privcy"), InputDataError, "unknown eval family 'privcy' (did you mean 'privacy'?)"),
        (lambda: read_table("x.parqet"), InputDataError, "unsupported file type '.parqet'"),
    ],
    ids=["sampler", "parser", "picture", "eval", "suffix"],
)
def test_unknown_names_say_what_was_meant(lookup, error, message) -> None:
    with pytest.raises(error) as caught:
        lookup()
    assert message in str(caught.value)


def test_unknown_name_without_a_close_one_lists_all() -> None:
    with pytest.raises(SpecError) as caught:
        BACKENDS.get("zzzz")
    assert str(caught.value) == "unknown backend 'zzzz'; known: transformers, fake"


def test_names_list_builtins_in_order() -> None:
    assert EVALS.names()[:7] == ["validity", "spec", "reference", "diversity", "privacy", "usefulness", "bias"]
    assert PARSERS.builtin_names() == ["json", "regex", "kv", "table"]
    assert {"normal", "copula", "arma", "graph", "data"} <= set(SAMPLERS)
    assert set(REGISTRIES) == {"kinds", "samplers", "backends", "parsers", "writers", "evals", "plots"}
    assert {r.group for r in REGISTRIES.values()} == {f"llmsynth.{name}" for name in REGISTRIES}


def test_spec_checks_parser_names_against_the_registry() -> None:
    group = {"kind": "llm", "fields": {"job": {"type": "string"}}, "prompt": "x", "decoding": "free"}
    assert spec_from_dict({"columns": [{**group, "parser": "kv"}]}).columns[0].parser == "kv"
    with pytest.raises(SpecError, match=r"unknown parser 'kvv' \(did you mean 'kv'\?\)"):
        spec_from_dict({"columns": [{**group, "parser": "kvv"}]})


PLUGIN = '''
from llmsynth.parsers.kv_parser import scan as kv_scan
from llmsynth.io.json_format import JsonLinesFormat


def scan(text, keys, **options):
    """Rows written as ``key~value`` pairs separated by ';', one row a line."""
    lines = [line.replace(";", "\\n").replace("~", ": ") + "\\n" for line in text.splitlines()]
    return kv_scan("\\n".join(lines), keys, **options)


class TsvLike(JsonLinesFormat):
    """A writer plugin: JSON Lines under another suffix."""


def row_count(inputs):
    """An eval family plugin."""
    return {"rows": len(inputs.data), "columns": len(inputs.data.columns)}


def caption(figure, picture, context):
    """A picture plugin: the table's shape as text."""
    figure.text(0.5, 0.5, f"{len(context.data)} rows")
'''


@pytest.fixture
def plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A package installed the way pip installs one: a module and a dist-info with entry_points.txt."""
    (tmp_path / "demo_plugin.py").write_text(PLUGIN, encoding="utf-8")
    info = tmp_path / "demo_plugin-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: demo-plugin\nVersion: 0.1\n", encoding="utf-8")
    (info / "entry_points.txt").write_text(
        "[llmsynth.parsers]\ntilde = demo_plugin:scan\njson = demo_plugin:scan\n\n"
        "[llmsynth.writers]\ntlines = demo_plugin:TsvLike\n\n"
        "[llmsynth.evals]\nrow_count = demo_plugin:row_count\n\n[llmsynth.plots]\ncaption = demo_plugin:caption\n",
        encoding="utf-8",
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    importlib.invalidate_caches()
    for registry in (PARSERS, TABLE_FORMATS, EVALS, PLOTS):
        registry.refresh()
    yield
    monkeypatch.undo()
    importlib.invalidate_caches()
    sys.modules.pop("demo_plugin", None)
    for registry in (PARSERS, TABLE_FORMATS, EVALS, PLOTS):
        registry.refresh()


@pytest.mark.usefixtures("plugin")
def test_entry_point_plugins_are_found_and_used(tmp_path: Path) -> None:
    assert PARSERS.names() == ["json", "regex", "kv", "table", "tilde"]
    assert PARSERS.target("json") == "llmsynth.parsers.json_parser:scan"  # a plugin never replaces a built-in
    schemas = [ColumnSchema(name="job", type="string"), ColumnSchema(name="age", type="integer")]
    result = parse_rows("job~nurse;age~41\njob~baker;age~29", schemas, parser="tilde")
    assert result.rows == [{"job": "nurse", "age": 41}, {"job": "baker", "age": 29}]
    group = {"kind": "llm", "fields": {"job": {"type": "string"}}, "prompt": "x", "decoding": "free"}
    assert spec_from_dict({"columns": [{**group, "parser": "tilde"}]}).columns[0].parser == "tilde"

    frame = pd.DataFrame({"a": [1, 2], "b": ["x", "y"]})
    path = write_table(frame, tmp_path / "out.tlines")
    assert path.read_text(encoding="utf-8") == '{"a":1,"b":"x"}\n{"a":2,"b":"y"}\n'
    pd.testing.assert_frame_equal(read_table(path), frame)

    from llmsynth.evals import evaluate
    from llmsynth.plots import plot_table

    report = evaluate(frame)
    assert report.to_dict()["scores"]["row_count"] == {"rows": 2, "columns": 2}
    assert '<section id="row_count"' in report.to_html()
    figure, picture = plot_table(frame, picture="caption")
    assert picture.name == "caption"
    assert [t.get_text() for t in figure.texts] == ["2 rows"]


def test_plugins_disappear_with_their_package() -> None:
    assert "tilde" not in PARSERS
    with pytest.raises(InputDataError, match=r"unsupported file type '\.tlines'"):
        read_table("x.tlines")


def test_a_registry_of_its_own() -> None:
    registry: Registry[object] = Registry("colour", "llmsynth.test-colours", {"red": "builtins:repr"})
    assert registry.get("red") is repr
    assert registry.names() == ["red"]
    assert len(registry) == 1
    with pytest.raises(SpecError, match="unknown colour 'rde' \\(did you mean 'red'\\?\\); known: red"):
        registry.get("rde")


def test_the_registry_module_imports_only_the_standard_library_and_errors() -> None:
    """So every layer (spec included) can use it, and naming a target never imports the target."""
    import ast

    import llmsynth.registry as module

    tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))
    imported = set()
    for node in tree.body:  # module level only; the TYPE_CHECKING block is an ``if``, not an import
        if isinstance(node, ast.Import):
            imported.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module if node.module.startswith("llmsynth") else node.module.split(".")[0])
    assert imported == {"__future__", "importlib", "collections", "typing", "llmsynth.errors"}


ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    ("registry", "doc", "pattern"),
    [
        (PARSERS, "docs/parsers.md", "| `{name}` |"),
        (PLOTS, "docs/techniques.md", "`{name}`"),
        (EVALS, "docs/evals.md", '"{name}": {{}}'),
        (BACKENDS, "docs/models.md", "{name}"),
        (TABLE_FORMATS, "README.md", ".{name}"),
    ],
    ids=["parsers", "plots", "evals", "backends", "formats"],
)
def test_docs_list_every_builtin_name(registry: Registry[object], doc: str, pattern: str) -> None:
    text = (ROOT / doc).read_text(encoding="utf-8")
    assert [n for n in registry.builtin_names() if pattern.format(name=n) not in text] == []


KIND_PLUGIN = '''
from typing import Literal

import numpy as np
import pandas as pd
from pydantic import Field

from llmsynth.scaffold.base import Sampler
from llmsynth.scaffold.promises import DistributionPromise
from llmsynth.spec.kinds.base import SamplerColumn


class StepsSpec(SamplerColumn):
    """Whole steps of a random walk's length: ``kind: steps``."""

    kind: Literal["steps"]
    name: str
    most: int = Field(ge=1)

    def output_names(self):
        return [self.name]


class StepsSampler(Sampler[StepsSpec]):
    def draw(self, n, rng):
        return {"u": rng.random(n)}

    def finish(self, material, context):
        values = np.floor(material["u"] * (self.spec.most + 1)).astype(np.int64)
        return pd.DataFrame({self.spec.name: values})

    def promises(self):
        return [DistributionPromise(self.spec.name, "randint", {"low": 0, "high": self.spec.most + 1})]
'''


@pytest.fixture
def kind_plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A package that adds a column kind: its spec model and its sampler, as two entry points."""
    (tmp_path / "demo_kinds.py").write_text(KIND_PLUGIN, encoding="utf-8")
    info = tmp_path / "demo_kinds-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: demo-kinds\nVersion: 0.1\n", encoding="utf-8")
    (info / "entry_points.txt").write_text(
        "[llmsynth.kinds]\nsteps = demo_kinds:StepsSpec\n\n[llmsynth.samplers]\nsteps = demo_kinds:StepsSampler\n",
        encoding="utf-8",
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    importlib.invalidate_caches()
    for registry in (KINDS, SAMPLERS):
        registry.refresh()
    yield
    monkeypatch.undo()
    importlib.invalidate_caches()
    sys.modules.pop("demo_kinds", None)
    for registry in (KINDS, SAMPLERS):
        registry.refresh()


@pytest.mark.usefixtures("kind_plugin")
def test_a_plugin_kind_is_written_in_a_spec_generated_and_checked() -> None:
    from llmsynth import generate
    from llmsynth.evals import evaluate

    data = {"rows": 4000, "seed": 5, "columns": [
        {"kind": "normal", "name": "x", "mean": 0, "sd": 1},
        {"kind": "steps", "name": "walk", "most": 6},
    ]}
    spec = spec_from_dict(data)
    assert isinstance(spec, DatasetSpec)
    assert [c.kind for c in spec.columns] == ["normal", "steps"]
    table = generate(spec)
    assert sorted(table["walk"].unique()) == [0, 1, 2, 3, 4, 5, 6]
    checks = evaluate(table, spec).to_dict()["scores"]["spec"]["checks"]
    assert checks["distribution:walk"]["passed"] is True
    with pytest.raises(SpecError, match=r"unknown column kind 'stepz' \(did you mean 'steps'\?\)"):
        spec_from_dict({"columns": [{"kind": "stepz", "name": "w", "most": 2}]})
    with pytest.raises(SpecError, match=r"column 'walk': field 'most': Input should be greater than or equal to 1"):
        spec_from_dict({"columns": [{"kind": "steps", "name": "walk", "most": 0}]})


def test_without_the_plugin_its_kind_is_unknown() -> None:
    with pytest.raises(SpecError, match="unknown column kind 'steps'"):
        spec_from_dict({"columns": [{"kind": "steps", "name": "w", "most": 2}]})
