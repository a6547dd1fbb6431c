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
from llmsynth.registry import BACKENDS, EVALS, PARSERS, PLOTS, REGISTRIES, SAMPLERS, TABLE_FORMATS, Registry
from llmsynth.scaffold.registry import sampler_class
from llmsynth.spec import ColumnSchema, spec_from_dict


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
    assert set(REGISTRIES) == {"samplers", "backends", "parsers", "writers", "evals", "plots"}
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
        "[llmsynth.writers]\ntlines = demo_plugin:TsvLike\n",
        encoding="utf-8",
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    importlib.invalidate_caches()
    for registry in (PARSERS, TABLE_FORMATS):
        registry.refresh()
    yield
    monkeypatch.undo()
    importlib.invalidate_caches()
    sys.modules.pop("demo_plugin", None)
    for registry in (PARSERS, TABLE_FORMATS):
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
    assert imported == {"__future__", "difflib", "importlib", "collections", "typing", "llmsynth.errors"}


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
