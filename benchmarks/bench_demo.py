"""`make demo` end to end, today's tree against an earlier commit, and the LLM step's cost in rows (issue 12).

Run: .venv/bin/python benchmarks/bench_demo.py [--baseline deae4c5] [--rounds 2] [--rows 64]
     [--linear 32,320] [--json out.json]

Demo: the two commands `make demo` runs (`llmsynth generate examples/customers.yaml -n 64 -o ...` then
`llmsynth eval ... --report ...`) as fresh processes, for the baseline commit (checked out into a temporary
git worktree, run with the same virtualenv) and for this tree, alternating, ``--rounds`` times each; the
median wall time of each and their ratio. This tree runs twice a round: with the shared-prefix store as a
user's later runs find it, and with the store off (``LLMSYNTH_PREFIX_CACHE=0``), as a first run computes.
The baseline defaults to the main branch as it stood when the throughput issue was filed.

Linearity: in one process with the model loaded once, ``generate_run`` of the customers spec at each size
in ``--linear`` (a warm-up run first); seconds, rows/s and peak RSS after each size, and the ratio of
seconds between the largest and the smallest size against the ratio of rows.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from _common import ROOT, machine

BASELINE = "deae4c5"  # main when the throughput issue was filed (before the frame decoder)
SPEC = ROOT / "examples" / "customers.yaml"


def demo_once(tree: Path, rows: int, out: Path, extra_env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds of the demo's two commands (generate, eval) run from ``tree``'s code."""
    env = {**os.environ, "PYTHONPATH": str(tree), **extra_env}
    table, report = out / "customers.csv", out / "report.html"
    commands = [
        [sys.executable, "-m", "llmsynth", "generate", str(tree / "examples" / "customers.yaml"), "-n", str(rows),
         "-o", str(table)],
        [sys.executable, "-m", "llmsynth", "eval", str(table), "--spec", str(tree / "examples" / "customers.yaml"),
         "--report", str(report)],
    ]
    seconds = []
    for command in commands:
        started = time.perf_counter()
        done = subprocess.run(command, env=env, cwd=out, capture_output=True, text=True)
        if done.returncode != 0:
            raise SystemExit(f"{' '.join(command[2:4])} failed in {tree}: {done.stderr.strip()[-800:]}")
        seconds.append(time.perf_counter() - started)
    return seconds[0], seconds[1]


def demo(baseline: str, rounds: int, rows: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as scratch:
        old = Path(scratch) / "baseline"
        subprocess.run(["git", "worktree", "add", "--detach", "-q", str(old), baseline], cwd=ROOT, check=True)
        try:
            # this tree twice: as a user's later runs find it (the shared prompt prefix read from the store
            # the first round wrote) and as a first run does (the prefix computed: the store off)
            variants = (("baseline", old, {}), ("current", ROOT, {}),
                        ("current, prefix computed", ROOT, {"LLMSYNTH_PREFIX_CACHE": "0"}))
            times: dict[str, list[float]] = {name: [] for name, _, _ in variants}
            generate: dict[str, list[float]] = {name: [] for name, _, _ in variants}
            for round_ in range(rounds):
                for index, (name, tree, extra_env) in enumerate(variants):
                    out = Path(scratch) / f"{index}-{round_}"
                    out.mkdir()
                    made, evaluated = demo_once(tree, rows, out, extra_env)
                    times[name].append(made + evaluated)
                    generate[name].append(made)
                    print(f"... {name} round {round_ + 1}: generate {made:.1f} s, eval {evaluated:.1f} s", flush=True)
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(old)], cwd=ROOT, check=False)
    medians = {name: statistics.median(values) for name, values in times.items()}
    made = {name: statistics.median(values) for name, values in generate.items()}
    return {"baseline": baseline, "rows": rows, "seconds": times, "median_s": medians, "generate_s": generate,
            "median_generate_s": made,
            "speedup": {name: medians["baseline"] / medians[name] for name in medians if name != "baseline"},
            "generate_speedup": {name: made["baseline"] / made[name] for name in made if name != "baseline"}}


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def linear(sizes: list[int]) -> dict[str, Any]:
    from llmsynth import generate_run, load_spec
    from llmsynth.backends.registry import create_backend

    spec = load_spec(SPEC)
    backend = create_backend(spec.model)
    generate_run(spec, rows=4, seed=1, backend=backend)
    rows = []
    for size in sizes:
        started = time.perf_counter()
        run = generate_run(spec, rows=size, seed=0, backend=backend)
        seconds = time.perf_counter() - started
        rows.append({"rows": size, "written": len(run.data), "seconds": seconds, "rows_per_s": size / seconds,
                     "peak_rss_mib": peak_rss_mib()})
        print(f"... {size} rows: {seconds:.1f} s", flush=True)
    return {"sizes": rows, "time_ratio": rows[-1]["seconds"] / rows[0]["seconds"],
            "row_ratio": sizes[-1] / sizes[0]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--baseline", default=BASELINE, help="Git commit to compare with (default: %(default)s).")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--rows", type=int, default=64)
    parser.add_argument("--linear", default="32,320", help="Sizes for the linearity run; empty to skip it.")
    parser.add_argument("--no-demo", action="store_true", help="Skip the baseline comparison.")
    parser.add_argument("--json", dest="json_path", default=None)
    args = parser.parse_args()
    print(f"Machine: {machine()}\n")
    record: dict[str, Any] = {"machine": machine()}
    if not args.no_demo:
        result = demo(args.baseline, args.rounds, args.rows)
        record["demo"] = result
        print(f"\n## make demo ({args.rows} rows: generate + eval), median of {args.rounds}\n")
        print("| tree | demo seconds | generate seconds | rows/s (generate) |\n|---|---|---|---|")
        for name in result["median_s"]:
            seconds, made = result["median_s"][name], result["median_generate_s"][name]
            label = f"{name} ({args.baseline})" if name == "baseline" else name
            print(f"| {label} | {seconds:.1f} | {made:.1f} | {args.rows / made:.2f} |")
        for name, speedup in result["speedup"].items():
            print(f"\nSpeed-up, {name}: **{speedup:.2f}x** end to end, "
                  f"{result['generate_speedup'][name]:.2f}x for generate")
    sizes = [int(s) for s in args.linear.split(",") if s.strip()]
    if sizes:
        result = linear(sizes)
        record["linear"] = result
        print("\n## Cost in rows (customers spec, model loaded once)\n")
        print("| rows | seconds | rows/s | peak RSS MiB |\n|---|---|---|---|")
        for row in result["sizes"]:
            print(f"| {row['rows']} | {row['seconds']:.1f} | {row['rows_per_s']:.2f} | {row['peak_rss_mib']:.0f} |")
        print(f"\n{result['row_ratio']:.0f}x the rows took {result['time_ratio']:.2f}x the time (target <= 11x)")
    if args.json_path:
        Path(args.json_path).write_text(json.dumps(record, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
