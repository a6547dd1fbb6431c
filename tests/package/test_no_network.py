"""The library never opens a network connection at run time: generation runs with every way out of
the machine guarded, and any attempt is recorded (even one a library would catch and ignore)."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import llmsynth

LLM_SPEC = {
    "name": "offline",
    "seed": 1,
    "generation": {"chunk_size": 4},
    "columns": [
        {"name": "age", "kind": "integer", "low": 18, "high": 70},
        {"kind": "llm", "prompt": "A person aged {{ age }}. Give their job.",
         "fields": {"job": {"type": "string", "max_length": 20},
                    "level": {"type": "choice", "choices": ["junior", "senior"]}}},
    ],
}


@pytest.fixture
def attempts(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every attempt to resolve a name or connect, refused and recorded."""
    tried: list[str] = []

    def refuse(what: str) -> Any:
        def blocked(*args: Any, **kwargs: Any) -> Any:
            tried.append(f"{what}{args[1:] if what.startswith('socket.') else args}")
            raise OSError(f"network disabled in this test ({what})")

        return blocked

    monkeypatch.setattr(socket.socket, "connect", refuse("socket.connect"))
    monkeypatch.setattr(socket.socket, "connect_ex", refuse("socket.connect_ex"))
    monkeypatch.setattr(socket.socket, "sendto", refuse("socket.sendto"))
    monkeypatch.setattr(socket, "create_connection", refuse("create_connection"))
    monkeypatch.setattr(socket, "getaddrinfo", refuse("getaddrinfo"))
    return tried


def test_the_guard_sees_a_connection(attempts: list[str]) -> None:
    with pytest.raises(OSError, match="network disabled"):
        socket.create_connection(("localhost", 9))
    sock = socket.socket()
    with pytest.raises(OSError, match="network disabled"):
        sock.connect(("127.0.0.1", 9))
    sock.close()
    assert len(attempts) == 2


def test_generation_with_the_fake_backend_needs_no_network(attempts: list[str], tmp_path: Path) -> None:
    spec = llmsynth.spec_from_dict({**LLM_SPEC, "model": {"backend": "fake"}})
    output = tmp_path / "offline.parquet"
    llmsynth.generate_run(spec, rows=9, output=output)
    assert len(pd.read_parquet(output)) == 9
    assert attempts == []


@pytest.mark.model
def test_generation_with_the_default_model_needs_no_network(attempts: list[str], tmp_path: Path) -> None:
    """The model is loaded here, under the guard, not taken from a fixture loaded earlier."""
    spec = llmsynth.spec_from_dict(LLM_SPEC)
    output = tmp_path / "offline.csv"
    llmsynth.generate_run(spec, rows=2, output=output, model={"device": "cpu"})
    data = pd.read_csv(output)
    assert len(data) == 2
    assert set(data["level"]) <= {"junior", "senior"}
    assert attempts == []
