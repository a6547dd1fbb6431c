"""Scaffold throughput (issue 14): rows/s for a 10-column scaffold-only spec through the Python API and
the CLI (CSV and Parquet), next to a plain numpy/scipy implementation of the same columns run in the
same process, with peak memory.

    python benchmarks/bench_scaffold.py                       # 100k, 1M and 10M rows
    python benchmarks/bench_scaffold.py --rows 1000000 --threads 1,2 --json scaffold.json

The spec is benchmarks/scaffold10.yaml: a 4-column Gaussian copula (lognormal, gamma, beta, Poisson
marginals) plus truncated normal, normal, categorical, boolean, integer and uniform columns.

- ``api``: ``llmsynth.generate(spec, rows=N)`` in a warm process (imports and inverse tables built by a
  1,000-row warm-up), best of ``--repeat`` runs, alternated with the numpy/scipy version so both see the
  same machine load. ``--threads`` sets ``LLMSYNTH_THREADS`` for the API runs (1, the default, is no
  thread pool).
- ``numpy``: the same columns written plainly with numpy and scipy.stats (copula via ``ppf`` of
  ``Phi(z)``, ``truncnorm.ppf``, ``rng.choice`` for the categories) into a DataFrame.
- ``cli-csv`` / ``cli-parquet``: ``llmsynth generate SPEC -n N -o out.{csv,parquet}`` as a subprocess:
  wall time including start-up (imports, about 2-3 s here), and the generator's own rows/s from the
  run record.
- peak memory: the peak resident set of a fresh process doing only that path (``ru_maxrss``); for the
  API it holds the whole table, for the CLI it should stay flat in rows.
Wall times on a shared machine move with its load: compare the ratios within one run (``cpu`` is the
process's CPU seconds, less sensitive to other processes).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "benchmarks" / "scaffold10.yaml"
CORR = [[1.0, 0.4, 0.3, 0.2], [0.4, 1.0, 0.1, 0.3], [0.3, 0.1, 1.0, 0.1], [0.2, 0.3, 0.1, 1.0]]
COUNTRIES = {"USA": 0.3, "India": 0.2, "Germany": 0.15, "Brazil": 0.15, "Japan": 0.1, "France": 0.1}


def plain_numpy(n: int, seed: int = 7) -> Any:
    """The spec's 10 columns as one would write them with numpy and scipy.stats directly."""
    import numpy as np
    import pandas as pd
    from scipy import special, stats

    rng = np.random.default_rng(seed)
    latent = 2 * np.sin(np.pi * np.asarray(CORR) / 6)  # Spearman -> latent normal correlation
    u = special.ndtr(rng.standard_normal((n, 4)) @ np.linalg.cholesky(latent).T)
    low, high = (18 - 41) / 13, (75 - 41) / 13
    return pd.DataFrame(
        {
            "income": stats.lognorm.ppf(u[:, 0], s=0.6, scale=np.exp(10.5)),
            "claims": stats.gamma.ppf(u[:, 1], a=2, scale=500),
            "score": stats.beta.ppf(u[:, 2], 2, 5),
            "visits": stats.poisson.ppf(u[:, 3], 3).astype(np.int64),
            "age": stats.truncnorm.ppf(rng.random(n), low, high, loc=41, scale=13),
            "height": rng.normal(170, 10, n),
            "country": rng.choice(list(COUNTRIES), size=n, p=list(COUNTRIES.values())),
            "member": rng.random(n) < 0.3,
            "seats": rng.integers(1, 51, n),
            "discount": rng.uniform(0, 0.3, n),
        }
    )


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _timed(run: Any) -> tuple[float, float]:
    cpu, started = _cpu(), time.perf_counter()
    run()
    return time.perf_counter() - started, _cpu() - cpu


def in_process(rows: int, repeat: int, threads: list[int]) -> dict[str, Any]:
    """Best-of-``repeat`` wall and CPU seconds for numpy/scipy and the API (per thread count), interleaved."""
    import llmsynth

    spec = llmsynth.load_spec(SPEC)
    llmsynth.generate(spec, rows=1000)
    plain_numpy(1000)
    best: dict[str, tuple[float, float]] = {}
    for _ in range(repeat):
        order = [("numpy", None), *[(f"api-{t}", t) for t in threads]]
        for name, count in order:
            if count is None:
                result = _timed(lambda: plain_numpy(rows))
            else:
                os.environ["LLMSYNTH_THREADS"] = str(count)
                result = _timed(lambda: llmsynth.generate(spec, rows=rows))
            best[name] = min(best.get(name, result), result)
    return {name: {"seconds": wall, "cpu": cpu, "rows_per_s": rows / wall} for name, (wall, cpu) in best.items()}


def peak_api(rows: int, threads: int) -> float:
    """Peak RSS (MiB) of a fresh process that generates ``rows`` through the API and keeps them."""
    code = (
        "import resource, sys, llmsynth; "
        f"frame = llmsynth.generate(llmsynth.load_spec({str(SPEC)!r}), rows={rows}); "
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
    )
    env = {**os.environ, "LLMSYNTH_THREADS": str(threads), "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", code], env=env, check=True, capture_output=True, text=True)
    return int(out.stdout.split()[-1]) / 1024


def cli(rows: int, suffix: str, threads: int, folder: Path) -> dict[str, Any]:
    """``llmsynth generate`` to a file: wall time, the generator's own rows/s, the file size, peak RSS."""
    output = folder / f"scaffold-{rows}.{suffix}"
    command = [sys.executable, "-m", "llmsynth", "generate", str(SPEC), "-n", str(rows), "-o", str(output)]
    wrapper = (
        "import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL); "
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    env = {**os.environ, "LLMSYNTH_THREADS": str(threads), "PYTHONPATH": str(ROOT)}
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", wrapper, *command], env=env, check=True, capture_output=True, text=True
    )
    wall = time.perf_counter() - started
    record = json.loads(output.with_name(output.stem + ".run.json").read_text())
    result = {
        "seconds": wall,
        "rows_per_s": rows / wall,
        "generator_rows_per_s": rows / record["seconds"] if record.get("seconds") else None,
        "file_mib": output.stat().st_size / 2**20,
        "peak_mib": int(done.stdout.split()[-1]) / 1024,
    }
    output.unlink()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", default="100000,1000000,10000000", help="comma-separated row counts")
    parser.add_argument("--repeat", type=int, default=3, help="in-process runs per size (best is kept)")
    parser.add_argument("--threads", default="1,2", help="LLMSYNTH_THREADS values to compare (the CLI uses the last)")
    parser.add_argument("--skip-cli", action="store_true", help="only the in-process comparison")
    parser.add_argument("--json", type=Path, help="also write every figure here")
    args = parser.parse_args()
    sizes = [int(r) for r in args.rows.split(",")]
    threads = [int(t) for t in args.threads.split(",")]
    results: dict[str, Any] = {"machine": machine(), "sizes": {}}
    print(f"machine: {results['machine']}\n")
    print("| rows | path | threads | seconds | rows/s | CPU s | peak MiB | vs numpy/scipy |")
    print("|---|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as folder:
        for rows in sizes:
            repeat = args.repeat if rows <= 1_000_000 else 1
            figures = in_process(rows, repeat, threads)
            numpy_rate = figures["numpy"]["rows_per_s"]
            entry: dict[str, Any] = {"in_process": figures}
            print(_row(rows, "numpy/scipy", "-", figures["numpy"], None, None))
            for t in threads:
                api = figures[f"api-{t}"]
                api["peak_mib"] = peak_api(rows, t)
                print(_row(rows, "api", t, api, api["peak_mib"], api["rows_per_s"] / numpy_rate))
            if not args.skip_cli:
                for suffix in ("csv", "parquet"):
                    run = cli(rows, suffix, threads[-1], Path(folder))
                    entry[f"cli_{suffix}"] = run
                    label = f"cli {suffix} ({run['generator_rows_per_s']:,.0f} in the run)"
                    print(_row(rows, label, threads[-1], run, run["peak_mib"], run["rows_per_s"] / numpy_rate))
            results["sizes"][str(rows)] = entry
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


def _row(rows: int, path: str, threads: Any, figures: dict[str, Any], peak: float | None, ratio: float | None) -> str:
    cpu = f"{figures['cpu']:.2f}" if "cpu" in figures else "-"
    peak_text = f"{peak:,.0f}" if peak is not None else "-"
    ratio_text = f"{ratio:.1f}x" if ratio is not None else "1x"
    return (
        f"| {rows:,} | {path} | {threads} | {figures['seconds']:.2f} | {figures['rows_per_s']:,.0f} | {cpu} |"
        f" {peak_text} | {ratio_text} |"
    )


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    load = os.getloadavg()[0]
    return f"{cpu}, {os.cpu_count()} cores, {memory:.0f} GiB, load average {load:.1f}, Python {sys.version.split()[0]}"


if __name__ == "__main__":
    main()
