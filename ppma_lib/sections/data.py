"""Data section: lists, clip sampling, augmentation and DataLoader settings."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class DataConfig:
    root: str = "data/mini"  # dataset root; list paths are relative to it
    train_lists: tuple[str, ...] = ()  # one list per source (align: several sources)
    val_lists: tuple[str, ...] = ()
    source_names: tuple[str, ...] = ()  # names of the sources (heads, metrics); default = list stems
    list_format: Literal["auto", "space", "semicolon"] = "auto"
    backend: Literal["auto", "decord", "pyav"] = "auto"
    # clips
    num_frames: int = 16  # T
    sampling: Literal["stride", "window"] = "stride"  # stride: T frames at `stride`; window: PPMA 2.7 s
    stride: int = 4
    window_sec: float = 2.7
    # spatial
    short_side: int = 256
    crop_size: int = 224  # H = W fed to the model
    scale: tuple[float, float] = (0.08, 1.0)  # RandomResizedCrop area range
    flip: bool = False  # PPMA: off
    randaugment: bool = False  # m7 n4 p0.5 (stage 2 / FT)
    randaug_magnitude: int = 7
    randaug_layers: int = 4
    randaug_prob: float = 0.5
    erase_prob: float = 0.0  # cube RandomErasing (FT: 0.25)
    mixup: float = 0.0  # MixUp alpha (FT: 0.8)
    cutmix: float = 0.0  # CutMix alpha (FT: 1.0)
    mix_switch_prob: float = 0.5
    label_smoothing: float = 0.0  # FT: 0.1
    mean: tuple[float, float, float] = (0.485, 0.456, 0.406)
    std: tuple[float, float, float] = (0.229, 0.224, 0.225)
    # loading
    num_workers: int = 0
    pin_memory: bool = False
    persistent_workers: bool = False
    prefetch_factor: int = 2
    max_bad_fraction: float = 0.01  # raise once more than this fraction of reads failed
    max_samples: int = 0  # 0 = all; else truncate each list (quick runs)
