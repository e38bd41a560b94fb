"""PMG-Aug's still banks (PMG Tab. 9): the images a replaced clip may be made from, besides its own frames.

A bank is one image source loaded once into a uint8 tensor (M, 3, H, W) at the clips' H, W, so that a
train step draws stills by indexing (no decoding in the hot path). ``pmg.aug_sources`` names the banks:
``frames`` (the replaced clip's own frame, Tab. 8: no bank) or any ``pmg.image_source`` spec.
"""
from __future__ import annotations

import torch
from torch import Tensor
from tqdm.auto import tqdm

from ppma_lib.sections.pmg import PMGConfig

OWN_FRAMES = "frames"  # pmg.aug_sources entry: a random frame of the replaced clip itself


def load_stills(source: torch.utils.data.Dataset, batch_size: int = 256, progress: bool = True,
                desc: str = "stills") -> Tensor:
    """Every image of ``source`` (items ``(uint8 (3, H, W), label)``) -> uint8 (M, 3, H, W)."""
    n = len(source)
    batches = []
    for start in tqdm(range(0, n, batch_size), desc=desc, unit="batch", disable=not progress, leave=False):
        indices = list(range(start, min(n, start + batch_size)))
        if hasattr(source, "batch"):  # vectorised sources render many images at once
            batches.append(source.batch(indices)[0])
        else:
            batches.append(torch.stack([source[i][0] for i in indices]))
    return torch.cat(batches).contiguous()


def still_banks(pmg: PMGConfig, size: int, seed: int, progress: bool = True) -> list[Tensor | None]:
    """``pmg.aug_sources`` -> one entry per source: ``None`` for ``frames``, else its ``pmg.num_images``
    images (M, 3, size, size) at the clips' side ``size``."""
    from ppma_lib.pmg.sources import build_image_source

    return [None if spec == OWN_FRAMES else
            load_stills(build_image_source(spec, pmg.num_images, pmg.num_classes, size, seed, pmg.folder_classes),
                        progress=progress, desc=f"PMG-Aug stills ({spec})")
            for spec in pmg.aug_sources]
