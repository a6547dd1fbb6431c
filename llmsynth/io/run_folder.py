"""A run folder: the durable state of one generation run, kept beside its output until the run ends.

    OUT.parts/
      manifest.json      which chunks are done and where their rows are; replaced atomically
      part-000000.csv    chunks in the output's format, one part per commit
      rejects.jsonl      append-only logs; the manifest holds the length that counts
      run.json           the run record as of the last commit
      lock               held while a process writes here

Only what the manifest names counts: on opening, anything written after the last commit (a half
part, the tail of a log) is removed. The output itself appears only when the run is complete:
assembled inside the folder, then renamed into place.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from pathlib import Path
from typing import IO, Any

import pandas as pd

from llmsynth.errors import OutputError
from llmsynth.io.atomic import fsync_dir, move_durably, write_atomic
from llmsynth.io.parts import ChunkEntry, PartWriter, assemble, parquet_schema

MANIFEST = "manifest.json"
LOCK = "lock"
VERSION = 1


def run_folder_for(output: Path) -> Path:
    """The run folder of an output path: ``data.csv`` -> ``data.csv.parts``."""
    return output.with_name(output.name + ".parts")


def trash_for(path: Path) -> Path:
    """Where a run folder replaced with --force is moved before it is deleted, so a crash loses nothing."""
    return path.with_name(path.name + ".trash")


def remove_trash(path: Path) -> None:
    """What a crash in the middle of removing a run folder left behind."""
    shutil.rmtree(trash_for(path), ignore_errors=True)


class RunFolder:
    """Writes chunks, logs and commits into one run folder; ``finish`` turns it into the output."""

    def __init__(self, path: Path, manifest: dict[str, Any]) -> None:
        self.path = path
        self.manifest = manifest
        self.chunks = [ChunkEntry(**entry) for entry in manifest["chunks"]]
        self._pending: list[ChunkEntry] = []
        self._part: PartWriter | None = None
        self._logs: dict[str, IO[bytes]] = {}
        self._lock: int | None = None

    # opening ---------------------------------------------------------------------------------------

    @classmethod
    def create(cls, path: Path, fmt: str, columns: list[str], header: dict[str, Any], logs: list[str]) -> RunFolder:
        """A new, empty run folder (the path must not exist), made whole under a temporary name and then
        renamed, so that a run folder always has its manifest."""
        manifest = {"version": VERSION, "format": fmt, "columns": columns, "header": header, "chunks": [],
                    "next_part": 0, "logs": dict.fromkeys(logs, 0), "state": {}, "complete": False}
        staging = path.with_name(path.name + ".new")
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir()
        folder = cls(staging, manifest)
        folder._acquire()
        for name in logs:
            (staging / name).write_bytes(b"")
        write_atomic(staging / MANIFEST, json.dumps(manifest))
        os.replace(staging, path)
        fsync_dir(path.parent)
        folder.path = path
        return folder

    @classmethod
    def open(cls, path: Path) -> RunFolder:
        """An existing run folder, rolled back to its last commit."""
        try:
            manifest = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
            if manifest.get("version") != VERSION:
                raise ValueError(f"manifest version {manifest.get('version')}, expected {VERSION}")
        except (OSError, ValueError) as exc:
            raise OutputError(f"{path}: not a usable run folder ({exc}); pass --force to start over") from exc
        folder = cls(path, manifest)
        folder._acquire()
        folder._roll_back()
        return folder

    @classmethod
    def remove(cls, path: Path) -> None:
        """Delete a run folder, whatever state it is in, unless another process is writing to it."""
        folder = cls(path, {"chunks": []})
        folder._acquire()
        folder.discard()

    def _acquire(self) -> None:
        """One writer per folder: a second run on the same output stops instead of mixing chunks."""
        try:
            import fcntl
        except ImportError:  # no advisory locks on this platform
            return
        fd = os.open(self.path / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            os.close(fd)
            raise OutputError(f"{self.path}: another llmsynth run is writing to this output") from exc
        self._lock = fd

    def _roll_back(self) -> None:
        keep = {MANIFEST, LOCK, "run.json", self.assembled_name, *self.manifest["logs"]}
        keep.update(entry.part for entry in self.chunks)
        for child in self.path.iterdir():
            if child.name not in keep:
                shutil.rmtree(child) if child.is_dir() else child.unlink()
        for name, size in self.manifest["logs"].items():
            with (self.path / name).open("ab") as handle:
                handle.truncate(size)

    # properties ------------------------------------------------------------------------------------

    @property
    def header(self) -> dict[str, Any]:
        """What was fixed when the run started (spec fingerprint, seed, options)."""
        return dict(self.manifest["header"])

    @property
    def state(self) -> dict[str, Any]:
        """Counters that move as chunks are committed."""
        return dict(self.manifest["state"])

    @property
    def format(self) -> str:
        """The output file type (csv, parquet, jsonl)."""
        return str(self.manifest["format"])

    @property
    def complete(self) -> bool:
        """Whether every chunk was committed and the output assembled."""
        return bool(self.manifest["complete"])

    @property
    def rows(self) -> int:
        """Rows committed so far."""
        return sum(entry.rows for entry in self.chunks)

    @property
    def assembled_name(self) -> str:
        """The file the parts are assembled into before the rename to the output path."""
        return f"assembled.{self.format}"

    def read_log(self, name: str) -> list[str]:
        """The committed lines of a log."""
        with (self.path / name).open("rb") as handle:
            data = handle.read(self.manifest["logs"][name])
        return data.decode("utf-8").splitlines()

    # writing ---------------------------------------------------------------------------------------

    def write_chunk(self, index: int, frame: pd.DataFrame) -> None:
        """Append a chunk's rows to the open part (committed by the next ``commit``)."""
        if self._part is None:
            name = f"part-{self.manifest['next_part']:06d}.{self.format}"
            self._part = PartWriter(self.path / name, self.format, self._run_schema())
        self._pending.append(self._part.write(index, frame))

    def _run_schema(self) -> Any:
        if self.format != "parquet":
            return None
        first = next((entry for entry in self.chunks if entry.rows), None)
        return parquet_schema(self.path / first.part) if first else None

    def append_log(self, name: str, lines: list[str]) -> None:
        """Append lines to a log (rejects, carried rows); they count once the next manifest commits them."""
        if not lines:
            return
        handle = self._logs.get(name)
        if handle is None:
            handle = self._logs[name] = (self.path / name).open("ab")
        handle.write("".join(line + "\n" for line in lines).encode("utf-8"))

    @property
    def pending(self) -> int:
        """Chunks written since the last commit."""
        return len(self._pending)

    def commit(self, state: dict[str, Any], files: dict[str, str] | None = None) -> None:
        """Make everything written so far durable, then record it in the manifest (the commit point)."""
        if self._part is not None:
            self._part.close()
            self._part = None
            self.manifest["next_part"] += 1
        for name, handle in self._logs.items():
            handle.flush()
            os.fsync(handle.fileno())
            self.manifest["logs"][name] = handle.tell()
        fsync_dir(self.path)
        self.chunks.extend(self._pending)
        self._pending = []
        self.manifest["chunks"] = [entry.to_json() for entry in self.chunks]
        self.manifest["state"] = state
        write_atomic(self.path / MANIFEST, json.dumps(self.manifest, separators=(",", ":")))
        for name, text in (files or {}).items():
            write_atomic(self.path / name, text)

    def finish(self, output: Path, moves: dict[str, Path]) -> int:
        """Assemble the output, move the named files beside it, rename it into place, remove the folder.

        Safe to repeat after a crash at any step: a complete manifest means only the moves remain.
        """
        assembled = self.path / self.assembled_name
        rows = self.rows
        try:
            if not self.complete:
                rows = assemble(self.path, self.chunks, self.format, self.manifest["columns"], assembled)
                self.manifest["complete"] = True
                write_atomic(self.path / MANIFEST, json.dumps(self.manifest, separators=(",", ":")))
            for name, target in moves.items():
                if (self.path / name).exists():
                    move_durably(self.path / name, target)
            if assembled.exists():
                move_durably(assembled, output)
        except BaseException:
            self.close()
            raise
        self.discard()
        return rows

    def close(self) -> None:
        """Drop what was not committed from memory and release the folder (the files stay)."""
        for handle in self._logs.values():
            handle.close()
        self._logs = {}
        if self._part is not None:
            with contextlib.suppress(Exception):  # an interrupted, uncommitted part: rolled back on next open
                self._part.close()
            self._part = None
        if self._lock is not None:
            os.close(self._lock)
            self._lock = None

    def discard(self) -> None:
        """Remove the folder: renamed away first (one atomic step), so a crash never leaves half a folder."""
        self.close()
        trash = trash_for(self.path)
        remove_trash(self.path)
        os.replace(self.path, trash)
        fsync_dir(self.path.parent)
        shutil.rmtree(trash, ignore_errors=True)
