"""Image sources for pseudo-motion videos: procedural (shaders, FractalDB, VisualAtom) and folders.

Every source is a map-style ``Dataset`` of (uint8 image (3, H, W), label); ``build_image_source``
turns the ``pmg.image_source`` string into one.
"""
from __future__ import annotations

from torch.utils.data import Dataset

from ppma_lib.pmg.sources.base import ProceduralImages
from ppma_lib.pmg.sources.folder import ImageFolderSource
from ppma_lib.pmg.sources.fractaldb import FractalDB
from ppma_lib.pmg.sources.shaders import SHADERS, ShaderImages
from ppma_lib.pmg.sources.visualatom import VisualAtom

PROCEDURAL = {"shaders": ShaderImages, "fractaldb": FractalDB, "visualatom": VisualAtom}


def build_image_source(
    spec: str, num_images: int, num_classes: int, size: int | tuple[int, int], seed: int = 0,
    folder_classes: int = 0,
) -> Dataset:
    """``spec``: shaders | fractaldb | visualatom (``num_classes`` categories) | folder:<path> (class folders or
    a ``path label`` list; ``folder_classes`` > 0 keeps its first N classes)."""
    if spec.startswith("folder:"):
        return ImageFolderSource(spec[len("folder:"):], size, max_images=num_images, max_classes=folder_classes)
    if spec not in PROCEDURAL:
        raise ValueError(f"unknown image source '{spec}'; choose {', '.join(PROCEDURAL)} or folder:<path>")
    return PROCEDURAL[spec](num_images, num_classes, size, seed)


__all__ = [
    "FractalDB", "ImageFolderSource", "PROCEDURAL", "ProceduralImages", "SHADERS", "ShaderImages", "VisualAtom",
    "build_image_source",
]
