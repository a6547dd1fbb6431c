"""Peak memory of a run against the rows it writes: a durable run to a file should stay flat in rows.

Run: .venv/bin/python benchmarks/bench_memory.py [--sizes 10000,100000,1000000] [--llm-sizes 1000,10000]

Each measurement is a fresh Python process: peak RSS (``ru_maxrss``) after importing everything, then
after the run. Scaffold-only spec (id, truncated normal, lognormal, categorical, expression; the default
chunk of 262,144 rows) to Parquet and CSV, compared in the same run with the in-memory path
(``llmsynth.generate`` then ``DataFrame.to_parquet``), which grows with the table. The LLM rows use the
fake backend: the real default model makes about 2 rows/s on this CPU, so 10,000 rows would take well
over an hour.
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import tempfile
from pathlib import Path

SCAFFOLD = """
name: memory
seed: 1
columns:
  - {name: id, kind: id, prefix: "R"}
  - {name: age, kind: truncnormal, mean: 41, sd: 13, low: 18, high: 75, round: 0}
  - {name: income, kind: lognormal, mu: 10, sigma: 0.5, round: 2}
  - {name: country, kind: categorical, categories: {USA: 0.4, India: 0.3, Germany: 0.2, Japan: 0.1}}
  - {name: score, kind: expression, expr: "age * 2 + income / 1000"}
"""

LLM = """
name: memory-llm
seed: 1
model: {backend: fake}
columns:
  - {name: id, kind: id, prefix: "P"}
  - {name: age, kind: integer, low: 18, high: 70}
  - kind: llm
    prompt: "Person {{ id }} aged {{ age }}"
    fields:
      job: {type: string, max_length: 30}
      level: {type: choice, choices: [junior, senior, lead]}
"""

CHILD = """
import json, resource, sys, time
import pandas, pyarrow.parquet, llmsynth
from llmsynth.engine import durable, runner  # noqa: F401  (everything imported before the baseline)
spec, rows, output, mode = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
started = time.perf_counter()
if mode == "durable":
    llmsynth.generate_run(spec, rows=rows, output=output)
else:
    llmsynth.generate(spec, rows=rows).to_parquet(output)
seconds = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"base_mib": base / 1024, "peak_mib": peak / 1024, "seconds": seconds}))
"""


def measure(spec: Path, rows: int, output: Path, mode: str) -> dict[str, float]:
    done = subprocess.run([sys.executable, "-c", CHILD, str(spec), str(rows), str(output), mode],
                          capture_output=True, text=True, check=True)
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--llm-sizes", default="1000,10000")
    args = parser.parse_args()
    print(f"# {platform.processor() or platform.machine()}, Python {platform.python_version()}")
    print("| spec | rows | writes | peak RSS (MiB) | above baseline (MiB) | seconds |")
    print("|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        (work / "scaffold.yaml").write_text(SCAFFOLD)
        (work / "llm.yaml").write_text(LLM)
        cases = [("scaffold", int(n), how) for n in args.sizes.split(",") if n
                 for how in ("durable .parquet", "durable .csv", "in memory, then .parquet")]
        cases += [("llm (fake backend)", int(n), "durable .parquet") for n in args.llm_sizes.split(",") if n]
        for name, rows, how in cases:
            spec = work / ("llm.yaml" if name.startswith("llm") else "scaffold.yaml")
            suffix = ".csv" if how.endswith(".csv") else ".parquet"
            output = work / f"out-{rows}-{how.split()[0]}{suffix}"
            result = measure(spec, rows, output, "durable" if how.startswith("durable") else "memory")
            above = result["peak_mib"] - result["base_mib"]
            print(f"| {name} | {rows:,} | {how} | {result['peak_mib']:.0f} | {above:.0f} | {result['seconds']:.1f} |",
                  flush=True)
            output.unlink()
            for leftover in work.glob("out-*"):
                leftover.unlink()


if __name__ == "__main__":
    main()
