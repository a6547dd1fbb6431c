"""The sandboxed Jinja environment every prompt renders in: templates come from spec files, so they
must not reach Python internals, and a misspelt variable must fail loudly instead of rendering empty.
"""

from __future__ import annotations

from typing import Any

from jinja2 import StrictUndefined, Template
from jinja2.exceptions import SecurityError, TemplateError, TemplateSyntaxError, UndefinedError
from jinja2.sandbox import SandboxedEnvironment

from llmsynth.errors import SpecError


def make_environment() -> SandboxedEnvironment:
    env = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=False)
    # helpers with no business in a prompt; the sandbox would block their internals anyway
    for name in ("cycler", "joiner", "lipsum", "namespace"):
        env.globals.pop(name, None)
    return env


_ENV = make_environment()


def compile_template(source: str, *, group: str, origin: str = "prompt") -> Template:
    """A compiled template; syntax errors become a SpecError naming the group and line."""
    try:
        return _ENV.from_string(source)
    except TemplateSyntaxError as exc:
        message = f"{origin}: template syntax error on line {exc.lineno}: {exc.message}"
        raise SpecError(message, column=group) from exc


def render(template: Template, variables: dict[str, Any], *, group: str, origin: str = "prompt") -> str:
    """Render with one row's values; unsafe access and unknown names become SpecErrors."""
    try:
        return template.render(variables)
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
    except (TypeError, ValueError, ArithmeticError) as exc:
        raise SpecError(f"{origin}: template failed: {type(exc).__name__}: {exc}", column=group) from exc
