"""The Python API: one function per CLI command, with the CLI's option names as keyword arguments.

``llmsynth validate|preview|generate|merge|parse|eval|plot|models|schema|fit`` call ``validate``,
``preview``, ``generate``/``generate_run``, ``merge``, ``parse``, ``evaluate``, ``plot``, ``list_models``,
``schema`` and ``fit`` here and only print what they return; whatever the CLI can do, a script can do
the same way. This package imports the spec models (pandas only inside the functions that handle
tables); ``import llmsynth`` reaches it only on first use.
"""

from llmsynth.api.checks import PlanStep, Validation, allow_paths, list_models, schema, validate
from llmsynth.api.evaluation import Plotted, evaluate, plot
from llmsynth.api.fitting import fit
from llmsynth.api.generation import GenerationRun, generate, generate_run, load_spec, preview, resolve_spec
from llmsynth.api.merging import merge
from llmsynth.api.parsing import Parsed, parse

__all__ = [
    "GenerationRun",
    "Parsed",
    "PlanStep",
    "Plotted",
    "Validation",
    "allow_paths",
    "evaluate",
    "fit",
    "generate",
    "generate_run",
    "list_models",
    "load_spec",
    "merge",
    "parse",
    "plot",
    "preview",
    "resolve_spec",
    "schema",
    "validate",
]
