"""Per-step learning rate: linear warmup, then a half-cosine to the floor (PPMA App. A.1; MAE util/lr_sched).

The lr is recomputed at every optimizer step (not every epoch) so runs with different batch sizes share the
same curve over the fraction of training done. ``halved_restart`` reproduces the released PPMA configs,
where the cosine starts at peak/2 after the warmup (a doubled division by the lr scale factor, see
``shared/reference/upstream_recipes.md`` A10.2); the paper's text is the default.
"""
from __future__ import annotations

import math


def lr_at(
    step: int,
    *,
    total_steps: int,
    warmup_steps: int,
    peak_lr: float,
    warmup_lr: float = 0.0,
    min_lr: float = 0.0,
    halved_restart: bool = False,
) -> float:
    """The lr of optimizer step ``step`` (0-based); ``step == total_steps`` gives the end value ``min_lr``."""
    if total_steps < 1 or not 0 <= warmup_steps <= total_steps:
        raise ValueError(f"need 0 <= warmup_steps ({warmup_steps}) <= total_steps ({total_steps}), total >= 1")
    step = min(max(step, 0), total_steps)
    if step < warmup_steps:
        return warmup_lr + (peak_lr - warmup_lr) * step / warmup_steps
    start = peak_lr / 2 if halved_restart else peak_lr
    progress = (step - warmup_steps) / max(1, total_steps - warmup_steps)
    return min_lr + (start - min_lr) * 0.5 * (1.0 + math.cos(math.pi * progress))


def set_lr(optimizer, lr: float) -> None:
    """Apply ``lr`` to every param group, scaled by the group's ``lr_scale`` (layer decay, mixing logits)."""
    for group in optimizer.param_groups:
        group["lr"] = lr * group.get("lr_scale", 1.0)
