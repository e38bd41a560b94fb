"""Training-loop section: epochs, batch, precision, checkpoints, logging."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class TrainConfig:
    epochs: int = 1
    batch_size: int = 8  # per process, in samples (MAE: clips x repeat_masks)
    grad_accum: int = 1
    drop_last: bool = True
    max_steps_per_epoch: int = 0  # 0 = whole epoch
    amp: Literal["auto", "bf16", "fp16", "off"] = "auto"  # auto = bf16 on CUDA, off on CPU
    compile: bool = False  # torch.compile (costs ~30 s cold; nothing gained on tiny CPU models)
    ckpt_every: int = 0  # epochs between numbered checkpoints (last.pt is always written)
    resume: Literal["auto", "never"] = "auto"
    eval_every: int = 0  # epochs between evaluations (0 = only at the end)
    progress: bool = True  # tqdm bars (rank 0)
    # PPMA upstream quirks (off = the paper's text)
    quirk_unfrozen_lp: bool = False  # released "LP" trains the whole network
