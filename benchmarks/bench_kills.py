"""Kill a real run again and again, resume it each time, and check that nothing was lost or repeated.

Run: .venv/bin/python benchmarks/bench_kills.py [--rows 8000] [--kills 15] [--max-delay 3]

For each output format: one uninterrupted run, then ``llmsynth generate ... --resume`` started as a
new process and killed with SIGKILL at a random moment (0 to --max-delay seconds after its first
commit, so that each kill lands in a run under way), as many times as asked; a last resume finishes
the run. The final table must equal the uninterrupted one (CSV and JSONL byte for byte, Parquet frame
for frame), with exactly the requested rows and no duplicate ids. The spec uses the fake backend (an
LLM group with a unique field and no retries, so rejects and top-ups happen) with the default
one-second commits.
"""

from __future__ import annotations

import argparse
import json
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SPEC = """
name: kills
seed: 7
model: {backend: fake}
generation: {chunk_size: 64, retries: 0}
columns:
  - {name: id, kind: id, prefix: "K"}
  - {name: age, kind: integer, low: 18, high: 70}
  - kind: llm
    prompt: "Person {{ id }} aged {{ age }}"
    fields:
      code: {type: integer, min: 0, max: 200000, unique: true}
      job: {type: string, max_length: 30}
"""


def llmsynth(*args: str) -> list[str]:
    return [sys.executable, "-m", "llmsynth", "generate", *args, "-q"]


def manifest_version(output: Path) -> tuple[int, int]:
    """Changes with every commit (the manifest is replaced by a new file)."""
    try:
        stat = (output.with_name(output.name + ".parts") / "manifest.json").stat()
        return stat.st_ino, stat.st_mtime_ns
    except OSError:
        return -1, -1


def committed_rows(output: Path) -> int:
    manifest = output.with_name(output.name + ".parts") / "manifest.json"
    try:
        return sum(chunk["rows"] for chunk in json.loads(manifest.read_text())["chunks"])
    except (OSError, ValueError):
        return 0


def campaign(
    spec: Path, work: Path, suffix: str, rows: int, kills: int, max_delay: float, rng: random.Random
) -> dict[str, object]:
    import pandas as pd

    from llmsynth.engine.run_record import sidecar_paths
    from llmsynth.io import read_table

    reference = work / f"reference{suffix}"
    started = time.monotonic()
    subprocess.run(llmsynth(str(spec), "-n", str(rows), "-o", str(reference)), check=True)
    full = time.monotonic() - started
    output = work / f"killed{suffix}"
    landed, progress = 0, []
    for _ in range(kills):
        before = manifest_version(output)
        process = subprocess.Popen(llmsynth(str(spec), "-n", str(rows), "-o", str(output), "--resume"))
        while process.poll() is None and manifest_version(output) == before:
            time.sleep(0.02)  # still starting (imports take seconds here): wait for its first commit
        try:
            process.wait(timeout=rng.uniform(0.0, max_delay))
        except subprocess.TimeoutExpired:
            process.send_signal(signal.SIGKILL)
            process.wait()
            landed += 1
            progress.append(committed_rows(output))
        if process.returncode == 0:
            break
    subprocess.run(llmsynth(str(spec), "-n", str(rows), "-o", str(output), "--resume"), check=True)
    data, expected = read_table(output), read_table(reference)
    same = data.equals(expected) if suffix == ".parquet" else output.read_bytes() == reference.read_bytes()
    pd.testing.assert_frame_equal(data, expected)
    rejects_same = sidecar_paths(output)[1].read_bytes() == sidecar_paths(reference)[1].read_bytes()
    return {"format": suffix, "kills": landed, "rows committed at the kills": progress, "rows": len(data),
            "duplicate ids": int(data["id"].duplicated().sum()), "identical": same, "rejects identical": rejects_same,
            "uninterrupted seconds": round(full, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=8000)
    parser.add_argument("--max-delay", type=float, default=3.0)
    parser.add_argument("--kills", type=int, default=15)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        spec = work / "kills.yaml"
        spec.write_text(SPEC)
        for suffix in (".csv", ".parquet", ".jsonl"):
            print(json.dumps(campaign(spec, work, suffix, args.rows, args.kills, args.max_delay, rng)), flush=True)


if __name__ == "__main__":
    main()
