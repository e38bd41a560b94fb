"""Tests run from the repository root so that `params/...` paths resolve as in the README."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def _at_repo_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


def pytest_configure(config: pytest.Config) -> None:
    # many small tensors: threads cost more than they give on CI's 2 cores
    os.environ.setdefault("OMP_NUM_THREADS", "1")
