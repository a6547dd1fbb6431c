"""How torch's idle OpenMP threads wait: the runtime's default on a machine of our own, passive on a busy one."""

from __future__ import annotations

import os

import pytest

from llmsynth.models.loading import set_openmp_wait_policy


@pytest.fixture
def no_policy(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    monkeypatch.delenv("OMP_WAIT_POLICY", raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    return monkeypatch


def test_an_idle_machine_keeps_the_runtime_default(no_policy: pytest.MonkeyPatch) -> None:
    no_policy.setattr(os, "getloadavg", lambda: (0.4, 0.3, 0.2))
    assert set_openmp_wait_policy() is None
    assert "OMP_WAIT_POLICY" not in os.environ


def test_an_over_busy_machine_waits_passively(no_policy: pytest.MonkeyPatch) -> None:
    no_policy.setattr(os, "getloadavg", lambda: (6.5, 5.0, 4.0))
    assert set_openmp_wait_policy() == "PASSIVE"
    assert os.environ["OMP_WAIT_POLICY"] == "PASSIVE"


def test_the_users_own_policy_is_kept(no_policy: pytest.MonkeyPatch) -> None:
    no_policy.setenv("OMP_WAIT_POLICY", "ACTIVE")
    no_policy.setattr(os, "getloadavg", lambda: (9.0, 9.0, 9.0))
    assert set_openmp_wait_policy() == "ACTIVE"
