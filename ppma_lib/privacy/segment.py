"""Person segmentation behind one small interface (PPMA §3.1; HAT step 1).

HAT segments people with SeMask (ADE20K class "person") and keeps the per-pixel probability. Every
backend here returns the same thing, a person probability per pixel, so the mask post-processing
(`masks.py`), the inpainter and the audit do not care where it came from:

    segmenter(frames uint8 (T,H,W,3) RGB, video=relpath) -> float32 (T,H,W) in [0, 1]

``video`` (the clip's path relative to the dataset root) is only read by the ``oracle`` backend,
which looks up ground-truth masks; learned backends ignore it.
"""
from __future__ import annotations

import importlib
from typing import Any, Protocol, runtime_checkable

import numpy as np


class SegmenterUnavailable(RuntimeError):
    """A backend cannot run here (missing weights, package or mask file); the message says why."""


@runtime_checkable
class Segmenter(Protocol):
    def __call__(self, frames: np.ndarray, video: str | None = None) -> np.ndarray:
        """frames uint8 (T,H,W,3) RGB -> person probability float32 (T,H,W)."""
        ...


# name -> "module:Class"; imported on demand so that e.g. torch is not loaded for the oracle
BACKENDS: dict[str, str] = {
    "oracle": "ppma_lib.privacy.segmenters.oracle:OracleSegmenter",
    "torchvision": "ppma_lib.privacy.segmenters.torchvision_coco:TorchvisionSegmenter",
    "mediapipe": "ppma_lib.privacy.segmenters.mediapipe_selfie:MediapipeSegmenter",
    "opencv": "ppma_lib.privacy.segmenters.opencv_people:OpenCVSegmenter",
}


def make_segmenter(name: str, **kwargs: Any) -> Segmenter:
    """Build a backend by name; ``kwargs`` go to its constructor (e.g. ``masks=`` for the oracle)."""
    if name not in BACKENDS:
        raise ValueError(f"unknown segmenter {name!r}; choose from {sorted(BACKENDS)}")
    module, cls = BACKENDS[name].split(":")
    return getattr(importlib.import_module(module), cls)(**kwargs)
