"""Wall time of ``import llmsynth`` and ``llmsynth --help`` (target: under 0.3 s each), each the median of
several fresh interpreters, beside the interpreter's own start-up and ``import llmsynth.api`` (pandas and the
spec models: what ``import llmsynth`` cost before the public names became lazy). Then ``python -X importtime``'s
largest cumulative imports for each, to show where the time goes.

Run: .venv/bin/python benchmarks/bench_import.py [--runs 9] [--top 8]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CASES = {
    "python -c pass (interpreter start-up)": ["-c", "pass"],
    "import llmsynth": ["-c", "import llmsynth"],
    "llmsynth --help": ["-m", "llmsynth", "--help"],
    "llmsynth generate --help": ["-m", "llmsynth", "generate", "--help"],
    "import llmsynth.api (the eager import before)": ["-c", "import llmsynth.api"],
}


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}


def wall_seconds(args: list[str], runs: int) -> list[float]:
    """Seconds per fresh interpreter running ``args``, output discarded."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, *args], env=_env(), stdout=subprocess.DEVNULL, check=True)
        times.append(time.perf_counter() - start)
    return times


def top_imports(args: list[str], top: int) -> list[tuple[float, str]]:
    """The ``top`` largest cumulative import times (seconds) under ``-X importtime`` of modules imported at top
    level or by those (the level that names a culprit: ``typer`` under ``llmsynth.cli.main``)."""
    result = subprocess.run([sys.executable, "-X", "importtime", *args], env=_env(), capture_output=True,
                            text=True, check=True)
    rows = []
    for line in result.stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        _, cumulative, name = line.removeprefix("import time:").split("|")
        depth = (len(name) - len(name.lstrip()) - 1) // 2
        if depth <= 1 and name.strip() not in ("site", "encodings"):  # start-up of every interpreter
            rows.append((int(cumulative) / 1e6, "  " * depth + name.strip()))
    return sorted(rows, key=lambda row: -row[0])[:top]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--top", type=int, default=8)
    options = parser.parse_args()
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}")
    print(f"{'case':48} {'median s':>9} {'min s':>7} {'max s':>7}")
    for name, args in CASES.items():
        times = wall_seconds(args, options.runs)
        print(f"{name:48} {statistics.median(times):9.3f} {min(times):7.3f} {max(times):7.3f}")
    for name in ("import llmsynth", "llmsynth --help"):
        print(f"\nlargest imports of '{name}' (cumulative s; indented: imported by a top-level import):")
        for seconds, module in top_imports(CASES[name], options.top):
            print(f"  {seconds:6.3f}  {module}")


if __name__ == "__main__":
    main()
