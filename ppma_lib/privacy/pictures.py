"""Before/after strips for the book's "No-Human videos" chapter (as PPMA Fig. 2)."""
from __future__ import annotations

import numpy as np


def before_after(frames: np.ndarray, out: np.ndarray, hole: np.ndarray | None = None,
                 clean: np.ndarray | None = None, n: int = 4, title: str | None = None):
    """A grid with ``n`` evenly spaced frames per row: input (hole outlined), output, true background.

    frames, out, clean uint8 (T,H,W,3); hole (T,H,W) 1 = masked. Returns a matplotlib Figure.
    """
    import cv2
    import matplotlib.pyplot as plt

    idx = np.linspace(0, len(frames) - 1, min(n, len(frames))).round().astype(int)
    rows = [("input", frames), ("no-human output", out)]
    if clean is not None:
        rows.append(("true background", clean))
    H, W = frames.shape[1:3]
    fig, axes = plt.subplots(len(rows), len(idx), figsize=(2.2 * len(idx) * W / H, 2.2 * len(rows)),
                             squeeze=False, constrained_layout=True)
    for r, (name, video) in enumerate(rows):
        for c, t in enumerate(idx):
            img = video[t]
            if r == 0 and hole is not None:  # outline what gets inpainted
                contours, _ = cv2.findContours(hole[t].astype(np.uint8), cv2.RETR_EXTERNAL,
                                               cv2.CHAIN_APPROX_SIMPLE)
                img = cv2.drawContours(img.copy(), contours, -1, (255, 255, 0), 1)
            ax = axes[r, c]
            ax.imshow(img)
            ax.set_xticks([]), ax.set_yticks([])
            if c == 0:
                ax.set_ylabel(name)
            if r == 0:
                ax.set_title(f"t = {t}", fontsize=9)
    if title:
        fig.suptitle(title)
    return fig
