"""What every procedural image source shares: a balanced (label, instance) indexing and pure rendering."""
from __future__ import annotations

from typing import Sequence

import numpy as np
import torch
from torch import Tensor
from torch.utils.data import Dataset


def as_size(size: int | tuple[int, int]) -> tuple[int, int]:
    """An int side or an (H, W) pair -> (H, W)."""
    h, w = (size, size) if isinstance(size, int) else size
    if min(h, w) < 8:
        raise ValueError(f"image size must be at least 8 x 8, got {(h, w)}")
    return int(h), int(w)


def rng(*key: int) -> np.random.Generator:
    """A numpy Generator that is a pure function of the integer key (seed, label, instance, ...)."""
    return np.random.default_rng([int(k) for k in key])


class ProceduralImages(Dataset):
    """``num_images`` images in ``num_classes`` categories, balanced at any count: image i is instance
    ``i // num_classes`` of category ``i % num_classes``. Each image is a pure function of
    (seed, label, instance), so workers and re-runs render the same pixels.

    Items are (uint8 image (3, H, W), label).
    """

    def __init__(self, num_images: int, num_classes: int, size: int | tuple[int, int] = 224, seed: int = 0):
        if num_images < 1 or num_classes < 1:
            raise ValueError(f"need num_images, num_classes >= 1, got {num_images}, {num_classes}")
        self.num_images, self.num_classes, self.size, self.seed = num_images, num_classes, as_size(size), seed

    def __len__(self) -> int:
        return self.num_images

    def label_instance(self, index: int) -> tuple[int, int]:
        if not 0 <= index < self.num_images:
            raise IndexError(f"image {index} out of range 0..{self.num_images - 1}")
        return index % self.num_classes, index // self.num_classes

    def __getitem__(self, index: int) -> tuple[Tensor, int]:
        label, instance = self.label_instance(index)
        return self.render([label], [instance])[0], label

    def batch(self, indices: Sequence[int]) -> tuple[Tensor, Tensor]:
        """Several images at once (vectorised where the source allows): (N, 3, H, W) uint8, (N,) labels."""
        pairs = [self.label_instance(int(i)) for i in indices]
        labels = [p[0] for p in pairs]
        return self.render(labels, [p[1] for p in pairs]), torch.tensor(labels)

    def render(self, labels: Sequence[int], instances: Sequence[int]) -> Tensor:
        """(N,) labels and instances -> uint8 images (N, 3, H, W)."""
        raise NotImplementedError
