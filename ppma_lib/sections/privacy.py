"""Human-removal section (PPMA §3.1)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class PrivacyConfig:
    segmenter: Literal["oracle", "torchvision", "mediapipe", "opencv"] = "oracle"
    threshold: float = 0.5  # HAT: mask prob > 0.5
    dilation_iters: int = 4  # HAT: 3x3 cross, 4 iterations
    fail_closed: bool = True  # keep videos that fail the audit out of the output list
    workers: int = 1
