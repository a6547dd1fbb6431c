"""Rows/s of the Ray engine with 1 and 2 local workers against the local engine, in one run, for a
scaffold-only spec and for an LLM spec (the real default model), and the overhead of Ray at 1 worker.

Run: .venv/bin/python benchmarks/bench_ray.py [--scaffold-rows 5000000] [--llm-rows 96] [--llm-chunk 16]

Every run writes a Parquet file durably (run folder, commits, assembly), as a user's run would. The local
Ray cluster is started once before the runs (as an existing cluster is, with --ray-address); its start
is printed apart. Ray's times include starting the workers and, for the LLM spec, each worker loading
the model; the local engine's include its own model load. All tables of one spec are checked equal.
The issue's target: Ray's overhead at 1 worker <= 10% for runs over one minute.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
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


def measure(spec: llmsynth.DatasetSpec, rows: int, folder: Path, name: str, **engine: object) -> tuple[float, Path]:
    output = folder / f"{name}.parquet"
    started = time.perf_counter()
    llmsynth.generate_run(spec, rows=rows, output=output, **engine)  # type: ignore[arg-type]
    return time.perf_counter() - started, output


def compare(spec: llmsynth.DatasetSpec, rows: int, label: str) -> list[dict[str, object]]:
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        runs = [("local", {}), ("ray, 1 worker", {"engine": "ray", "workers": 1}),
                ("ray, 2 workers", {"engine": "ray", "workers": 2})]
        tables = []
        for name, engine in runs:
            seconds, output = measure(spec, rows, folder, name.replace(" ", "").replace(",", "-"), **engine)
            tables.append(pd.read_parquet(output))
            results.append({"spec": label, "engine": name, "rows": rows, "seconds": round(seconds, 1),
                            "rows_per_s": round(rows / seconds, 2)})
            print(json.dumps(results[-1]), flush=True)
        assert all(t.equals(tables[0]) for t in tables[1:]), f"{label}: the engines made different tables"
    local, one, two = (float(r["seconds"]) for r in results)  # type: ignore[arg-type]
    print(f"{label}: ray overhead at 1 worker {100 * (one / local - 1):+.1f}%, 2 workers vs local "
          f"{local / two:.2f}x; tables identical", flush=True)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scaffold-rows", type=int, default=5_000_000)
    parser.add_argument("--llm-rows", type=int, default=96)
    parser.add_argument("--llm-chunk", type=int, default=16)
    parser.add_argument("--skip-llm", action="store_true")
    args = parser.parse_args()
    print(f"# {common.machine()}")
    started = time.perf_counter()
    ray.init(num_cpus=os.cpu_count(), include_dashboard=False, log_to_driver=False, logging_level="WARNING")
    print(f"local Ray cluster started in {time.perf_counter() - started:.1f} s (once, not in the figures)")
    compare(spec_from_dict(SCAFFOLD), args.scaffold_rows, "scaffold (5 columns)")
    if not args.skip_llm:
        customers = llmsynth.load_spec(common.ROOT / "examples" / "customers.yaml").with_overrides(
            **{"generation.chunk_size": args.llm_chunk, "model.device": "cpu"})
        compare(customers, args.llm_rows, "LLM (examples/customers.yaml)")
    ray.shutdown()


if __name__ == "__main__":
    main()
