"""Pseudo Motion Generator (PMG, Ishikawa et al., ECCV 2024) and procedural image sources.

    pmg = PseudoMotionGenerator(cfg)                                  # cfg: PMGConfig
    videos = pmg(images, torch.Generator().manual_seed(0))           # (N, C, H, W) -> (N, C, T, H, W)

Modules (this package imports nothing heavy, so that ``ppma --help`` stays fast):
- :mod:`~ppma_lib.pmg.ranges`      ``MotionRanges``: every per-transform range, documented, in one place
- :mod:`~ppma_lib.pmg.transforms`  the eight transformations as per-video motion (``sample_motion``, ``Motion``)
- :mod:`~ppma_lib.pmg.warp`        composition of the per-step maps; OpenCV and ``grid_sample`` kernels
- :mod:`~ppma_lib.pmg.generator`   ``PseudoMotionGenerator``
- :mod:`~ppma_lib.pmg.mix`         Mixup / VideoMix between pseudo-motion videos, ``pmg_augment`` (PMG-Aug)
- :mod:`~ppma_lib.pmg.dataset`     ``PseudoMotionBatch`` (on-device hook), ``PseudoMotionDataset`` (workers)
- :mod:`~ppma_lib.pmg.sources`     shaders, FractalDB, VisualAtom, image folders
- :mod:`~ppma_lib.pmg.pictures`    strips, GIFs, figures and the ipywidgets ``explorer``
"""
from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "PseudoMotionGenerator": "generator", "MotionRanges": "ranges", "Motion": "transforms",
    "sample_motion": "transforms", "mix_batch": "mix", "mixup": "mix", "videomix": "mix",
    "sample_lambda": "mix", "pmg_augment": "mix", "PseudoMotionBatch": "dataset",
    "PseudoMotionDataset": "dataset", "build_pretraining": "dataset", "build_image_source": "sources",
    "explorer": "pictures",
}


def __getattr__(name: str) -> Any:  # lazy: `from ppma_lib.pmg import mixup` imports mix.py only
    if name in _EXPORTS:
        return getattr(importlib.import_module(f"ppma_lib.pmg.{_EXPORTS[name]}"), name)
    raise AttributeError(f"module 'ppma_lib.pmg' has no attribute {name!r}")


__all__ = list(_EXPORTS)
