"""Make a run's chunks on Ray workers: each worker (an actor) compiles the spec and loads the model once,
then makes the chunks it is sent. The driver writes them, in chunk order, into the same run folder and
manifest a local run writes (``llmsynth.engine.durable``), so resume, the run record and the output are
those of a local run; a chunk depends only on (seed, chunk index), so the table is the same too.

A worker that dies (killed, out of memory, a lost node) is restarted by Ray, which reloads the model and
re-runs the chunks it held; the driver writes each chunk once, when its turn comes, so nothing is lost
or repeated. Errors raised by llmsynth inside a worker reach the caller as themselves.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import os
import socket
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from llmsynth.engine.run_record import RunStats
from llmsynth.engine.runner import ChunkResult, Runner
from llmsynth.errors import EngineError, GenerationError, LLMSynthError
from llmsynth.spec import DatasetSpec

INSTALL_HINT = "pip install 'llmsynth[ray]'"
# restarts of one worker (each reloads the model) and retries of the chunks it held, before the run fails
MAX_RESTARTS = 3
# chunks sent ahead per worker: one running, one queued, so a worker never waits for the driver
QUEUED_PER_WORKER = 2


def require_ray() -> Any:
    """The ray module, or a clear error saying how to install it."""
    try:
        import ray
    except ImportError as exc:
        raise EngineError(f"--engine ray needs Ray, which is not installed: {INSTALL_HINT}") from exc
    return ray


@dataclass(frozen=True)
class RayOptions:
    """How to run on Ray: workers, the cluster (None: start a local one), CPUs each worker asks for."""

    workers: int = 2
    address: str | None = None
    cpus_per_worker: float | None = None

    def __post_init__(self) -> None:
        if isinstance(self.workers, bool) or not isinstance(self.workers, int) or not 1 <= self.workers <= 10_000:
            raise EngineError(f"--workers {self.workers}: give 1 to 10,000 workers")
        if self.cpus_per_worker is not None and not 0 < self.cpus_per_worker <= 1024:
            raise EngineError(f"--cpus-per-worker {self.cpus_per_worker}: give a number above 0")

    def worker_cpus(self) -> float:
        """CPUs per worker: given, or on a local cluster this machine's CPUs shared out, else 1."""
        if self.cpus_per_worker is not None:
            return self.cpus_per_worker
        if self.address is None:
            return max(1, (os.cpu_count() or 1) // self.workers)
        return 1


class ChunkWorker:
    """One Ray worker's state: a compiled spec and, after ``ready``, the loaded model."""

    def __init__(self, spec: DatasetSpec, target: int, threads: int) -> None:
        self.runner = Runner(spec)
        self.target = target
        if spec.llm_groups():
            import torch

            torch.set_num_threads(threads)  # as many threads as CPUs Ray gave this worker

    def ready(self) -> tuple[str, int]:
        """Load what every chunk needs (a restarted worker loads it on its first chunk); (host, pid)."""
        self.runner.warm_up(self.target)
        return socket.gethostname(), os.getpid()

    def chunk(self, index: int, n: int) -> tuple[ChunkResult, Any, int]:
        """One chunk, its LLM counters (the driver adds them to the run's), and the pid that made it."""
        self.runner.warm_up(self.target)  # done once; a restarted worker does it here
        self.runner.stats = RunStats()
        result = self.runner.chunk(index, n)
        return result, self.runner.stats.llm, os.getpid()


class RayWorkers:
    """Workers on a Ray cluster, started on first use; ``produce`` is a ``Runner.run`` producer."""

    def __init__(self, runner: Runner, target: int, options: RayOptions) -> None:
        self.runner = runner
        self.target = target
        self.options = options
        self.pids: list[int] = []  # current pid of each worker (updated when a restarted worker answers)
        self.hosts: list[str] = []
        self.restarts = 0
        self._ray: Any = None
        self._actors: list[Any] = []
        self._started_cluster = False

    def __enter__(self) -> RayWorkers:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def start(self) -> None:
        """Start the worker actors (each loads the model once); a second call does nothing."""
        if self._actors:
            return
        ray = self._ray = require_ray()
        spec = self.runner.spec
        cpus = self.options.worker_cpus()
        if not ray.is_initialized():
            self._connect(ray, cpus)
        gpus = 1 if spec.llm_groups() and str(spec.model.device).startswith("cuda") else 0
        actor = ray.remote(max_restarts=MAX_RESTARTS, max_task_retries=MAX_RESTARTS)(ChunkWorker)
        actor = actor.options(num_cpus=cpus, num_gpus=gpus)
        threads = max(1, int(cpus))
        self._actors = [actor.remote(spec, self.target, threads) for _ in range(self.options.workers)]
        _CURRENT.append(self)
        answers = [self._get(a.ready.remote()) for a in self._actors]
        self.hosts = [host for host, _ in answers]
        self.pids = [pid for _, pid in answers]

    def _connect(self, ray: Any, cpus: float) -> None:
        settings: dict[str, Any] = {"include_dashboard": False, "log_to_driver": False,
                                    "logging_level": logging.WARNING, "configure_logging": True}
        if self.options.address is None:
            # a local cluster just large enough for the workers; nothing listens beyond localhost
            settings["num_cpus"] = max(1, int(cpus * self.options.workers + 0.999))
        else:
            settings["address"] = self.options.address
        try:
            ray.init(**settings)
        except (ConnectionError, RuntimeError, ValueError) as exc:
            where = f"the Ray cluster at {self.options.address}" if self.options.address else "a local Ray cluster"
            raise EngineError(f"cannot start or reach {where}: {exc}") from exc
        self._started_cluster = True

    def produce(self, pairs: Iterable[tuple[int, int]]) -> Iterator[ChunkResult]:
        """Send chunks to the least busy workers, a bounded window ahead; yield them in the given order."""
        todo = iter(pairs)
        first = next(todo, None)
        if first is None:
            return  # nothing to make: no workers to start
        todo = itertools.chain([first], todo)
        self.start()
        ray = self._ray
        order: deque[int] = deque()  # chunk indices sent and not yet yielded, in order
        running: dict[Any, tuple[int, int]] = {}  # object ref -> (chunk index, worker)
        load = [0] * len(self._actors)
        finished: dict[int, tuple[int, tuple[ChunkResult, Any, int]]] = {}
        window = QUEUED_PER_WORKER * len(self._actors)
        try:
            while True:
                while len(order) < window and (pair := next(todo, None)) is not None:
                    worker = min(range(len(load)), key=load.__getitem__)
                    running[self._actors[worker].chunk.remote(*pair)] = (pair[0], worker)
                    load[worker] += 1
                    order.append(pair[0])
                if not order:
                    return
                while order[0] not in finished:
                    done, _ = ray.wait(list(running), num_returns=1)
                    for ref in done:
                        index, worker = running.pop(ref)
                        load[worker] -= 1
                        finished[index] = (worker, self._get(ref))
                worker, (result, llm, pid) = finished.pop(order.popleft())
                if pid != self.pids[worker]:
                    self.pids[worker] = pid
                    self.restarts += 1
                self.runner.stats.add_llm(llm)
                yield result
        finally:
            for ref in running:  # chunks nobody will write (the run stopped or failed)
                with contextlib.suppress(Exception):
                    ray.cancel(ref)

    def _get(self, ref: Any) -> Any:
        """A worker's answer; llmsynth errors raised in the worker come out as themselves."""
        ray = self._ray
        try:
            return ray.get(ref)
        except ray.exceptions.RayTaskError as exc:
            cause = getattr(exc, "cause", None)
            if isinstance(cause, LLMSynthError):
                raise cause from None
            raise GenerationError(f"a Ray worker failed: {cause or exc}") from exc
        except ray.exceptions.RayActorError as exc:
            raise GenerationError(f"a Ray worker died {MAX_RESTARTS + 1} times in a row; "
                                  f"the last cause: {str(exc).splitlines()[0]}") from exc

    def close(self) -> None:
        """Stop the workers, and the local cluster if this run started it."""
        if self in _CURRENT:
            _CURRENT.remove(self)
        if self._ray is None:
            return
        for actor in self._actors:
            self._ray.kill(actor)
        self._actors = []
        if self._started_cluster:
            self._ray.shutdown()
            self._started_cluster = False


_CURRENT: list[RayWorkers] = []


def current_workers() -> RayWorkers | None:
    """The workers of the Ray run under way in this process (its pids and hosts), for monitoring."""
    return _CURRENT[-1] if _CURRENT else None
