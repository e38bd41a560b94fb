"""No-Human videos (PPMA §3.1, App. B): segment people, inpaint them away offline, audit the result.

Modules (import them directly, or the names below lazily from this package):
- :mod:`~ppma_lib.privacy.segment`       ``Segmenter`` protocol, ``make_segmenter`` (oracle, torchvision,
  mediapipe, opencv backends in :mod:`~ppma_lib.privacy.segmenters`)
- :mod:`~ppma_lib.privacy.masks`         ``person_hole``: threshold + 3x3 cross dilation (HAT)
- :mod:`~ppma_lib.privacy.flow`          DIS flow with completion inside the hole
- :mod:`~ppma_lib.privacy.inpaint`       ``inpaint_video``: flow-guided propagation + keyframe fill
- :mod:`~ppma_lib.privacy.remove`        ``remove_humans``: one clip through segment -> hole -> inpaint
- :mod:`~ppma_lib.privacy.baselines`     ``telea_only``, ``temporal_median``
- :mod:`~ppma_lib.privacy.audit`         ``Auditor``: residual people and faces in an output
- :mod:`~ppma_lib.privacy.quality`       PSNR / SSIM inside the hole against a known background
- :mod:`~ppma_lib.privacy.dataset_pass`  ``remove_humans_from_list``: the resumable dataset pass
- :mod:`~ppma_lib.privacy.pictures`      ``before_after`` strips for the book
- :mod:`~ppma_lib.privacy.synthetic`     ``synthetic_clip``: a walking blob over a textured scene
"""
from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "Segmenter": "segment", "SegmenterUnavailable": "segment", "make_segmenter": "segment",
    "person_hole": "masks", "inpaint_video": "inpaint", "remove_humans": "remove",
    "telea_only": "baselines", "temporal_median": "baselines", "Auditor": "audit", "AuditResult": "audit",
    "compare_inpainters": "quality", "hole_psnr": "quality", "hole_ssim": "quality",
    "remove_humans_from_list": "dataset_pass", "before_after": "pictures", "synthetic_clip": "synthetic",
}


def __getattr__(name: str) -> Any:  # lazy: importing the package loads neither OpenCV nor torch
    if name in _EXPORTS:
        return getattr(importlib.import_module(f"ppma_lib.privacy.{_EXPORTS[name]}"), name)
    raise AttributeError(f"module 'ppma_lib.privacy' has no attribute {name!r}")


__all__ = list(_EXPORTS)
