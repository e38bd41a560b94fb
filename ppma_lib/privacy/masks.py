"""Person probability -> inpainting hole, as HAT prepares masks for E2FGVI (PPMA §3.1).

HAT thresholds the segmenter's soft mask at 0.5 and dilates it with a 3x3 cross, 4 times (a
diamond of radius 4 px): segmenters under-cover motion-blurred edges and hair, and a thin rim of
person left around the hole would be propagated into it.
"""
from __future__ import annotations

import cv2
import numpy as np

CV_MAX_CHANNELS = 512  # cv2 filters take up to 512 channels: frames ride in the channel axis


def per_frame(op: int, mask: np.ndarray, kernel: np.ndarray, iterations: int = 1) -> np.ndarray:
    """OpenCV morphology ``op`` (cv2.MORPH_*) on every frame of a uint8 (T,H,W) mask, zero border."""
    out = np.empty_like(mask)
    for s in range(0, len(mask), CV_MAX_CHANNELS):
        chunk = np.ascontiguousarray(mask[s:s + CV_MAX_CHANNELS].transpose(1, 2, 0))
        r = cv2.morphologyEx(chunk, op, kernel, iterations=iterations, borderType=cv2.BORDER_CONSTANT,
                             borderValue=0)
        out[s:s + CV_MAX_CHANNELS] = r.reshape(chunk.shape).transpose(2, 0, 1)
    return out


def dilate(mask: np.ndarray, iterations: int, shape: int = cv2.MORPH_CROSS) -> np.ndarray:
    """uint8 (T,H,W) -> uint8 (T,H,W), each frame dilated by a 3x3 kernel ``iterations`` times."""
    if iterations == 0 or mask.size == 0:
        return mask.copy()
    return per_frame(cv2.MORPH_DILATE, mask, cv2.getStructuringElement(shape, (3, 3)), iterations)


def person_hole(prob: np.ndarray, threshold: float = 0.5, dilation_iters: int = 4) -> np.ndarray:
    """prob float (T,H,W) person probability -> hole uint8 (T,H,W), 1 = masked (to be inpainted)."""
    return dilate((prob > threshold).astype(np.uint8), dilation_iters)


def box_around(mask: np.ndarray, pad: int = 0) -> tuple[slice, slice]:
    """Bounding box of the nonzero pixels of a 2D mask grown by ``pad`` px (clipped to the frame).

    Local work (inpainting, flow completion) runs on this crop only: cost follows the hole, not the
    frame. An empty mask gives an empty box.
    """
    rows, cols = np.flatnonzero(mask.any(1)), np.flatnonzero(mask.any(0))
    if rows.size == 0:
        return slice(0, 0), slice(0, 0)
    H, W = mask.shape
    return (slice(max(0, rows[0] - pad), min(H, rows[-1] + 1 + pad)),
            slice(max(0, cols[0] - pad), min(W, cols[-1] + 1 + pad)))
