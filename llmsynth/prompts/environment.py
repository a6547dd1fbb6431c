"""Compile and render prompt templates in the limited sandbox (``llmsynth.spec.template_sandbox``):
templates come from spec files, so they must not reach Python internals nor build unbounded text,
and a misspelt variable must fail loudly instead of rendering empty.

The static pass (``llmsynth.spec.template_check``) already ran when the spec loaded; compiling runs
it again on the same text, so a template built in Python gets the same checks.
"""

from __future__ import annotations

from typing import Any

from jinja2 import Template
from jinja2.exceptions import SecurityError, TemplateError, TemplateSyntaxError, UndefinedError

from llmsynth.errors import SpecError
from llmsynth.spec.template_budget import TemplateLimitError
from llmsynth.spec.template_check import TemplateRefused, compile_checked
from llmsynth.spec.template_sandbox import LimitedSandbox, environment, render_limited


def make_environment() -> LimitedSandbox:
    """The shared sandboxed environment prompts compile in."""
    return environment()


def compile_template(source: str, *, group: str, origin: str = "prompt") -> Template:
    """A compiled template; syntax errors and refusals become a SpecError naming the group and line."""
    try:
        template: Template = compile_checked(source)
    except TemplateSyntaxError as exc:
        message = f"{origin}: template syntax error on line {exc.lineno}: {exc.message}"
        raise SpecError(message, column=group) from exc
    except TemplateRefused as exc:
        raise SpecError(f"{origin}: template refused on {exc}", column=group) from exc
    return template


def render(template: Template, variables: dict[str, Any], *, group: str, origin: str = "prompt") -> str:
    """Render with one row's values; unsafe access, limits and unknown names become SpecErrors."""
    try:
        return render_limited(template, variables)
    except TemplateLimitError as exc:
        raise SpecError(f"{origin}: stopped by the template limits: {exc.message}", column=group) from exc
    except SecurityError as exc:
        raise SpecError(f"{origin}: blocked by the template sandbox: {exc}", column=group) from exc
    except UndefinedError as exc:
        message = str(exc.message or exc)
        if "unsafe" in message:
            raise SpecError(f"{origin}: blocked by the template sandbox: {message}", column=group) from exc
        known = ", ".join(sorted(k for k in variables if not k.startswith("_"))) or "none"
        raise SpecError(
            f"{origin}: {message}; a template can use columns generated before this group (known: {known})",
            column=group,
        ) from exc
    except TemplateError as exc:
        raise SpecError(f"{origin}: template failed: {exc}", column=group) from exc
    except RecursionError as exc:
        raise SpecError(f"{origin}: template failed: calls nested too deeply", column=group) from exc
    except (TypeError, ValueError, ArithmeticError, LookupError, AttributeError) as exc:
        raise SpecError(f"{origin}: template failed: {type(exc).__name__}: {exc}", column=group) from exc
