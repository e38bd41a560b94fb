"""MiniSynAPT section: the procedural embedded benchmark."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class MiniSynAPTConfig:
    scale: Literal["tiny", "small"] = "tiny"
    out: str = "data/mini"
    seed: int = 0
    workers: int = 2
