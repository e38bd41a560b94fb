"""Optimiser and schedule section (AdamW, warmup + cosine, layer decay)."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class OptimConfig:
    base_lr: float = 1.6e-3  # per 256 samples; absolute lr = base_lr x effective batch / 256
    min_lr: float = 0.0  # absolute, end of cosine
    warmup_lr: float = 1e-6  # absolute, start of warmup
    warmup_epochs: float = 10.0
    weight_decay: float = 0.05
    betas: tuple[float, float] = (0.9, 0.95)
    eps: float = 1e-8
    layer_decay: float = 1.0  # 1.0 = off; FT 0.75
    clip_grad: float = 0.0  # 0 = off
    mix_lr_factor: float = 1.0  # mix_probe: lr multiplier of the mixing logits
    # PPMA upstream quirks (off = the paper's text); listed in params.resolved.yaml
    quirk_halved_cosine_start: bool = False
    quirk_layer_decay_off_by_one: bool = False
