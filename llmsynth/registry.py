"""Names -> behaviour, in one place: samplers, backends, parsers, table formats, eval families, plots.

Every registry maps a name to a lazy ``"module:attr"`` target, so importing this module, listing
names or checking a spec imports nothing heavy; ``get`` imports a target the first time it is used.
Adding a built-in is one module plus one line below. Other packages add entries through entry points
in the registry's group (``llmsynth.samplers``, ``llmsynth.backends``, ...), e.g. in their pyproject::

    [project.entry-points."llmsynth.parsers"]
    yaml = "my_package.yaml_parser:scan"

Entry points are read only when a name is not built in, or when all names are listed; a built-in
name always wins over a plugin of the same name, so installing a package cannot silently replace one.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from llmsynth.errors import InputDataError, LLMSynthError, SpecError

if TYPE_CHECKING:  # the checker sees what each registry returns; nothing here is imported at run time
    from llmsynth.backends.registry import BackendClass
    from llmsynth.evals.inputs import EvalFamily
    from llmsynth.io.formats import TableFormat
    from llmsynth.parsers.parse import Scan
    from llmsynth.plots.render import Draw
    from llmsynth.scaffold.base import Sampler
    from llmsynth.spec.base import ColumnBase

T = TypeVar("T")


def load_target(target: str) -> Any:
    """The object a ``"module:attr"`` target names (``attr`` may be dotted)."""
    module, _, attr = target.partition(":")
    found: Any = importlib.import_module(module)
    for part in attr.split(".") if attr else []:
        found = getattr(found, part)
    return found


class Registry(Generic[T]):
    """Named, lazily imported targets of one sort, with plugins from entry points and 'did you mean'."""

    def __init__(
        self, what: str, group: str, targets: dict[str, str], error: type[LLMSynthError] = SpecError
    ) -> None:
        self.what = what  # "sampler", "backend", ...: the word the error messages use
        self.group = group  # the entry-point group other packages register under
        self.error = error  # what an unknown name raises (SpecError for spec fields, InputDataError for data)
        self._builtin = dict(targets)
        self._plugins: dict[str, str] | None = None
        self._loaded: dict[str, T] = {}

    def plugins(self) -> dict[str, str]:
        """Entry points of other installed packages in this registry's group (read once, then cached)."""
        if self._plugins is None:
            from importlib.metadata import entry_points  # ~0.1 s to import: only when plugins are asked for

            self._plugins = {
                ep.name: ep.value for ep in entry_points(group=self.group) if ep.name not in self._builtin
            }
        return self._plugins

    def refresh(self) -> None:
        """Forget the entry points read so far (after installing a plugin in a running process)."""
        self._plugins = None
        self._loaded = {n: v for n, v in self._loaded.items() if n in self._builtin}

    def names(self) -> list[str]:
        """Every registered name, built-ins first in their declared order, then plugins sorted."""
        return [*self._builtin, *sorted(self.plugins())]

    def builtin_names(self) -> list[str]:
        """The names this package ships (no entry-point scan: cheap enough for every spec validation)."""
        return list(self._builtin)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and (name in self._builtin or name in self.plugins())

    def __iter__(self) -> Iterator[str]:
        return iter(self.names())

    def __len__(self) -> int:
        return len(self.names())

    def target(self, name: str) -> str:
        """The ``"module:attr"`` target of ``name``; an unknown name raises this registry's error."""
        found = self._builtin.get(name) or self.plugins().get(name)
        if found is None:
            raise self.error(self.unknown(name))
        return found

    def get(self, name: str) -> T:
        """The object registered as ``name``, imported on first use."""
        if name not in self._loaded:
            self._loaded[name] = load_target(self.target(name))
        return self._loaded[name]

    def check(self, name: str) -> str:
        """``name`` itself when it is registered, else this registry's error (for validators)."""
        self.target(name)
        return name

    def unknown(self, name: str) -> str:
        """The one-line message for an unknown name: the closest known one and the list."""
        import difflib  # only error paths need it

        known = self.names()
        close = difflib.get_close_matches(name, known, n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        return f"unknown {self.what} '{name}'{hint}; known: {', '.join(known)}"


# --- the registries; a new built-in is one line here plus its module ---------------------------------

SAMPLERS: Registry[type[Sampler[Any]]] = Registry("sampler kind", "llmsynth.samplers", {
    "normal": "llmsynth.scaffold.distributions:DistributionSampler",
    "truncnormal": "llmsynth.scaffold.distributions:DistributionSampler",
    "uniform": "llmsynth.scaffold.distributions:DistributionSampler",
    "lognormal": "llmsynth.scaffold.distributions:DistributionSampler",
    "exponential": "llmsynth.scaffold.distributions:DistributionSampler",
    "gamma": "llmsynth.scaffold.distributions:DistributionSampler",
    "beta": "llmsynth.scaffold.distributions:DistributionSampler",
    "poisson": "llmsynth.scaffold.distributions:DistributionSampler",
    "binomial": "llmsynth.scaffold.distributions:DistributionSampler",
    "negbinomial": "llmsynth.scaffold.distributions:DistributionSampler",
    "scipy": "llmsynth.scaffold.distributions:DistributionSampler",
    "categorical": "llmsynth.scaffold.basic:CategoricalSampler",
    "boolean": "llmsynth.scaffold.basic:BooleanSampler",
    "integer": "llmsynth.scaffold.basic:IntegerSampler",
    "date": "llmsynth.scaffold.basic:DateSampler",
    "datetime": "llmsynth.scaffold.basic:DateSampler",
    "id": "llmsynth.scaffold.basic:IdSampler",
    "expression": "llmsynth.scaffold.expression:ExpressionSampler",
    "density": "llmsynth.scaffold.montecarlo:DensitySampler",
    "empirical": "llmsynth.scaffold.montecarlo:EmpiricalSampler",
    "mvnormal": "llmsynth.scaffold.multivariate:MultivariateNormalSampler",
    "copula": "llmsynth.scaffold.multivariate:CopulaSampler",
    "fixed_sum": "llmsynth.scaffold.fixed_sum:FixedSumSampler",
    "mixture": "llmsynth.scaffold.mixture:MixtureSampler",
    "tree": "llmsynth.scaffold.tree:TreeSampler",
    "arma": "llmsynth.scaffold.timeseries:ArmaSampler",
    "graph": "llmsynth.scaffold.graphs:GraphSampler",
    "quantiles": "llmsynth.scaffold.fitted:QuantilesSampler",
    "discrete": "llmsynth.scaffold.fitted:DiscreteSampler",
    "conditional": "llmsynth.scaffold.conditional:ConditionalSampler",
    "data": "llmsynth.scaffold.data_rows:DataRowsSampler",
})

# column kinds from other packages: name -> the pydantic model that declares it (a ``SamplerColumn``
# with ``kind: Literal["name"]``); its sampler comes through SAMPLERS. The built-in kinds are the
# spec's own union (``llmsynth.spec.kinds``), so this registry holds plugins only.
KINDS: Registry[type[ColumnBase]] = Registry("column kind", "llmsynth.kinds", {})

BACKENDS: Registry[BackendClass] = Registry("backend", "llmsynth.backends", {
    "transformers": "llmsynth.backends.transformers_backend:TransformersBackend",
    "fake": "llmsynth.backends.fake:FakeBackend",
})

PARSERS: Registry[Scan] = Registry("parser", "llmsynth.parsers", {
    "json": "llmsynth.parsers.json_parser:scan",
    "regex": "llmsynth.parsers.regex_parser:scan",
    "kv": "llmsynth.parsers.kv_parser:scan",
    "table": "llmsynth.parsers.table_parser:scan",
})

# table formats by file suffix (without the dot): how to read a whole file and append chunks to one
TABLE_FORMATS: Registry[type[TableFormat]] = Registry("file type", "llmsynth.writers", {
    "csv": "llmsynth.io.csv_format:CsvFormat",
    "parquet": "llmsynth.io.parquet_format:ParquetFormat",
    "jsonl": "llmsynth.io.json_format:JsonLinesFormat",
    "json": "llmsynth.io.json_format:JsonFormat",
}, error=InputDataError)

# metric families, in the order the JSON report lists them
EVALS: Registry[EvalFamily] = Registry("eval family", "llmsynth.evals", {
    "validity": "llmsynth.evals.validity:family",
    "spec": "llmsynth.evals.spec_fidelity:family",
    "reference": "llmsynth.evals.reference_fidelity:family",
    "diversity": "llmsynth.evals.diversity:family",
    "privacy": "llmsynth.evals.privacy:family",
    "usefulness": "llmsynth.evals.usefulness:family",
    "bias": "llmsynth.evals.bias:family",
}, error=InputDataError)

# pictures of ``llmsynth plot``: name -> drawing function(figure, picture, context)
PLOTS: Registry[Draw] = Registry("picture", "llmsynth.plots", {
    "histogram": "llmsynth.plots.numeric:histogram",
    "overlay": "llmsynth.plots.numeric:overlay",
    "scatter": "llmsynth.plots.numeric:scatter",
    "fit": "llmsynth.plots.numeric:fit",
    "side_by_side": "llmsynth.plots.numeric:side_by_side",
    "correlation": "llmsynth.plots.numeric:correlation",
    "stacked_bars": "llmsynth.plots.structure:stacked_bars",
    "graph": "llmsynth.plots.structure:graph",
    "series": "llmsynth.plots.structure:series",
    "tree": "llmsynth.plots.structure:tree",
    "bars": "llmsynth.plots.structure:bars",
    "table": "llmsynth.plots.structure:table",
}, error=InputDataError)

REGISTRIES: dict[str, Registry[Any]] = {
    "kinds": KINDS, "samplers": SAMPLERS, "backends": BACKENDS, "parsers": PARSERS,
    "writers": TABLE_FORMATS, "evals": EVALS, "plots": PLOTS,
}

