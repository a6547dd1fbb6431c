"""benchmarks/ holds scripts, not a package: its helper modules are imported the way the scripts import
them, with the folder on sys.path."""

from __future__ import annotations

import sys
from pathlib import Path

BENCHMARKS = str(Path(__file__).resolve().parents[2] / "benchmarks")
if BENCHMARKS not in sys.path:
    sys.path.insert(0, BENCHMARKS)
