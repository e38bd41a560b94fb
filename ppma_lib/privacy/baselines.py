"""Baselines for the flow-guided inpainter, on the same inputs and outputs as ``inpaint_video``.

- ``telea_only``: every frame filled on its own by OpenCV's Telea (no temporal information);
- ``temporal_median``: the "clean plate" of a static camera: each hole pixel takes the median of
  that pixel over the frames where it is not in the hole (Telea where it is never visible).

frames uint8 (T,H,W,3), hole uint8 (T,H,W) 1 = masked -> uint8 (T,H,W,3), only hole pixels changed.
"""
from __future__ import annotations

import warnings

import cv2
import numpy as np


def telea_only(frames: np.ndarray, hole: np.ndarray, radius: int = 5) -> np.ndarray:
    hole = hole.astype(np.uint8)
    return np.stack([cv2.inpaint(f, h, radius, cv2.INPAINT_TELEA) if h.any() else f.copy()
                     for f, h in zip(frames, hole)])


def temporal_median(frames: np.ndarray, hole: np.ndarray, radius: int = 5) -> np.ndarray:
    seen = (hole == 0)[..., None]
    visible = np.where(seen, frames.astype(np.float32), np.nan)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN columns: pixels never visible
        plate = np.nanmedian(visible, axis=0)  # (H,W,3)
    never = np.isnan(plate[..., 0])
    plate = np.nan_to_num(plate).round().astype(np.uint8)
    if never.any():
        plate = cv2.inpaint(plate, never.astype(np.uint8), radius, cv2.INPAINT_TELEA)
    return np.where(seen, frames, plate[None])
