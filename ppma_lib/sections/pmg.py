"""Pseudo Motion Generator section (PMG paper §3)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

ALL_TRANSFORMS = (
    "identity", "sliding_window", "zoom", "fade", "affine", "perspective", "color_jitter", "cutmix",
)


@dataclass(frozen=True)
class PMGConfig:
    enabled: bool = False  # task=mae on pseudo-motion videos instead of real videos
    transforms: tuple[str, ...] = ALL_TRANSFORMS  # the allowed set (PMG Tab. 3)
    num_frames: int = 16
    mode: Literal["composed", "literal"] = "composed"
    mix: Literal["none", "mixup", "videomix"] = "mixup"  # PMG Tab. 4
    mix_alpha: float = 1.0  # lambda ~ Beta(alpha, alpha)
    image_source: str = "shaders"  # shaders | fractaldb | visualatom | folder:<path>
    num_images: int = 1000
    num_classes: int = 100
    image_size: int = 64
    on_device: bool = True  # generate motion inside the train step (False: in the workers)
    aug_ratio: float = 0.0  # PMG-Aug: fraction of pseudo-motion clips in a real-video stream

    def __post_init__(self) -> None:
        unknown = set(self.transforms) - set(ALL_TRANSFORMS)
        if unknown:
            raise ValueError(f"unknown PMG transforms {sorted(unknown)}; choose from {ALL_TRANSFORMS}")
