"""Feeding pseudo-motion videos to pre-training without a CPU bottleneck (PMG §3.1, §4).

Default (``pmg.on_device``): DataLoader workers only load still images (uint8, small); the trainer
calls a :class:`PseudoMotionBatch` on each image batch once it is on the training device, and the
whole batch of videos comes out of one ``grid_sample``: 16x less data through the workers and the
host-to-device copy, and no per-frame CPU work.

Switch (``pmg.on_device: false``): :class:`PseudoMotionDataset` makes each video inside the workers
(uint8 OpenCV kernel), for machines where the device is the bottleneck or for inspecting samples.

Randomness is a pure function of (seed, rank, step) or (seed, epoch, index): no generator state
is carried between calls, so resuming at a step reproduces its videos.
"""
from __future__ import annotations

from typing import Callable

import numpy as np
import torch
from torch import Tensor
from torch.utils.data import Dataset

from ppma_lib.pmg.generator import PseudoMotionGenerator
from ppma_lib.pmg.sources import build_image_source
from ppma_lib.sections.pmg import PMGConfig


def seeded(*key: int) -> torch.Generator:
    """A CPU torch.Generator that is a pure function of the integer key."""
    state = np.random.SeedSequence([int(k) for k in key]).generate_state(1, np.uint64)[0]
    return torch.Generator().manual_seed(int(state) & (2**63 - 1))


class PseudoMotionBatch:
    """On-device hook: ``hook(images, step)``, images (N, C, H, W) uint8 or float in [0, 1] on the
    training device -> float videos (N, C, T, H, W) in [0, 1] on that device."""

    def __init__(self, cfg: PMGConfig, seed: int = 0, rank: int = 0) -> None:
        self.pmg = PseudoMotionGenerator(cfg)
        self.seed, self.rank = seed, rank

    def __call__(self, images: Tensor, step: int) -> Tensor:
        x = images.float().div_(255) if images.dtype == torch.uint8 else images
        return self.pmg(x, seeded(self.seed, self.rank, step))


class PseudoMotionDataset(Dataset):
    """Worker-side mode: item i is (uint8 video (C, T, H, W), label) made from image i of ``images``
    (a Dataset of (uint8 image (C, H, W), label)); Mixup / CutMix partners are other random images."""

    def __init__(self, images: Dataset, cfg: PMGConfig, seed: int = 0, epoch: int = 0) -> None:
        self.images, self.pmg = images, PseudoMotionGenerator(cfg)
        self.seed, self.epoch = seed, epoch
        self.needs_partner = cfg.mix != "none" or "cutmix" in cfg.transforms

    def set_epoch(self, epoch: int) -> None:
        """New motions every epoch (as ``DistributedSampler.set_epoch``)."""
        self.epoch = epoch

    def __len__(self) -> int:
        return len(self.images)

    def __getitem__(self, index: int) -> tuple[Tensor, int]:
        g = seeded(self.seed, self.epoch, index)
        image, label = self.images[index]
        batch = [image]
        if self.needs_partner and len(self.images) > 1:
            other = (index + 1 + int(torch.randint(len(self.images) - 1, (1,), generator=g))) % len(self.images)
            batch.append(self.images[other][0])
        return self.pmg(torch.stack(batch), g)[0].contiguous(), label


def build_pretraining(
    cfg: PMGConfig, seed: int = 0, rank: int = 0
) -> tuple[Dataset, Callable[[Tensor, int], Tensor] | None]:
    """The dataset and on-device hook the trainer needs for pseudo-motion pre-training.

    ``on_device``: (image dataset of (uint8 (3, S, S), label), PseudoMotionBatch);
    else: (PseudoMotionDataset of (uint8 (3, T, S, S), label), None).
    """
    images = build_image_source(cfg.image_source, cfg.num_images, cfg.num_classes, cfg.image_size, seed,
                                cfg.folder_classes)
    if cfg.on_device:
        return images, PseudoMotionBatch(cfg, seed, rank)
    return PseudoMotionDataset(images, cfg, seed), None
