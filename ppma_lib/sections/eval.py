"""Evaluation section: the multi-view test protocol (PPMA: 2 clips x 3 crops, logits averaged)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class EvalConfig:
    enabled: bool = True  # classification tasks: evaluate on data.val_lists (mae never evaluates)
    num_clips: int = 2  # N temporal clips per video (PPMA 2, VideoMAE K400 5)
    num_crops: int = 3  # M spatial crops per clip (left/centre/right along the long side)
    batch_size: int = 8  # videos per eval batch (each brings N x M views)
    average: Literal["logits", "softmax"] = "logits"  # PPMA: logits; VideoMAE: softmax
    topk: tuple[int, ...] = (1, 5)  # accuracies reported in summary.json

    def __post_init__(self) -> None:
        if self.num_clips < 1 or self.num_crops < 1 or self.batch_size < 1:
            raise ValueError("num_clips, num_crops and batch_size must be >= 1")
        if not self.topk or min(self.topk) < 1:
            raise ValueError(f"topk must be a non-empty list of ints >= 1, got {self.topk}")
