"""Video augmentation with ``torchvision.transforms.v2`` (PPMA App. B; VideoMAE fine-tuning recipe).

A clip travels as a ``tv_tensors.Video`` of shape ``(T, C, H, W)``: v2 draws one set of random
parameters per call and applies it to every frame, so a crop, a RandAugment op or an erased cube
is the same on all ``T`` frames. The model gets ``(C, T, H, W)`` per clip, ``(N, C, T, H, W)`` per batch.

Train (per view): short-side resize (once per decoded clip) -> RandomResizedCrop -> [flip]
-> [RandAugment] -> float + normalise -> [cube RandomErasing]. Eval: short-side resize -> ``M``
crops spread along the long side (left/centre/right). Batch level: MixUp / CutMix with label
smoothing on the soft targets (:class:`BatchMix`).
"""
from __future__ import annotations

from typing import Callable

import torch
from torchvision import tv_tensors
from torchvision.transforms import v2

from ppma_lib.sections.data import DataConfig

# RandAugment magnitude m is on a 0..10 scale in timm ("rand-m7-n4") and pytorchvideo (PPMA);
# torchvision's default of 31 bins would make m7 a much weaker 7/30 of each op's range
RANDAUG_BINS = 11


def to_video(frames: torch.Tensor) -> tv_tensors.Video:
    """Decoded uint8 ``(T, H, W, C)`` -> ``tv_tensors.Video`` ``(T, C, H, W)``."""
    return tv_tensors.Video(frames.permute(0, 3, 1, 2))


def to_model_layout(video: torch.Tensor) -> torch.Tensor:
    """``(..., T, C, H, W)`` -> plain tensor ``(..., C, T, H, W)``."""
    return video.as_subclass(torch.Tensor).transpose(-4, -3).contiguous()


def short_side_resize(size: int) -> v2.Transform:
    """Resize so that the shorter side is ``size`` (PPMA / pytorchvideo ``ShortSideScale``)."""
    return v2.Resize(size, antialias=True)


def normalize(cfg: DataConfig) -> v2.Transform:
    return v2.Compose([v2.ToDtype(torch.float32, scale=True), v2.Normalize(list(cfg.mean), list(cfg.std))])


def train_augment(cfg: DataConfig) -> v2.Transform:
    """One augmented view of a resized uint8 clip -> float ``(T, C, crop, crop)``."""
    ops: list[Callable] = [v2.RandomResizedCrop(cfg.crop_size, scale=cfg.scale, ratio=cfg.ratio, antialias=True)]
    if cfg.flip:
        ops.append(v2.RandomHorizontalFlip())
    if cfg.randaugment:
        # pytorchvideo's RandAugment (PPMA) applies each of its n layers with probability p
        one = v2.RandAugment(num_ops=1, magnitude=cfg.randaug_magnitude, num_magnitude_bins=RANDAUG_BINS)
        ops += [v2.RandomApply([one], p=cfg.randaug_prob) for _ in range(cfg.randaug_layers)]
    ops.append(normalize(cfg))
    if cfg.erase_prob > 0:
        # per-pixel normal noise on one box shared by all frames (timm "pixel" mode, cube=True)
        ops.append(v2.RandomErasing(p=cfg.erase_prob, value="random"))
    return v2.Compose(ops)


def train_transform(cfg: DataConfig) -> v2.Transform:
    """Resize + :func:`train_augment`, for one view of a uint8 ``(T, C, H, W)`` Video."""
    return v2.Compose([short_side_resize(cfg.short_side), train_augment(cfg)])


def spatial_crops(video: torch.Tensor, size: int, num_crops: int) -> list[torch.Tensor]:
    """``num_crops`` square crops evenly spread along the long side (3: left, centre, right).

    ``video``: ``(..., H, W)`` whose short side is ``size``; returns ``num_crops`` of ``(..., size, size)``.
    """
    h, w = video.shape[-2:]
    if min(h, w) < size:
        raise ValueError(f"crops of {size} need a short side >= {size}, got {h}x{w}")
    top, left = (h - size) // 2, (w - size) // 2
    if num_crops == 1:
        return [v2.functional.crop(video, top, left, size, size)]
    steps = [round(i * (max(h, w) - size) / (num_crops - 1)) for i in range(num_crops)]
    if w >= h:
        return [v2.functional.crop(video, top, s, size, size) for s in steps]
    return [v2.functional.crop(video, s, left, size, size) for s in steps]


def eval_views(frames: torch.Tensor, cfg: DataConfig, num_crops: int) -> torch.Tensor:
    """``N`` decoded clips uint8 ``(N, T, H, W, C)`` -> ``(N * M, C, T, crop, crop)``, clip-major."""
    n, t = frames.shape[:2]
    video = to_video(frames.flatten(0, 1))  # (N*T, C, H, W): one resize for all clips
    video = short_side_resize(cfg.eval_short_side or cfg.crop_size)(video)
    video = normalize(cfg)(video).reshape(n, t, *video.shape[1:])  # (N, T, C, H', W')
    crops = spatial_crops(video, cfg.crop_size, num_crops)  # M x (N, T, C, crop, crop)
    return to_model_layout(torch.stack(crops, dim=1).flatten(0, 1))


# --------------------------------------------------------------------------------------------------
# batch level: MixUp / CutMix + label smoothing
# --------------------------------------------------------------------------------------------------
class BatchMix:
    """MixUp or CutMix on a batch (timm ``Mixup`` in ``batch`` mode, via v2), soft targets out.

    Args:
        cfg: uses ``mixup`` / ``cutmix`` (alphas; 0 = off), ``mix_switch_prob`` (probability of
            CutMix when both are on) and ``label_smoothing``.
        num_classes: K.
    """

    def __init__(self, cfg: DataConfig, num_classes: int) -> None:
        self.num_classes = num_classes
        self.smoothing = cfg.label_smoothing
        mixers, probs = [], []
        if cfg.mixup > 0:
            mixers.append(v2.MixUp(alpha=cfg.mixup, num_classes=num_classes))
            probs.append(1 - cfg.mix_switch_prob if cfg.cutmix > 0 else 1.0)
        if cfg.cutmix > 0:
            mixers.append(v2.CutMix(alpha=cfg.cutmix, num_classes=num_classes))
            probs.append(cfg.mix_switch_prob if cfg.mixup > 0 else 1.0)
        self.mix = v2.RandomChoice(mixers, p=probs) if mixers else None

    def __call__(
        self, video: torch.Tensor, labels: torch.Tensor, generator: torch.Generator
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """``(N, C, T, H, W)`` + int ``(N,)`` -> mixed ``(N, C, T, H, W)`` + float ``(N, K)`` targets.

        The same box / weight applies to all frames of a clip (v2 treats ``(N, T, C, H, W)`` videos).
        """
        if self.mix is None:
            targets = torch.nn.functional.one_hot(labels, self.num_classes).float()
        else:
            # v2 draws from the global RNG: seed it from the caller's generator, restore it after
            seed = int(torch.randint(0, 2**62, (1,), generator=generator))
            with torch.random.fork_rng(devices=[]):
                torch.default_generator.manual_seed(seed)  # CPU only: torch.manual_seed queues CUDA seeds too
                mixed, targets = self.mix(tv_tensors.Video(video.transpose(1, 2)), labels)
            video = to_model_layout(mixed)
        if self.smoothing > 0:  # smoothing is affine, so smoothing mixed targets = mixing smoothed ones
            targets = targets * (1 - self.smoothing) + self.smoothing / self.num_classes
        return video, targets
