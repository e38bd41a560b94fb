"""Evaluation section: multi-view test protocol."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class EvalConfig:
    num_clips: int = 2  # PPMA: 2 clips x 3 crops, logits averaged
    num_crops: int = 3
    batch_size: int = 8
    average: Literal["logits", "softmax"] = "logits"  # PPMA: logits; VideoMAE: softmax
