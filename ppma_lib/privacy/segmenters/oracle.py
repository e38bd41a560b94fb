"""Oracle masks: ground-truth person masks stored next to a synthetic benchmark (MiniSynAPT).

File format, one per video: ``<masks>/<video relpath without extension>.npz`` holding
``mask`` uint8 (T,H,W), 1 = person pixel, and optionally ``clean`` uint8 (T,H,W,3), the true
background (used by the audit and the quality study, not by segmentation).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from ppma_lib.privacy.segment import SegmenterUnavailable


def mask_path(masks: str | Path, video: str) -> Path:
    rel = Path(video)
    return Path(masks) / rel.parent / f"{rel.stem if rel.suffix else rel.name}.npz"


def load_oracle(masks: str | Path, video: str) -> tuple[np.ndarray, np.ndarray | None]:
    """-> (mask uint8 (T,H,W), 1 = person; clean uint8 (T,H,W,3) or None)."""
    path = mask_path(masks, video)
    if not path.is_file():
        raise SegmenterUnavailable(f"oracle mask file not found for {video!r}: expected {path}")
    with np.load(path) as z:
        if "mask" not in z:
            raise SegmenterUnavailable(f"{path}: no 'mask' array (has {sorted(z.files)})")
        return z["mask"].astype(np.uint8), (z["clean"] if "clean" in z else None)


class OracleSegmenter:
    def __init__(self, masks: str | Path) -> None:
        if not masks:
            raise SegmenterUnavailable("the oracle segmenter needs a mask folder (--masks DIR)")
        self.masks = Path(masks)

    def __call__(self, frames: np.ndarray, video: str | None = None) -> np.ndarray:
        if video is None:
            raise SegmenterUnavailable("the oracle segmenter needs the video's relpath (video=...)")
        mask, _ = load_oracle(self.masks, video)
        if mask.shape != frames.shape[:3]:
            raise SegmenterUnavailable(
                f"oracle mask for {video!r} has shape {mask.shape}, frames have {frames.shape[:3]}")
        return mask.astype(np.float32)
