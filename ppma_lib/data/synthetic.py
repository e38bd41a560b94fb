"""Index-coded test clips: every frame shows its own index, so a decode can be checked exactly.

A frame is a red band over ``bits`` vertical black/white stripes, the binary code of the frame's
index (most significant bit left). Flat areas of full contrast survive lossy codecs and yuv420p
chroma subsampling, so :func:`decode_index` recovers the index after H.264 / MPEG-4 / VP9 / JPEG;
the red band catches a BGR/RGB swap. Used by the tests and by ``ppma bench data``.
"""
from __future__ import annotations

import numpy as np
import torch

RED = (255, 0, 0)


def index_frames(num_frames: int, height: int = 64, width: int = 96, bits: int = 8, offset: int = 0) -> np.ndarray:
    """Frames showing indices ``offset .. offset + num_frames - 1`` -> uint8 ``(T, H, W, 3)`` RGB."""
    if width < 4 * bits or height < 8:
        raise ValueError(f"need width >= 4 * bits ({4 * bits}) and height >= 8, got {height}x{width}")
    if offset + num_frames > 2**bits:
        raise ValueError(f"{bits} bits code at most {2**bits} frames")
    idx = np.arange(offset, offset + num_frames)
    code = (idx[:, None] >> np.arange(bits - 1, -1, -1)[None]) & 1  # (T, bits), MSB first
    stripe = np.minimum(np.arange(width) * bits // width, bits - 1)  # stripe of each column
    gray = (code[:, stripe] * 255).astype(np.uint8)  # (T, W)
    frames = np.repeat(gray[:, None, :, None], 3, axis=3).repeat(height, axis=1)
    frames[:, : height // 4] = RED
    return frames


def decode_index(frames: np.ndarray | torch.Tensor, bits: int = 8) -> np.ndarray:
    """Indices shown by frames of :func:`index_frames` -> int ``(T,)``; -1 where the red band is wrong."""
    x = frames.numpy() if isinstance(frames, torch.Tensor) else np.asarray(frames)
    t, h, w, _ = x.shape
    body = x[:, h // 2 + h // 8 :, :, :].astype(np.float32).mean(axis=(1, 3))  # (T, W)
    # middle half of each stripe: edges blur under lossy coding
    centers = ((np.arange(bits) + 0.5) * w / bits).astype(int)
    half = max(1, w // bits // 4)
    levels = np.stack([body[:, c - half : c + half].mean(axis=1) for c in centers], axis=1)  # (T, bits)
    idx = ((levels > 127.5).astype(np.int64) << np.arange(bits - 1, -1, -1)[None]).sum(axis=1)
    band = x[:, 1 : h // 4 - 1].astype(np.float32).mean(axis=(1, 2))  # (T, 3)
    red_ok = (band[:, 0] > 200) & (band[:, 1] < 60) & (band[:, 2] < 60)
    return np.where(red_ok, idx, -1)
