"""Pseudo Motion Generator section (PMG paper §3).

The per-transform ranges are not config: they live in one documented place,
``ppma_lib.pmg.ranges.MotionRanges``; ``strength`` scales all of them at once.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

ALL_TRANSFORMS = (
    "identity", "sliding_window", "zoom", "fade", "affine", "perspective", "color_jitter", "cutmix",
)
PAPER_TRANSFORMS = ("zoom", "affine")  # the set φ the paper keeps after Tab. 3
IMAGE_SOURCES = ("shaders", "fractaldb", "visualatom")  # or "folder:<path>"


@dataclass(frozen=True)
class PMGConfig:
    enabled: bool = False  # task=mae on pseudo-motion videos instead of real videos
    transforms: tuple[str, ...] = PAPER_TRANSFORMS  # the allowed set φ; one is drawn per video (Tab. 3)
    num_frames: int = 16  # T
    mode: Literal["composed", "literal"] = "composed"  # composed: frame t = one warp by H^t; literal: Eq. 1 as is
    kernel: Literal["auto", "opencv", "grid_sample"] = "auto"  # auto: grid_sample on CUDA, uint8 OpenCV on CPU
    padding: Literal["zeros", "reflection", "border"] = "zeros"  # what a warp shows outside the image
    strength: float = 1.0  # multiplies every per-step motion magnitude of MotionRanges (0 = static)
    mix: Literal["none", "mixup", "videomix"] = "mixup"  # video-level augmentation, PMG Tab. 4
    mix_alpha: float = 1.0  # lambda ~ Beta(alpha, alpha), once per video ...
    mix_range: tuple[float, float] = (0.0, 1.0)  # ... then mapped affinely into [low, high]
    mix_prob: float = 1.0  # fraction of videos that get mixed
    image_source: str = "shaders"  # shaders | fractaldb | visualatom | folder:<path>
    num_images: int = 1000  # images drawn from the source (classes balanced)
    num_classes: int = 100  # categories of a procedural source
    folder_classes: int = 0  # folder:<path> sources: keep the first N classes only (0 = all; PMG Fig. 3c)
    image_size: int = 64  # side of the square source images (= the video's H, W)
    on_device: bool = True  # generate motion inside the train step (False: in the DataLoader workers)
    aug_ratio: float = 0.0  # PMG-Aug: fraction of real clips replaced by pseudo-motion clips (Tab. 8-9)
    # PMG-Aug still sources, one drawn uniformly per replaced clip: "frames" = a random frame of that clip
    # (Tab. 8), or image sources as image_source names them, pmg.num_images each (Tab. 9: frames + PASS, ...)
    aug_sources: tuple[str, ...] = ("frames",)

    def __post_init__(self) -> None:
        unknown = set(self.transforms) - set(ALL_TRANSFORMS)
        if unknown:
            raise ValueError(f"unknown PMG transforms {sorted(unknown)}; choose from {ALL_TRANSFORMS}")
        if not self.transforms:
            raise ValueError("pmg.transforms is empty; name at least one of " + ", ".join(ALL_TRANSFORMS))
        if self.num_frames < 1:
            raise ValueError(f"pmg.num_frames must be >= 1, got {self.num_frames}")
        if self.strength < 0:
            raise ValueError(f"pmg.strength must be >= 0, got {self.strength}")
        if self.mix_alpha <= 0:
            raise ValueError(f"pmg.mix_alpha must be > 0, got {self.mix_alpha}")
        lo, hi = self.mix_range
        if not 0.0 <= lo <= hi <= 1.0:
            raise ValueError(f"pmg.mix_range must satisfy 0 <= low <= high <= 1, got {self.mix_range}")
        for name in ("mix_prob", "aug_ratio"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"pmg.{name} must be in [0, 1], got {getattr(self, name)}")
        if not _is_source(self.image_source):
            raise ValueError(
                f"pmg.image_source '{self.image_source}' is not one of {IMAGE_SOURCES} or 'folder:<path>'"
            )
        bad = [s for s in self.aug_sources if s != "frames" and not _is_source(s)]
        if bad or not self.aug_sources:
            raise ValueError(f"pmg.aug_sources {list(self.aug_sources)}: name one or more of 'frames', "
                             f"{', '.join(IMAGE_SOURCES)} or 'folder:<path>'")
        if min(self.num_images, self.num_classes, self.image_size) < 1:
            raise ValueError("pmg.num_images, pmg.num_classes and pmg.image_size must be >= 1")
        if self.folder_classes < 0:
            raise ValueError(f"pmg.folder_classes must be >= 0 (0 = all), got {self.folder_classes}")


def _is_source(spec: str) -> bool:
    return spec in IMAGE_SOURCES or spec.startswith("folder:")
