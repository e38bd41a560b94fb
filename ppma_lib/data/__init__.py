"""Video data: readers and writers, list files, benchmark splits, clip sampling, transforms, datasets.

Modules (import them directly; this package imports nothing heavy so that ``ppma --help`` stays fast):
- :mod:`~ppma_lib.data.video`      ``open_video``, ``write_video``, ``write_frames``, ``VideoReadError``
- :mod:`~ppma_lib.data.lists`      ``read_list``, ``write_list``, ``read_label_map``, ``write_label_map``
- :mod:`~ppma_lib.data.splits`     converters from the official splits (UCF101, HMDB51, SSv2, Diving48, ...)
- :mod:`~ppma_lib.data.benchmarks` the PPMA / SynAPT benchmark lists shipped with the package
- :mod:`~ppma_lib.data.clips`      train / test clip indices
- :mod:`~ppma_lib.data.transforms` video transforms (torchvision.transforms.v2), MixUp / CutMix
- :mod:`~ppma_lib.data.datasets`   datasets, the one-source-per-batch sampler, ``make_loader``
"""
from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "open_video": "video", "write_video": "video", "write_frames": "video", "VideoReadError": "video",
    "read_list": "lists", "write_list": "lists", "read_label_map": "lists", "write_label_map": "lists",
    "benchmark_list": "benchmarks", "benchmark_label_map": "benchmarks",
}


def __getattr__(name: str) -> Any:  # lazy: `from ppma_lib.data import open_video` imports video.py only
    if name in _EXPORTS:
        return getattr(importlib.import_module(f"ppma_lib.data.{_EXPORTS[name]}"), name)
    raise AttributeError(f"module 'ppma_lib.data' has no attribute {name!r}")


__all__ = list(_EXPORTS)
