"""File names written in a spec resolve inside the spec's folder: a spec from elsewhere must not make
``../../etc/passwd`` (or a symlink to it) its prompt or its sample data.

The folders a user allows beyond that come from the user's side, never from the spec:
``LLMSYNTH_ALLOW_PATHS`` (folders separated by ``os.pathsep``), which ``llmsynth --allow-path DIR``
sets for one command.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from llmsynth.errors import SpecError

ALLOW_ENV = "LLMSYNTH_ALLOW_PATHS"


def allowed_roots() -> list[Path]:
    """Extra folders the user allows spec files to point into."""
    raw = os.environ.get(ALLOW_ENV, "")
    return [Path(p).expanduser().resolve() for p in raw.split(os.pathsep) if p.strip()]


def allow_paths(folders: list[str | Path]) -> None:
    """Allow spec files to point into these folders for the rest of this process (``--allow-path``)."""
    current = [p for p in os.environ.get(ALLOW_ENV, "").split(os.pathsep) if p.strip()]
    os.environ[ALLOW_ENV] = os.pathsep.join([*current, *(str(Path(f).expanduser().resolve()) for f in folders)])


def confined(name: str, base_dir: Path, *, what: str = "file") -> Path:
    """``name`` resolved against ``base_dir``; a SpecError when it lands outside it and the allowed folders.

    Symlinks are followed before the check, so a link inside the folder cannot point out of it.
    """
    if "\x00" in name:
        raise SpecError(f"{what} '{name!r}' contains a NUL character")
    path = Path(name).expanduser()
    full = path if path.is_absolute() else base_dir / path
    try:
        real = full.resolve()
    except (OSError, RuntimeError) as exc:  # a symlink loop
        raise SpecError(f"{what} '{name}' cannot be resolved: {exc}") from exc
    roots = [base_dir.resolve(), *allowed_roots()]
    if not any(real.is_relative_to(root) for root in roots):
        raise SpecError(
            f"{what} '{name}' resolves to {real}, outside the spec's folder {roots[0]}; move it there, or "
            f"allow its folder with --allow-path or {ALLOW_ENV}"
        )
    return full


def check_references(spec: Any) -> None:
    """Every data file a spec names (``reference``, a column's ``file``) lies in the allowed folders."""
    if spec.reference:
        confined(spec.reference, spec.base_dir, what="reference")
    for column in spec.columns:
        name = getattr(column, "file", None)
        if isinstance(name, str):
            try:
                confined(name, spec.base_dir)
            except SpecError as exc:
                raise SpecError(f"field 'file': {exc}", column=column.label) from None
