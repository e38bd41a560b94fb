"""Real images from a folder (PASS, ImageNet, frames of the fine-tuning videos: PMG Tab. 6, 8-10).

Minimal on purpose: the data component has the full image-folder dataset. Two layouts:
``root/<class>/<image>`` (classes sorted by name), or a list file ``path label`` per line with paths
relative to the list's folder (what ``ppma make-data images`` writes). Images are resized on their
shorter side and centre-cropped (PMG works on square 224^2 frames, §4). A source capped at fewer images
than it holds keeps the same number from every class (PMG §4: "the number of images of each category
is the same"); one capped at fewer classes keeps the first ones by label (PMG Fig. 3c).
"""
from __future__ import annotations

from itertools import zip_longest
from pathlib import Path

import torch
from PIL import Image
from torch import Tensor
from torch.utils.data import Dataset
from torchvision.transforms.v2 import functional as TF

from ppma_lib.pmg.sources.base import as_size

EXTENSIONS = {".jpg", ".jpeg", ".png", ".bmp", ".webp"}


class ImageFolderSource(Dataset):
    """Items are (uint8 image (3, H, W), label)."""

    def __init__(self, root: str | Path, size: int | tuple[int, int] = 224, max_images: int | None = None,
                 max_classes: int = 0):
        root = Path(root)
        if root.is_file():
            lines = [ln.rsplit(maxsplit=1) for ln in root.read_text().splitlines() if ln.strip()]
            self.items = [(root.parent / p, int(label)) for p, label in lines]
        elif root.is_dir():
            classes = sorted(d.name for d in root.iterdir() if d.is_dir())
            self.items = [
                (f, label) for label, c in enumerate(classes)
                for f in sorted((root / c).iterdir()) if f.suffix.lower() in EXTENSIONS
            ]
        else:
            raise FileNotFoundError(f"image source not found: {root} (a folder of class folders or a list file)")
        if not self.items:
            raise ValueError(f"no images ({', '.join(sorted(EXTENSIONS))}) under {root}")
        if max_classes:
            kept = sorted({label for _, label in self.items})[:max_classes]
            if len(kept) < max_classes:
                raise ValueError(f"{root} has {len(kept)} classes, fewer than the {max_classes} asked for")
            self.items = [item for item in self.items if item[1] in set(kept)]
        if max_images and max_images < len(self.items):
            self.items = balanced(self.items, max_images)
        self.size = as_size(size)
        self.num_classes = max(label for _, label in self.items) + 1

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, index: int) -> tuple[Tensor, int]:
        path, label = self.items[index]
        with Image.open(path) as im:
            img = TF.pil_to_tensor(im.convert("RGB"))
        h, w = self.size
        cover = max(h / img.shape[1], w / img.shape[2])  # the smallest scale that covers (H, W)
        img = TF.resize(img, [max(h, round(img.shape[1] * cover)), max(w, round(img.shape[2] * cover))], antialias=True)
        return TF.center_crop(img, [h, w]), label

    def batch(self, indices: list[int]) -> tuple[Tensor, Tensor]:
        items = [self[i] for i in indices]
        return torch.stack([i for i, _ in items]), torch.tensor([label for _, label in items])


def balanced(items: list[tuple[Path, int]], n: int) -> list[tuple[Path, int]]:
    """The first ``n`` items taken round-robin over the classes (each class in its own order)."""
    by_class: dict[int, list[tuple[Path, int]]] = {}
    for item in items:
        by_class.setdefault(item[1], []).append(item)
    rounds = zip_longest(*(by_class[c] for c in sorted(by_class)))
    return [item for row in rounds for item in row if item is not None][:n]
