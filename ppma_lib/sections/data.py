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
    backend: Literal["auto", "decord", "pyav"] = "auto"  # auto: decord, PyAV where decord fails
    decode_threads: int = 1  # decoder threads per reader (DataLoader workers already run in parallel)
    frame_folder_fps: float = 25.0  # fps assumed for frame folders (PPMA EncodedFrames)
    cache_mb: int = 0  # decoded videos kept in memory per process (LRU, MiB): short low-res clips only; 0 = off
    # clips
    num_frames: int = 16  # T
    sampling: Literal["stride", "window"] = "stride"  # stride: T frames at `stride`; window: PPMA 2.7 s
    stride: int = 4  # frames between sampled frames (stride sampling; VideoMAE K400/UCF: 4)
    window_sec: float = 2.7  # seconds per clip (window sampling; PPMA: 2.7)
    # spatial
    short_side: int = 256  # train: short side resized to this before RandomResizedCrop
    eval_short_side: int = 0  # eval: short side before the M crops; 0 = crop_size (PPMA 224)
    crop_size: int = 224  # H = W fed to the model
    scale: tuple[float, float] = (0.08, 1.0)  # RandomResizedCrop area range
    ratio: tuple[float, float] = (0.75, 1.3333333333333333)  # RandomResizedCrop aspect range
    flip: bool = False  # PPMA: off
    randaugment: bool = False  # m7 n4 p0.5 (stage 2 / FT)
    randaug_magnitude: int = 7  # m on the 0..10 scale of timm / pytorchvideo
    randaug_layers: int = 4  # n ops per clip
    randaug_prob: float = 0.5  # probability of each of the n ops (pytorchvideo semantics)
    erase_prob: float = 0.0  # cube RandomErasing (FT: 0.25)
    mixup: float = 0.0  # MixUp alpha (FT: 0.8); 0 = off
    cutmix: float = 0.0  # CutMix alpha (FT: 1.0); 0 = off
    mix_switch_prob: float = 0.5  # with both on: probability of CutMix for a batch
    label_smoothing: float = 0.0  # FT: 0.1 (applied to the mixed soft targets)
    mean: tuple[float, float, float] = (0.485, 0.456, 0.406)  # ImageNet normalisation (PPMA, VideoMAE)
    std: tuple[float, float, float] = (0.229, 0.224, 0.225)
    # loading
    num_workers: int = 0  # DataLoader worker processes per rank (PPMA: 6 for MAE, 1 for FT)
    pin_memory: bool = False  # page-locked batches for faster host->GPU copies (CUDA only)
    persistent_workers: bool = False  # keep workers (and their open readers) between epochs
    prefetch_factor: int = 2  # batches prefetched per worker (workers > 0 only)
    max_bad_fraction: float = 0.01  # raise once more than this fraction of reads failed
    max_samples: int = 0  # 0 = all; else truncate each list (quick runs)

    def __post_init__(self) -> None:
        for name in ("num_frames", "stride", "crop_size", "short_side", "decode_threads", "prefetch_factor"):
            if getattr(self, name) < 1:
                raise ValueError(f"data.{name} must be >= 1, got {getattr(self, name)}")
        for name in ("num_workers", "max_samples", "eval_short_side", "randaug_layers", "randaug_magnitude"):
            if getattr(self, name) < 0:
                raise ValueError(f"data.{name} must be >= 0, got {getattr(self, name)}")
        if self.window_sec <= 0 or self.frame_folder_fps <= 0:
            raise ValueError("data.window_sec and data.frame_folder_fps must be > 0")
        if not 0 < self.scale[0] <= self.scale[1] <= 1:
            raise ValueError(f"data.scale must satisfy 0 < min <= max <= 1, got {self.scale}")
        if not 0 < self.ratio[0] <= self.ratio[1]:
            raise ValueError(f"data.ratio must satisfy 0 < min <= max, got {self.ratio}")
        for name in ("randaug_prob", "erase_prob", "mix_switch_prob", "max_bad_fraction"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"data.{name} must be in [0, 1], got {getattr(self, name)}")
        if self.mixup < 0 or self.cutmix < 0 or not 0 <= self.label_smoothing < 1:
            raise ValueError("data.mixup and data.cutmix must be >= 0, data.label_smoothing in [0, 1)")
        if self.source_names and len(self.source_names) != len(self.train_lists):
            raise ValueError(
                f"data.source_names has {len(self.source_names)} names for {len(self.train_lists)} train_lists"
            )
