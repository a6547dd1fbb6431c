"""Where a run's chunks are made (here, or on Ray workers) and which of them (all, or one shard):
the options of ``generate`` that change how a run is executed, never what it produces."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from llmsynth.engine.runner import Produce, Runner
from llmsynth.engine.shards import Shard, refuse_carried_state
from llmsynth.errors import EngineError

ENGINES = ("local", "ray")


@dataclass(frozen=True)
class Execution:
    """A checked choice of engine (``ray`` holds its options, None runs here) and shard."""

    ray: Any = None  # RayOptions, imported only when asked for
    shard: Shard | None = None

    @classmethod
    def create(
        cls,
        runner: Runner,
        *,
        engine: str = "local",
        workers: int | None = None,
        ray_address: str | None = None,
        cpus_per_worker: float | None = None,
        shard: str | Shard | None = None,
        writes_file: bool,
        backend: Any = None,
    ) -> Execution:
        """Check the engine options against the run (a shard needs an output, Ray a named backend) and choose."""
        if engine not in ENGINES:
            raise EngineError(f"--engine {engine!r}: choose one of {', '.join(ENGINES)}")
        spec = runner.spec
        parsed = None if shard is None else Shard.parse(shard)
        if parsed is not None:
            if not writes_file:
                raise EngineError(f"--shard {parsed} writes one part of a run to a file: give an output (-o)")
            refuse_carried_state(spec, "--shard")
        if engine == "local":
            given = {"--workers": workers, "--ray-address": ray_address, "--cpus-per-worker": cpus_per_worker}
            named = [name for name, value in given.items() if value is not None]
            if named:
                verb = "applies" if len(named) == 1 else "apply"
                raise EngineError(f"{', '.join(named)} {verb} to --engine ray (Python: engine='ray')")
            return cls(None, parsed)
        from llmsynth.engine.ray_engine import RayOptions, require_ray

        require_ray()
        if backend is not None:
            raise EngineError("a backend object runs in this process only; with engine='ray' name the backend in "
                              "the spec (model.backend) so each worker creates its own")
        refuse_carried_state(spec, "--engine ray")
        options = RayOptions(workers=2 if workers is None else workers, address=ray_address,
                             cpus_per_worker=cpus_per_worker)
        return cls(options, parsed)

    @contextmanager
    def producer(self, runner: Runner, target: int) -> Iterator[Produce | None]:
        """The chunk producer for ``Runner.run`` (None: the runner's own), stopped at the end."""
        if self.ray is None:
            yield None
            return
        from llmsynth.engine.ray_engine import RayWorkers

        with RayWorkers(runner, target, self.ray) as workers:
            yield workers.produce
