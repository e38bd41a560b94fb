"""Optimiser and schedule section: AdamW, per-step linear warmup + cosine, layer decay (PPMA App. A)."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class OptimConfig:
    base_lr: float = 1.6e-3  # per 256 samples; absolute peak lr = base_lr x effective batch / 256
    min_lr: float = 0.0  # absolute lr at the end of the cosine
    warmup_lr: float = 1e-6  # absolute lr at step 0 (PPMA App. A: 5e-7)
    warmup_epochs: float = 10.0  # linear warmup length, converted to steps (fractions allowed)
    weight_decay: float = 0.05  # not applied to biases, norms, position/mask tokens (ppma_lib.models groups)
    betas: tuple[float, float] = (0.9, 0.95)  # MAE (0.9, 0.95); align/FT/LP upstream (0.9, 0.999)
    eps: float = 1e-8
    layer_decay: float = 1.0  # per-block lr factor decay**(depth - i); 1.0 = off, FT 0.75
    clip_grad: float = 0.0  # max global grad norm; 0 = off
    mix_lr_factor: float = 1.0  # mix_probe: lr multiplier of the mixing logits (beta)
    # PPMA upstream quirks (off = the paper's text); all listed in params.resolved.yaml
    quirk_halved_cosine_start: bool = False  # released configs restart the cosine at peak/2 after warmup
    quirk_layer_decay_off_by_one: bool = False  # released modifier: head at decay x lr, block i at decay**(L+1-i)

    def __post_init__(self) -> None:
        if self.base_lr <= 0:
            raise ValueError(f"base_lr must be > 0, got {self.base_lr}")
        if self.min_lr < 0 or self.warmup_lr < 0:
            raise ValueError(f"min_lr and warmup_lr must be >= 0, got {self.min_lr}, {self.warmup_lr}")
        if self.warmup_epochs < 0:
            raise ValueError(f"warmup_epochs must be >= 0, got {self.warmup_epochs}")
        if not all(0.0 <= b < 1.0 for b in self.betas):
            raise ValueError(f"betas must be in [0, 1), got {self.betas}")
        if not 0.0 < self.layer_decay <= 1.0:
            raise ValueError(f"layer_decay must be in (0, 1], got {self.layer_decay}")
        if self.clip_grad < 0 or self.weight_decay < 0:
            raise ValueError("clip_grad and weight_decay must be >= 0")
