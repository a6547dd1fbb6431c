"""Killed runs resume without losing or repeating a row: real generations in child processes, killed
with SIGKILL at random moments (and, to reach every step, just before or after each rename the run
makes), resumed each time, and compared with an uninterrupted run of the same seed.

Children are forked from the test process so that each run starts at once instead of re-importing
pandas and pyarrow (seconds per run on this machine); each still runs the real CLI end to end.
"""

from __future__ import annotations

import os
import random
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")

# an LLM group on the fake backend with a unique field and no retries: duplicates are rejected and
# topped up by extra chunks, and which values count as taken carries from chunk to chunk
SPEC = """
name: killable
rows: 400
seed: 11
model: {backend: fake}
generation: {chunk_size: 20, retries: 0}
columns:
  - {name: id, kind: id, prefix: "P"}
  - {name: age, kind: integer, low: 18, high: 70}
  - {name: spend, kind: lognormal, mu: 6, sigma: 0.7, round: 2}
  - kind: llm
    name: person
    prompt: "Person aged {{ age }} who spends {{ spend }}"
    fields:
      code: {type: integer, min: 0, max: 3000, unique: true}
      job: {type: string, max_length: 20}
"""


# scaffold only, small chunks: many commits, each run a fraction of a second
SCAFFOLD_SPEC = """
name: steps
rows: 60
seed: 3
generation: {chunk_size: 20}
columns:
  - {name: id, kind: id, prefix: "S"}
  - {name: height, kind: normal, mean: 170, sd: 10}
  - {name: group, kind: categorical, categories: {a: 0.5, b: 0.3, c: 0.2}}
"""


def _child(args: list[str], before: Callable[[], None] | None = None, stderr: Path | None = None) -> int:
    """Fork a process that runs ``llmsynth ARGS`` and exits with its code."""
    pid = os.fork()
    if pid:
        return pid
    code = 99
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, 1)
        os.dup2(os.open(stderr, os.O_WRONLY | os.O_CREAT) if stderr else null, 2)
        sys.stdout = open(1, "w", closefd=False)  # noqa: SIM115 - pytest's capture objects stay with the parent
        sys.stderr = open(2, "w", buffering=1, closefd=False)  # noqa: SIM115
        signal.signal(signal.SIGINT, signal.default_int_handler)
        os.environ["LLMSYNTH_COMMIT_SECONDS"] = "0"  # a commit after every chunk: kills land in every phase
        if before is not None:
            before()
        from llmsynth.cli.main import app

        result = app(args, prog_name="llmsynth", standalone_mode=False)
        code = result if isinstance(result, int) else 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    except BaseException:
        code = 98
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def _wait(pid: int) -> int:
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


def _run(args: list[str], before: Callable[[], None] | None = None) -> int:
    return _wait(_child(args, before))


def _kill_after(args: list[str], seconds: float) -> int:
    pid = _child(args)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        time.sleep(0.005)
    os.kill(pid, signal.SIGKILL)
    return _wait(pid)


@pytest.fixture(scope="module")
def spec_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import llmsynth

    path = tmp_path_factory.mktemp("spec") / "killable.yaml"
    path.write_text(SPEC)
    path.with_name("steps.yaml").write_text(SCAFFOLD_SPEC)
    for suffix in (".csv", ".parquet"):  # one run here imports and warms everything, so children start at once
        llmsynth.generate_run(path, rows=30, output=path.with_name(f"warm{suffix}"))
    return path


def _assert_same_table(output: Path, reference: Path, rows: int) -> None:
    from llmsynth.io import read_table

    data = read_table(output)
    assert len(data) == rows
    assert data["id"].is_unique
    assert not data.duplicated().any()
    pd.testing.assert_frame_equal(data, read_table(reference))
    if output.suffix != ".parquet":  # text formats: byte for byte
        assert output.read_bytes() == reference.read_bytes()
    rejects = output.with_name(output.stem + ".rejects.jsonl").read_text()
    assert rejects == reference.with_name(reference.stem + ".rejects.jsonl").read_text()
    assert not output.with_name(output.name + ".parts").exists()


@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".jsonl"])
def test_sigkill_at_random_moments_then_resume(spec_path: Path, tmp_path: Path, suffix: str) -> None:
    import llmsynth

    reference = tmp_path / f"reference{suffix}"
    started = time.monotonic()
    run = llmsynth.generate_run(spec_path, rows=200, output=reference)  # uninterrupted, same seed
    full = time.monotonic() - started
    assert run.rejects, "duplicates of the unique field are rejected and topped up"
    output = tmp_path / f"out{suffix}"
    args = ["generate", str(spec_path), "-n", "200", "-o", str(output), "-q", "--resume"]
    rng = random.Random(f"kills{suffix}")
    interrupted, early = 0, 0
    for _ in range(20):  # a loaded machine can make a kill land before the first commit: wait longer then
        code = _kill_after(args, rng.uniform(0.02, 0.6 * full) * (1 + early))
        assert code in (0, -signal.SIGKILL)
        if code == 0:
            break
        parts = output.with_name(output.name + ".parts")
        if parts.exists():
            interrupted += 1
        else:
            early += 1
        if interrupted >= 3:
            break
    # the rename-by-rename test below kills at every step deterministically; here at least one random
    # kill must have landed mid-run (on a loaded machine the run may finish before a second one does)
    assert interrupted >= 1, "the kills should land while the run is under way"
    assert _run(args) == 0
    _assert_same_table(output, reference, 200)
    assert data_code_unique(output)


def test_ctrl_c_stops_after_a_chunk_and_says_how_to_resume(spec_path: Path, tmp_path: Path) -> None:
    import llmsynth

    reference = tmp_path / "reference.csv"
    started = time.monotonic()
    llmsynth.generate_run(spec_path, rows=200, output=reference)
    full = time.monotonic() - started
    output = tmp_path / "out.csv"
    args = ["generate", str(spec_path), "-n", "200", "-o", str(output)]
    stderr = tmp_path / "stderr.txt"
    pid = _child(args, stderr=stderr)
    parts = output.with_name(output.name + ".parts")
    deadline = time.monotonic() + 60
    while not parts.exists() and time.monotonic() < deadline:  # interrupt once the run is under way
        time.sleep(0.005)
    time.sleep(0.1 * full)
    os.kill(pid, signal.SIGINT)
    assert _wait(pid) == 130
    said = stderr.read_text()
    assert "stopping after the current chunk" in said
    assert f"rows are saved in {output}.parts; continue with --resume" in said
    assert "Traceback" not in said
    assert not output.exists()
    assert _run([*args, "-q", "--resume"]) == 0
    _assert_same_table(output, reference, 200)


def data_code_unique(path: Path) -> bool:
    from llmsynth.io import read_table

    return bool(read_table(path)["code"].is_unique)


def _renames(limit: int | None, after: bool, log: Path | None = None) -> Callable[[], None]:
    """Wrap os.replace in the child: log every rename, and die at rename number ``limit`` (before or
    just after it)."""

    def install() -> None:
        real = os.replace
        count = [0]

        def replace(src: object, dst: object) -> None:
            count[0] += 1
            if log is not None:
                with log.open("a") as handle:
                    handle.write(f"{os.fspath(dst)}\n")  # type: ignore[arg-type]
            if count[0] == limit and not after:
                os._exit(17)
            real(src, dst)  # type: ignore[arg-type]
            if count[0] == limit and after:
                os._exit(17)

        os.replace = replace  # type: ignore[assignment]

    return install


def test_crash_at_every_rename_then_resume(spec_path: Path, tmp_path: Path) -> None:
    """Every rename a run makes (its creation, each commit, each step of the final assembly) is a crash
    point; resuming after a crash at any of them ends in the uninterrupted table. Parquet, the format
    a half-written file ruins."""
    suffix = ".parquet"
    spec = str(spec_path.with_name("steps.yaml"))
    reference = tmp_path / f"reference{suffix}"
    log = tmp_path / "renames.log"
    assert _run(["generate", spec, "-o", str(reference), "-q"], _renames(None, False, log)) == 0
    steps = log.read_text().splitlines()
    assert sum(step.endswith("manifest.json") for step in steps) >= 5  # created, 3 chunks, complete
    assert steps[-2] == str(reference)  # the output appears only at the end, then the folder goes
    # a crash just before each rename, and one after the last (the folder renamed away, not yet deleted)
    points = [(p, False) for p in range(1, len(steps) + 1)] + [(len(steps), True)]
    for point, after in points:
        output = tmp_path / f"crash{point}{'a' if after else 'b'}{suffix}"
        args = ["generate", spec, "-o", str(output), "-q", "--resume"]
        assert _run(args, _renames(point, after)) == 17
        assert _run(args) == 0, f"resume after a crash {'after' if after else 'before'} {steps[point - 1]}"
        _assert_same_table(output, reference, 60)
