"""The per-transform parameter ranges of the Pseudo Motion Generator, in one place.

PMG (Ishikawa et al., ECCV 2024, arXiv 2409.06665) §3.2 names the eight transformations and defers
their parameters to a supplementary that we could not obtain, and the official code is not public.
Every number below is therefore **our choice**, tuned only so that 16 frames show clear, trackable
motion that stays mostly inside the frame (§4.1: "patches between frames should be trackable").

Conventions shared by all ranges:
  * a range ``(low, high)`` is a uniform draw, made once per video (§3.2: f and θ are drawn once);
  * the drawn step is applied T-1 times (Eq. 1), so a per-step value compounds over the clip;
  * lengths are in *units*: half the shorter image side, so a frame spans [-1, 1] along its shorter
    side, and a range means the same at any resolution or aspect ratio.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class MotionRanges:
    # sliding window: a view of `window` x the image, panned at `window_speed` units of the view per
    # step in a uniform direction (not only MoSI's four); slowed down where the path would leave the image
    window: tuple[float, float] = (0.5, 0.8)
    window_speed: tuple[float, float] = (0.02, 0.08)  # 1-4 % of the side per step
    # zoom-in/out: per-step scale of the view about a fixed point; zoom-out plays the zoom-in backwards
    # (it ends on the whole image), so no border ever shows. 15 steps: 1.16x to 2.2x
    zoom_step: tuple[float, float] = (0.95, 0.99)
    zoom_center: float = 0.5  # fixed point uniform in this fraction of the half-extent
    # fade-out multiplies brightness by the step; fade-in plays it backwards. 15 steps: x0.09 to x0.46
    fade_step: tuple[float, float] = (0.85, 0.95)
    # affine, per step, about the image centre; each drawn uniform in [-x, x] (scale: log-uniform)
    affine_rotation: float = 2.0  # degrees
    affine_translation: float = 0.04  # units (2 % of the side)
    affine_scale: float = 0.02  # |log scale|
    affine_shear: float = 2.0  # degrees
    # perspective, per step: each frame corner moves by up to d units per axis, d uniform in the range
    # (torchvision RandomPerspective semantics, much smaller because it compounds)
    perspective_distortion: tuple[float, float] = (0.005, 0.02)
    # colour jitter, per step: factors uniform in [1-x, 1+x]; hue turns by up to x of a full turn
    jitter_brightness: float = 0.05
    jitter_contrast: float = 0.05
    jitter_saturation: float = 0.1
    jitter_hue: float = 0.01
    # CutMix: a box of `cutmix_area` x the frame (aspect log-uniform in `cutmix_aspect`) cut from another
    # image of the batch, pasted over the static image and moved like the sliding window
    cutmix_area: tuple[float, float] = (0.1, 0.3)
    cutmix_aspect: tuple[float, float] = (0.5, 2.0)
    cutmix_speed: tuple[float, float] = (0.02, 0.08)  # units per step

    def __post_init__(self) -> None:
        for name in ("window", "zoom_step", "fade_step"):
            lo, hi = getattr(self, name)
            if not 0.0 < lo <= hi <= 1.0:
                raise ValueError(f"MotionRanges.{name} must satisfy 0 < low <= high <= 1, got {(lo, hi)}")
        for name in ("window_speed", "perspective_distortion", "cutmix_area", "cutmix_aspect", "cutmix_speed"):
            lo, hi = getattr(self, name)
            if not 0.0 <= lo <= hi:
                raise ValueError(f"MotionRanges.{name} must satisfy 0 <= low <= high, got {(lo, hi)}")
