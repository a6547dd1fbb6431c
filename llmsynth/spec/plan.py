"""Order the spec's columns by what they read, so every column is generated after its inputs."""

from __future__ import annotations

import difflib
from graphlib import CycleError, TopologicalSorter

from llmsynth.errors import SpecError
from llmsynth.spec.base import ColumnBase
from llmsynth.spec.dataset import DatasetSpec
from llmsynth.spec.llm import TEMPLATE_GLOBALS, LLMGroup, template_variables
from llmsynth.spec.templates import template_source


def order_columns(spec: DatasetSpec) -> list[ColumnBase]:
    """Column entries in an order that respects dependencies (ties keep the spec's order).

    Raises SpecError naming the column for an unknown name or a cycle.
    """
    producer: dict[str, int] = {}
    for index, column in enumerate(spec.columns):
        for name in column.output_names():
            producer[name] = index
    graph: dict[int, set[int]] = {}
    for index, column in enumerate(spec.columns):
        try:
            needs = column_reads(column, spec)
        except ValueError as exc:
            raise SpecError(str(exc), column=column.label) from exc
        deps: set[int] = set()
        for name in sorted(needs):
            if name not in producer:
                close = difflib.get_close_matches(name, list(producer), n=1)
                hint = f" (did you mean '{close[0]}'?)" if close else ""
                raise SpecError(f"uses '{name}', which is not a column of this spec{hint}", column=column.label)
            if producer[name] != index:
                deps.add(producer[name])
        graph[index] = deps
    sorter = TopologicalSorter(graph)
    try:
        sorter.prepare()
    except CycleError as exc:
        cycle = [spec.columns[i].label for i in exc.args[1]]
        raise SpecError(
            "dependency cycle: " + " -> ".join(f"'{c}'" for c in cycle), column=cycle[0]
        ) from exc
    order: list[int] = []
    while sorter.is_active():
        ready = sorted(sorter.get_ready())  # stable: earlier spec entries first
        order.extend(ready)
        sorter.done(*ready)
    return [spec.columns[i] for i in order]


def column_reads(column: ColumnBase, spec: DatasetSpec) -> set[str]:
    """What a column reads; a template file is read here so its variables order the columns too."""
    needs = column.dependencies()
    if isinstance(column, LLMGroup) and column.template is not None:
        text, origin = template_source(column, spec.base_dir)
        needs |= template_variables(text, origin) - TEMPLATE_GLOBALS - set(column.fields)
    return needs
