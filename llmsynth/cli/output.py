"""The consoles commands print to, made on first use: importing rich.console costs ~0.1 s, which
``llmsynth --help`` should not pay."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console


@functools.cache
def out() -> Console:
    """Standard output: the tables and rows a command exists to show."""
    from rich.console import Console

    return Console()


@functools.cache
def err() -> Console:
    """Standard error: progress, summaries, warnings, so stdout stays pipeable."""
    from rich.console import Console

    return Console(stderr=True)
