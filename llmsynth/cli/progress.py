"""Progress of a generation run, fed by the engine's ``progress(done, total)`` callback.

On a terminal: a bar with rows done, rows/s and ETA, both shown as soon as the first rows are done
(rate = rows done / time since the run started, so one finished batch is enough). Elsewhere (a log
file, CI): one plain line at the start, at the first rows, every ``PLAIN_EVERY`` seconds and at the
end. The callback may be called once per row: between redraws a call only stores two numbers.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import IO, Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

BAR_EVERY = 0.1  # seconds between bar updates (rich redraws ten times a second anyway)
PLAIN_EVERY = 10.0  # seconds between plain lines


def clock_text(seconds: float) -> str:
    """``m:ss``, or ``h:mm:ss`` past an hour: how long a run has taken or has left."""
    hours, rest = divmod(round(seconds), 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


class RowProgress:
    """The ``progress(done, total)`` callable: keeps the numbers, draws at most every ``every`` seconds."""

    def __init__(self, draw: Callable[[int, int, float], None], every: float,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.draw, self.every, self.clock = draw, every, clock
        self.started: float | None = None
        self.drawn_at = -float("inf")
        self.drawn_done = -1
        self.done = self.total = 0

    def __call__(self, done: int, total: int) -> None:
        """Take the latest counts; draw only when ``every`` seconds have passed, at the first rows or the end."""
        now = self.clock()
        if self.started is None:
            self.started = now
        self.done, self.total = done, total
        first_rows = done > 0 and self.drawn_done <= 0
        if now - self.drawn_at < self.every and not first_rows and done < total:
            return  # the cheap path: most per-row calls end here
        self.flush(now)

    def flush(self, now: float | None = None) -> None:
        """Draw the latest counts now unless they are already shown (the last line of a run)."""
        if self.started is None or self.done == self.drawn_done:
            return
        now = self.clock() if now is None else now
        self.drawn_at, self.drawn_done = now, self.done
        self.draw(self.done, self.total, now - self.started)


def rate_and_eta(done: int, total: int, elapsed: float) -> tuple[str, str]:
    """Rows/s and the time left at that rate, as shown; dashes before the first rows."""
    if done <= 0 or elapsed <= 0:
        return "— rows/s", "ETA —"
    rate = done / elapsed
    shown = f"{rate:,.0f}" if rate >= 100 else f"{rate:.2f}"
    return f"{shown} rows/s", f"ETA {clock_text(max(total - done, 0) / rate)}"


def plain_line(label: str, done: int, total: int, elapsed: float) -> str:
    """``generating customers: 64/200 rows (32%), 3.41 rows/s, elapsed 0:19, ETA 0:40``."""
    share = f" ({100 * done / total:.0f}%)" if total else ""
    rate, eta = rate_and_eta(done, total, elapsed)
    if total and done >= total:
        return f"{label}: {done}/{total} rows{share} in {clock_text(elapsed)}, {rate}"
    return f"{label}: {done}/{total} rows{share}, {rate}, elapsed {clock_text(elapsed)}, {eta}"


@contextmanager
def plain_progress(label: str, stream: IO[str], clock: Callable[[], float] = time.monotonic,
                   every: float = PLAIN_EVERY) -> Iterator[RowProgress]:
    """A progress callable that writes a plain line every ``every`` seconds to ``stream`` (logs, CI)."""
    def draw(done: int, total: int, elapsed: float) -> None:
        stream.write(plain_line(label, done, total, elapsed) + "\n")
        stream.flush()

    progress = RowProgress(draw, every, clock)
    yield progress
    progress.flush()


@contextmanager
def bar_progress(label: str, console: Console, clock: Callable[[], float] = time.monotonic,
                 every: float = BAR_EVERY) -> Iterator[RowProgress]:
    """A progress callable that draws a rich bar on ``console`` (a terminal)."""
    columns = (
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]}"),
        TimeElapsedColumn(),
        TextColumn("{task.fields[eta]}"),
    )
    with Progress(*columns, console=console, transient=False, get_time=clock) as bar:
        task = bar.add_task(label, total=None, rate="— rows/s", eta="ETA —")

        def draw(done: int, total: int, elapsed: float) -> None:
            rate, eta = rate_and_eta(done, total, elapsed)
            bar.update(task, completed=done, total=total, rate=rate, eta=eta)

        progress = RowProgress(draw, every, clock)
        yield progress
        progress.flush()


@contextmanager
def row_progress(label: str, *, quiet: bool = False, stream: Any = None) -> Iterator[RowProgress | None]:
    """The progress callback for a run: a bar on a terminal, plain lines otherwise, None when quiet."""
    if quiet:
        yield None
        return
    stream = stream if stream is not None else sys.stderr
    if stream.isatty():
        with bar_progress(label, Console(file=stream)) as progress:
            yield progress
    else:
        with plain_progress(label, stream) as progress:
            yield progress
