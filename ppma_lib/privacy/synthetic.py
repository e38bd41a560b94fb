"""Small synthetic clips with a known background: a person-like blob walking over a textured scene.

Used by the tests and ``ppma bench privacy`` (no dataset needed). The clean background is known, so
inpainting quality can be measured exactly; the person mask plays the segmenter's part.
"""
from __future__ import annotations

import cv2
import numpy as np


def textured_background(H: int, W: int, rng: np.random.Generator) -> np.ndarray:
    """uint8 (H,W,3): smooth colour gradients plus sharp random rectangles and lines (hard for Telea)."""
    low = cv2.resize(rng.uniform(40, 215, (max(2, H // 24), max(2, W // 24), 3)).astype(np.float32),
                     (W, H), interpolation=cv2.INTER_CUBIC)
    img = np.clip(low + rng.normal(0, 6, (H, W, 3)), 0, 255).astype(np.uint8)
    for _ in range(H * W // 300):
        x, y = int(rng.integers(0, W)), int(rng.integers(0, H))
        colour = tuple(int(c) for c in rng.integers(0, 256, 3))
        if rng.random() < 0.5:
            cv2.rectangle(img, (x, y), (x + int(rng.integers(3, 14)), y + int(rng.integers(3, 14))), colour, -1)
        else:
            cv2.line(img, (x, y), (x + int(rng.integers(-20, 20)), y + int(rng.integers(-20, 20))), colour, 1)
    return img


def person_mask(H: int, W: int, cx: float, size: float) -> np.ndarray:
    """uint8 (H,W), 1 = person: an upright body ellipse with a head, feet near the bottom."""
    m = np.zeros((H, W), np.uint8)
    feet, body_h = H - 0.1 * H, size * H
    cy = feet - body_h * 0.4
    cv2.ellipse(m, (round(cx), round(cy)), (round(body_h * 0.16), round(body_h * 0.4)), 0, 0, 360, 1, -1)
    cv2.circle(m, (round(cx), round(cy - body_h * 0.5)), round(body_h * 0.11), 1, -1)
    return m


def synthetic_clip(T: int = 24, H: int = 96, W: int = 128, pan: tuple[float, float] = (0.0, 0.0),
                   speed: float = 4.0, size: float = 0.6, seed: int = 0
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """-> frames uint8 (T,H,W,3), mask uint8 (T,H,W) 1 = person, clean uint8 (T,H,W,3).

    pan: camera motion in px/frame (x, y); speed: the person's motion in px/frame across the screen.
    """
    rng = np.random.default_rng(seed)
    px, py = pan
    pad_x, pad_y = int(np.ceil(abs(px) * T)) + 2, int(np.ceil(abs(py) * T)) + 2
    canvas = textured_background(H + pad_y, W + pad_x, rng)
    x0, y0 = (pad_x - 1 if px < 0 else 1), (pad_y - 1 if py < 0 else 1)
    clean = np.stack([cv2.warpAffine(canvas, np.float32([[1, 0, -(x0 + px * t)], [0, 1, -(y0 + py * t)]]),
                                     (W, H), flags=cv2.INTER_LINEAR) for t in range(T)])
    start = W * 0.5 - speed * (T - 1) / 2
    mask = np.stack([person_mask(H, W, start + speed * t, size) for t in range(T)])
    colour = rng.integers(0, 256, 3).astype(np.float32)
    shade = np.linspace(1.15, 0.75, H, dtype=np.float32)[:, None, None]  # lit from above
    person = np.clip(colour * shade, 0, 255).astype(np.uint8)
    frames = np.where(mask[..., None] > 0, person[None], clean)
    return frames, mask, clean
