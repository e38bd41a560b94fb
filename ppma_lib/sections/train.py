"""Training-loop section: epochs, batch, precision, checkpoints, logging."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class TrainConfig:
    epochs: int = 1
    batch_size: int = 8  # per process, in samples (MAE: clips x repeat_masks)
    grad_accum: int = 1  # micro-batches per optimizer step
    # MAE: the model.repeat_masks copies of a decoded clip get their own crop and mask (OmniMAE/PPMA),
    # or share one crop with k masks ("masks": the clip is embedded once, cheaper)
    repeat_views: Literal["crops", "masks"] = "crops"
    drop_last: bool = True
    max_steps_per_epoch: int = 0  # 0 = whole epoch; else cap optimizer steps per epoch (quick runs)
    amp: Literal["auto", "bf16", "fp16", "off"] = "auto"  # auto = bf16 on CUDA, off on CPU
    compile: bool = False  # torch.compile (costs ~30 s cold; nothing gained on tiny CPU models)
    ckpt_every: int = 0  # epochs between numbered checkpoints ckpt_<epoch>.pt (last.pt: every epoch)
    resume: Literal["auto", "never"] = "auto"  # auto: continue from <run_dir>/last.pt when it exists
    eval_every: int = 0  # epochs between evaluations (0 = only at the end)
    log_every: int = 10  # steps between progress updates and NaN checks (each is one device sync)
    progress: bool = True  # tqdm bars (rank 0)
    threads: int = 0  # CPU: torch intra-op threads; 0 = leave torch's default
    # PPMA upstream quirks (off = the paper's text)
    quirk_unfrozen_lp: bool = False  # released "LP" trains the whole network

    def __post_init__(self) -> None:
        for name in ("epochs", "batch_size", "grad_accum", "log_every"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be >= 1, got {getattr(self, name)}")
        for name in ("max_steps_per_epoch", "ckpt_every", "eval_every", "threads"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must be >= 0, got {getattr(self, name)}")
