"""Rows/s of the Ray engine with 1 and 2 local workers against the local engine, in one run, for a
scaffold-only spec and for an LLM spec (the real default model), and the overhead of Ray at 1 worker.

Run: .venv/bin/python benchmarks/bench_ray.py [--scaffold-rows 5000000] [--llm-rows 96] [--llm-chunk 16]
     [--rounds 3] [--skip-scaffold] [--skip-llm]

Every run writes a Parquet file durably (run folder, commits, assembly), as a user's run would, and runs
in a fresh process, as ``llmsynth generate`` does: the local engine pays for importing torch and loading
the model in its run, as a Ray worker does in its own (a second run in one process would find torch
imported already, an advantage no user's run has). The local Ray cluster is started once before the runs
(as an existing cluster is, with --ray-address); its start is printed apart, and each Ray run connects to
it and gives each worker the machine's CPUs shared out. Ray's times include starting the workers and, for
the LLM spec, each worker loading the model. The engines run ``--rounds`` times, in reversed order every
other round; the overhead is that of the medians. All tables of one spec are checked equal.
The issue's target: Ray's overhead at 1 worker <= 10% for runs over one minute.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import statistics
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # before torch loads; Ray's workers inherit it

import _common as common
import pandas as pd
import ray

import llmsynth
from llmsynth.spec import spec_from_dict

SCAFFOLD = {
    "name": "ray-scaffold", "seed": 1,
    "columns": [
        {"name": "id", "kind": "id", "prefix": "R"},
        {"name": "age", "kind": "truncnormal", "mean": 41, "sd": 13, "low": 18, "high": 75, "round": 0},
        {"name": "income", "kind": "lognormal", "mu": 10, "sigma": 0.5, "round": 2},
        {"name": "country", "kind": "categorical",
         "categories": {"USA": 0.4, "India": 0.3, "Germany": 0.2, "Japan": 0.1}},
        {"name": "score", "kind": "expression", "expr": "age * 2 + income / 1000"},
    ],
}


def measure(spec: llmsynth.DatasetSpec, rows: int, output: Path, engine: dict[str, object]) -> float:
    """Seconds of one ``generate_run`` in a fresh process (spawned, so nothing is imported beforehand)."""
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(timed_run, spec, rows, output, engine).result()


def timed_run(spec: llmsynth.DatasetSpec, rows: int, output: Path, engine: dict[str, object]) -> float:
    started = time.perf_counter()
    llmsynth.generate_run(spec, rows=rows, output=output, **engine)  # type: ignore[arg-type]
    return time.perf_counter() - started


def compare(spec: llmsynth.DatasetSpec, rows: int, label: str, rounds: int) -> list[dict[str, object]]:
    """Each engine ``rounds`` times, the order reversed every round so that a slow spell of a shared
    machine does not fall on one engine; the overhead is taken from the engines' medians."""
    address = ray.get_runtime_context().gcs_address
    cpus = os.cpu_count() or 1
    engines: list[tuple[str, dict[str, object]]] = [("local", {})] + [
        (f"ray, {n} worker{'s' * (n > 1)}", {"engine": "ray", "workers": n, "ray_address": address,
                                             "cpus_per_worker": max(1, cpus // n)}) for n in (1, 2)]
    seconds: dict[str, list[float]] = {name: [] for name, _ in engines}
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        tables = []
        for round_ in range(rounds):
            for name, engine in engines if round_ % 2 == 0 else engines[::-1]:
                tag = f"{name.replace(' ', '').replace(',', '-')}-{round_}"
                output = folder / f"{tag}.parquet"
                took = measure(spec, rows, output, engine)
                tables.append(pd.read_parquet(output))
                seconds[name].append(took)
                results.append({"spec": label, "engine": name, "round": round_ + 1, "rows": rows,
                                "seconds": round(took, 1), "rows_per_s": round(rows / took, 2)})
                print(json.dumps(results[-1]), flush=True)
        assert all(t.equals(tables[0]) for t in tables[1:]), f"{label}: the engines made different tables"
    local, one, two = (statistics.median(seconds[name]) for name, _ in engines)
    print(f"{label}: medians of {rounds} rounds: local {local:.1f} s, ray 1 worker {one:.1f} s, 2 workers "
          f"{two:.1f} s; ray overhead at 1 worker {100 * (one / local - 1):+.1f}%, 2 workers vs local "
          f"{local / two:.2f}x; tables identical", flush=True)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scaffold-rows", type=int, default=5_000_000)
    parser.add_argument("--llm-rows", type=int, default=96)
    parser.add_argument("--llm-chunk", type=int, default=16)
    parser.add_argument("--skip-llm", action="store_true")
    parser.add_argument("--skip-scaffold", action="store_true")
    parser.add_argument("--rounds", type=int, default=3, help="runs of each engine, alternating order")
    args = parser.parse_args()
    print(f"# {common.machine()}")
    started = time.perf_counter()
    ray.init(num_cpus=os.cpu_count(), include_dashboard=False, log_to_driver=False, logging_level="WARNING")
    print(f"local Ray cluster started in {time.perf_counter() - started:.1f} s (once, not in the figures)")
    if not args.skip_scaffold:
        compare(spec_from_dict(SCAFFOLD), args.scaffold_rows, "scaffold (5 columns)", args.rounds)
    if not args.skip_llm:
        customers = llmsynth.load_spec(common.ROOT / "examples" / "customers.yaml").with_overrides(
            **{"generation.chunk_size": args.llm_chunk, "model.device": "cpu"})
        compare(customers, args.llm_rows, "LLM (examples/customers.yaml)", args.rounds)
    ray.shutdown()


if __name__ == "__main__":
    main()
