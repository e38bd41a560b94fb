"""Pseudo Motion Generator (PMG), Ishikawa et al., "Data Collection-free Masked Video Modeling",
ECCV 2024, arXiv 2409.06665, §3.2.

    1. draw a transformation f from the set φ and its strength θ, once per video   (transforms.py)
    2. I_{i+1} = f_θ(I_i) for i = 1 .. T-1                                            (warp.py)
    3. V = [I_1; ...; I_T], then Mixup between pseudo-motion videos (Tab. 4)           (mix.py)

Step 2 is composed by default (frame t = one warp of I_1 by the t-th power of the step): all N x T
frames are independent, so the whole batch is one ``grid_sample`` on the training device, or uint8
OpenCV warps on CPU; ``mode="literal"`` re-warps the previous frame as Eq. 1 reads.
"""
from __future__ import annotations

import torch
from torch import Tensor

from ppma_lib.pmg.mix import mix_batch
from ppma_lib.pmg.ranges import MotionRanges
from ppma_lib.pmg.transforms import GRAY, Motion, sample_motion
from ppma_lib.pmg.warp import render_opencv, render_torch
from ppma_lib.sections.pmg import PMGConfig


class PseudoMotionGenerator:
    """images (N, C, H, W) -> pseudo-motion videos (N, C, T, H, W), seeded, on the images' device.

    Videos have the images' dtype: float in [0, 1] or uint8. The OpenCV kernel returns a
    channels-last-3d view of its (N, T, H, W, C) buffer (call ``.contiguous()`` if you need NCTHW
    memory order); ``grid_sample`` returns contiguous NCTHW.
    """

    def __init__(self, cfg: PMGConfig = PMGConfig(), ranges: MotionRanges = MotionRanges()) -> None:
        self.cfg = cfg
        self.ranges = ranges

    def sample(self, images: Tensor, generator: torch.Generator, num_frames: int | None = None) -> Motion:
        """Step 1: one transformation and strength per video (tiny CPU float64 tensors)."""
        _check(images, generator)
        rgb = images.detach()[..., ::4, ::4].float().mean((2, 3))  # every 16th pixel: plenty for a contrast pivot
        rgb = rgb / 255 if images.dtype == torch.uint8 else rgb
        pivot = rgb @ torch.tensor(GRAY, device=rgb.device) if rgb.shape[1] == 3 else rgb.mean(1)
        return sample_motion(
            images.shape[0], self.cfg.transforms, num_frames or self.cfg.num_frames, tuple(images.shape[-2:]),
            generator, ranges=self.ranges, strength=self.cfg.strength, pivot=pivot,
        )

    def render(self, images: Tensor, motion: Motion, num_frames: int | None = None) -> Tensor:
        """Step 2: apply the motion, (N, C, H, W) -> (N, C, T, H, W), no mixing."""
        t, cfg = num_frames or self.cfg.num_frames, self.cfg
        is_u8 = images.dtype == torch.uint8
        if self.kernel(images.device) == "opencv":
            u8 = images if is_u8 else (images.detach() * 255).round_().clamp_(0, 255).to(torch.uint8)
            hwc = u8.permute(0, 2, 3, 1).contiguous().cpu().numpy()
            out = torch.from_numpy(render_opencv(hwc, motion, t, cfg.mode, cfg.padding, as_float=not is_u8))
            out = out.permute(0, 4, 1, 2, 3).to(images.device)  # (N, C, T, H, W), channels-last-3d memory
            return out if is_u8 else out.to(images.dtype)
        x = images.float() / 255 if is_u8 else images.float()
        videos = render_torch(x, motion, t, cfg.mode, cfg.padding)
        return videos.mul_(255).round_().to(torch.uint8) if is_u8 else videos.to(images.dtype)

    def __call__(self, images: Tensor, generator: torch.Generator, num_frames: int | None = None) -> Tensor:
        """Steps 1-3: (N, C, H, W) -> (N, C, T, H, W); ``num_frames`` overrides cfg.num_frames."""
        videos = self.render(images, self.sample(images, generator, num_frames), num_frames)
        cfg = self.cfg
        return mix_batch(videos, cfg.mix, cfg.mix_alpha, generator, mix_range=cfg.mix_range, prob=cfg.mix_prob)

    def kernel(self, device: torch.device) -> str:
        if self.cfg.kernel != "auto":
            return self.cfg.kernel
        return "opencv" if device.type == "cpu" else "grid_sample"


def _check(images: Tensor, generator: torch.Generator) -> None:
    if images.dim() != 4:
        raise ValueError(f"PMG expects images (N, C, H, W), got shape {tuple(images.shape)}")
    if images.dtype != torch.uint8 and not images.is_floating_point():
        raise ValueError(f"PMG expects uint8 or float images in [0, 1], got {images.dtype}")
    if generator.device.type != "cpu":
        raise ValueError("PMG draws its (tiny) parameters on CPU: pass a CPU torch.Generator")
