"""The static pass over a prompt template's syntax tree: everything the sandbox would refuse at render
time and that can be seen without row values is refused here, when the spec loads (so ``validate``
reports it and no model waits for it).

Refused: ``include``/``import``/``extends`` (a prompt is one template), recursive loops and macros
that call themselves, names and attributes starting with ``_``, unknown filters and tests, and any
constant expression or loop whose size is over the limits of ``template_sandbox`` (``'x' * 10**9``,
``range(10**8)``, nested loops of 10^4 x 10^4). The pass also rewrites the tree so the render can
meter what it could not decide: each loop's iterable is wrapped in the loop-guard filter (charged with
the text its body writes) and each ``~`` concatenation in the size guard.
"""

from __future__ import annotations

import difflib
from typing import Any

from jinja2 import nodes
from jinja2.exceptions import TemplateSyntaxError

from llmsynth.spec.template_budget import MAX_LOOP_ITERATIONS, MAX_TEMPLATE_CHARS, TemplateLimitError, sized
from llmsynth.spec.template_growth import BINOPS, FILTER_CHECKS, STR_METHOD_CHECKS, check_printf, checked_mul
from llmsynth.spec.template_sandbox import (
    LOOP_GUARD,
    REMOVED_FILTERS,
    SIZE_GUARD,
    LimitedSandbox,
    checked_range,
    environment,
)


class TemplateRefused(ValueError):
    """A template the static pass refuses; the message starts with its line."""

    def __init__(self, message: str, lineno: int | None = None) -> None:
        self.lineno = lineno
        super().__init__(f"line {lineno}: {message}" if lineno else message)


class _Unknown:
    """A value the static pass cannot know (it depends on the row)."""


UNKNOWN: Any = _Unknown()
_ARITHMETIC = {"Add": "+", "Sub": "-", "Mul": "*", "Div": "/", "FloorDiv": "//", "Mod": "%", "Pow": "**"}
_PLAIN = {"-": lambda a, b: a - b, "/": lambda a, b: a / b, "//": lambda a, b: a // b}


def checked_tree(source: str) -> nodes.Template:
    """Parse and check a template; the rewritten tree compiles with ``environment().from_string``.

    Raises TemplateRefused (or TemplateSyntaxError for plain syntax errors, with its line).
    """
    if len(source) > MAX_TEMPLATE_CHARS:
        raise TemplateRefused(f"the template has {len(source):,} characters (limit {MAX_TEMPLATE_CHARS:,})")
    env = environment()
    try:
        tree = env.parse(source)
        _Checker(env).run(tree)
    except RecursionError:
        raise TemplateRefused("the template is nested too deeply") from None
    return tree


def compile_checked(source: str) -> Any:
    """A compiled template after the static pass (raises TemplateRefused / TemplateSyntaxError)."""
    tree = checked_tree(source)
    try:
        return environment().from_string(tree)
    except TemplateSyntaxError:
        raise
    except (RecursionError, SyntaxError, MemoryError) as exc:  # Python's own limits on nested blocks
        raise TemplateRefused(f"the template is nested too deeply ({type(exc).__name__})") from None


class _Checker:
    def __init__(self, env: LimitedSandbox) -> None:
        self.env = env
        self._memo: dict[int, Any] = {}

    def run(self, tree: nodes.Template) -> None:
        self._check_macros(tree)
        self._visit(tree, 1)
        tree.set_environment(self.env)  # the guard nodes added by the rewrite need it too

    # -- the walk ------------------------------------------------------------------------------

    def _visit(self, node: nodes.Node, loops: int) -> None:
        self._check_node(node)
        if isinstance(node, nodes.For):
            count = _length(self._const(node.iter))
            inner = loops * count if count is not None else loops
            if inner > MAX_LOOP_ITERATIONS:
                raise TemplateRefused(
                    f"these loops would run {inner:,} iterations (limit {MAX_LOOP_ITERATIONS:,} per prompt)",
                    node.lineno,
                )
            for child in (node.target, node.iter, *([node.test] if node.test else [])):
                self._visit(child, loops)
            for child in node.body:
                self._visit(child, inner)
            for child in node.else_:
                self._visit(child, loops)
            cost = sum(len(n.data) for n in node.find_all(nodes.TemplateData))
            node.iter = nodes.Filter(node.iter, LOOP_GUARD, [nodes.Const(cost)], [], None, None,
                                     lineno=node.lineno)
            return
        if isinstance(node, nodes.Macro | nodes.CallBlock):
            loops = 1  # a macro body runs per call; calls are metered at render time
        for child in node.iter_child_nodes():
            self._visit(child, loops)
        self._wrap_concats(node)

    def _wrap_concats(self, node: nodes.Node) -> None:
        for field in node.fields:
            value = getattr(node, field, None)
            if isinstance(value, nodes.Concat):
                setattr(node, field, nodes.Filter(value, SIZE_GUARD, [], [], None, None, lineno=value.lineno))
            elif isinstance(value, list):
                setattr(node, field, [
                    nodes.Filter(v, SIZE_GUARD, [], [], None, None, lineno=v.lineno) if isinstance(v, nodes.Concat)
                    else v
                    for v in value
                ])

    def _check_node(self, node: nodes.Node) -> None:
        line = node.lineno
        if isinstance(node, nodes.Extends | nodes.Include | nodes.Import | nodes.FromImport):
            tag = type(node).__name__.lower().replace("fromimport", "from ... import")
            raise TemplateRefused(f"{{% {tag} %}} is not available: a prompt is one template", line)
        if isinstance(node, nodes.For) and node.recursive:
            raise TemplateRefused("recursive loops are not allowed in prompts", line)
        if isinstance(node, nodes.Getattr) and node.attr.startswith("_"):
            raise TemplateRefused(f"attribute '{node.attr}' is private (the sandbox forbids names starting "
                                  "with _)", line)
        if isinstance(node, nodes.Getitem):
            key = self._const(node.arg)
            if isinstance(key, str) and key.startswith("_"):
                raise TemplateRefused(f"item '{key}' is private (the sandbox forbids names starting with _)", line)
        if isinstance(node, nodes.Name) and node.name.startswith("_llmsynth"):
            raise TemplateRefused(f"'{node.name}' is reserved", line)
        if isinstance(node, nodes.Filter):
            self._check_filter(node)
        if isinstance(node, nodes.Test) and node.name not in self.env.tests:
            raise TemplateRefused(f"unknown test '{node.name}'{_suggest(node.name, self.env.tests)}", line)
        if isinstance(node, nodes.Call):
            self._check_call(node)
        if isinstance(node, nodes.BinExpr | nodes.Concat):
            self._const(node)  # a constant expression over the limits is refused here

    def _check_filter(self, node: nodes.Filter) -> None:
        line = node.lineno
        if node.name in REMOVED_FILTERS:
            raise TemplateRefused(f"filter '{node.name}' is not available: {REMOVED_FILTERS[node.name]}", line)
        if node.name.startswith("_llmsynth") or node.name not in self.env.filters:
            raise TemplateRefused(f"unknown filter '{node.name}'{_suggest(node.name, self.env.filters)}", line)
        args = [self._const(a) for a in node.args]
        kwargs: dict[str, Any] = {str(k.key): self._const(k.value) for k in node.kwargs}
        if node.name == "attr" and args and isinstance(args[0], str) and args[0].startswith("_"):
            raise TemplateRefused(f"attribute '{args[0]}' is private (the sandbox forbids names starting with _)",
                                  line)
        check = FILTER_CHECKS.get(node.name)
        value = self._const(node.node) if node.node is not None else UNKNOWN
        if check is not None:
            probe = "" if value is UNKNOWN else value
            self._limited(lambda: check(probe, tuple(args), kwargs), line)

    def _check_call(self, node: nodes.Call) -> None:
        line = node.lineno
        args = tuple(self._const(a) for a in node.args)
        kwargs = {k.key: self._const(k.value) for k in node.kwargs}
        if isinstance(node.node, nodes.Name) and node.node.name == "range":
            known = [a for a in args if a is not UNKNOWN]
            if len(known) == len(args) and all(isinstance(a, int) for a in args):
                self._limited(lambda: checked_range(*args), line)
        if isinstance(node.node, nodes.Getattr) and node.node.attr in STR_METHOD_CHECKS:
            owner = self._const(node.node.node)
            text = owner if isinstance(owner, str) else ""
            method = STR_METHOD_CHECKS[node.node.attr]
            self._limited(lambda: method(text, args, kwargs), line)
        if isinstance(node.node, nodes.Getattr) and node.node.attr in ("format", "format_map"):
            owner = self._const(node.node.node)
            if isinstance(owner, str):
                self._limited(lambda: self.env.wrap_str_format(owner.format), line)

    @staticmethod
    def _limited(action: Any, line: int) -> None:
        try:
            action()
        except TemplateLimitError as exc:
            raise TemplateRefused(str(exc), line) from None
        except (TypeError, ValueError, ArithmeticError, LookupError):
            pass  # not a size problem; the render reports it with the row that triggers it

    # -- constants -----------------------------------------------------------------------------

    def _const(self, node: nodes.Node) -> Any:
        """The node's value when it is the same for every row, else UNKNOWN; over-limit values raise."""
        key = id(node)
        if key not in self._memo:
            self._memo[key] = self._evaluate(node)
        return self._memo[key]

    def _evaluate(self, node: nodes.Node) -> Any:
        if isinstance(node, nodes.Const):
            return node.value
        if isinstance(node, nodes.TemplateData):
            return node.data
        if isinstance(node, nodes.List | nodes.Tuple):
            items = [self._const(i) for i in node.items]
            if any(i is UNKNOWN for i in items):
                return UNKNOWN
            return items if isinstance(node, nodes.List) else tuple(items)
        if isinstance(node, nodes.Neg | nodes.Pos):
            value = self._const(node.node)
            if isinstance(value, int | float) and not isinstance(value, bool):
                return -value if isinstance(node, nodes.Neg) else value
            return UNKNOWN
        if isinstance(node, nodes.BinExpr) and type(node).__name__ in _ARITHMETIC:
            return self._binop(node)
        if isinstance(node, nodes.Concat):
            parts = [self._const(n) for n in node.nodes]
            if any(p is UNKNOWN for p in parts):
                return UNKNOWN
            return self._apply(lambda: sized("".join(str(p) for p in parts)), node.lineno)
        if isinstance(node, nodes.Call) and isinstance(node.node, nodes.Name) and node.node.name == "range":
            args = [self._const(a) for a in node.args]
            if node.kwargs or not all(isinstance(a, int) for a in args):
                return UNKNOWN
            return self._apply(lambda: checked_range(*args), node.lineno)
        return UNKNOWN

    def _binop(self, node: nodes.BinExpr) -> Any:
        left, right = self._const(node.left), self._const(node.right)
        if left is UNKNOWN or right is UNKNOWN:
            self._partly_known(node, left, right)
            return UNKNOWN
        symbol = _ARITHMETIC[type(node).__name__]
        operation = BINOPS.get(symbol) or _PLAIN[symbol]
        return self._apply(lambda: operation(left, right), node.lineno)

    def _partly_known(self, node: nodes.BinExpr, left: Any, right: Any) -> None:
        """Sizes known without every value: ``'%0999999999d' % age``, ``[age] * 10**9``."""
        if isinstance(node, nodes.Mod) and isinstance(left, str):
            self._limited(lambda: check_printf(left), node.lineno)
        if isinstance(node, nodes.Mul):
            for seq, count in ((node.left, right), (node.right, left)):
                if isinstance(seq, nodes.List | nodes.Tuple) and isinstance(count, int):
                    sample = [0] * len(seq.items)
                    self._limited(lambda s=sample, c=count: checked_mul(s, c), node.lineno)

    @staticmethod
    def _apply(action: Any, line: int) -> Any:
        try:
            return action()
        except TemplateLimitError as exc:
            raise TemplateRefused(str(exc), line) from None
        except (TypeError, ValueError, ArithmeticError, LookupError):
            return UNKNOWN

    # -- macros --------------------------------------------------------------------------------

    def _check_macros(self, tree: nodes.Template) -> None:
        macros = {m.name: m for m in tree.find_all(nodes.Macro)}
        calls = {name: {n.name for n in m.find_all(nodes.Name) if n.name in macros} for name, m in macros.items()}
        for name in macros:
            path = _cycle_from(name, calls)
            if path:
                chain = " -> ".join(path)
                raise TemplateRefused(f"macro '{name}' calls itself ({chain}); recursion is not allowed in prompts",
                                      macros[name].lineno)


def _cycle_from(start: str, calls: dict[str, set[str]]) -> list[str] | None:
    """A call path from ``start`` back to itself, if there is one."""
    stack: list[tuple[str, list[str]]] = [(start, [start])]
    seen: set[str] = set()
    while stack:
        name, path = stack.pop()
        for callee in sorted(calls.get(name, ())):
            if callee == start:
                return [*path, start]
            if callee not in seen:
                seen.add(callee)
                stack.append((callee, [*path, callee]))
    return None


def _length(value: Any) -> int | None:
    if isinstance(value, str | list | tuple | range | dict):
        return len(value)
    return None


def _suggest(name: str, known: Any) -> str:
    close = difflib.get_close_matches(name, [k for k in known if not k.startswith("_")], n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""
