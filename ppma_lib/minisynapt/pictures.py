"""Pictures of MiniSynAPT for the book: frame strips per set or task, and the masks of ``real``."""
from __future__ import annotations

from pathlib import Path

import numpy as np

Array = np.ndarray


def _first_of_each_class(root: Path, name: str, n: int) -> list[tuple[str, int]]:
    from ppma_lib.data.lists import read_list

    seen: dict[int, str] = {}
    for rel, label in read_list(root / name / "train.csv"):
        seen.setdefault(label, rel)
    return [(seen[k], k) for k in sorted(seen)[:n]]


def sheet(root: str | Path, name: str, n: int = 4, frames: int = 4, gap: int = 2) -> Array:
    """A uint8 grid: one row per class (its first training clip), ``frames`` evenly spaced frames."""
    from ppma_lib.data.video import open_video

    root, rows = Path(root), []
    for rel, _ in _first_of_each_class(root, name, n):
        with open_video(root / name / rel) as r:
            idx = np.linspace(0, len(r) - 1, frames).round().astype(int)
            clip = r.get(idx).numpy()
        t, h, w, c = clip.shape
        row = np.full((h, t * (w + gap) - gap, c), 255, np.uint8)
        for i, f in enumerate(clip):
            row[:, i * (w + gap): i * (w + gap) + w] = f
        rows.append(row)
    if not rows:
        raise FileNotFoundError(f"no clips listed in {root / name / 'train.csv'}")
    out = np.full((len(rows) * (rows[0].shape[0] + gap) - gap, rows[0].shape[1], 3), 255, np.uint8)
    for i, row in enumerate(rows):
        out[i * (row.shape[0] + gap): i * (row.shape[0] + gap) + row.shape[0]] = row
    return out


def strip(root: str | Path, name: str, n: int = 4, frames: int = 4):  # -> matplotlib.figure.Figure
    """A figure of :func:`sheet`, each row labelled with its class."""
    import matplotlib.pyplot as plt

    from ppma_lib.data.lists import read_label_map

    root = Path(root)
    grid = sheet(root, name, n, frames)
    labels = read_label_map(root / name / "labels.tsv")
    rows = _first_of_each_class(root, name, n)
    fig, ax = plt.subplots(figsize=(1.2 * frames, 1.2 * len(rows)))
    ax.imshow(grid, interpolation="nearest")
    step = grid.shape[0] / len(rows)
    ax.set_yticks([(i + 0.5) * step for i in range(len(rows))], [labels[k] for _, k in rows])
    ax.set_xticks([])
    ax.set_title(name)
    for s in ax.spines.values():
        s.set_visible(False)
    fig.tight_layout()
    return fig


def removal_strip(root: str | Path, n: int = 3):  # -> matplotlib.figure.Figure
    """For ``n`` clips of ``real``: the middle frame, its actor mask (1 = actor) and the clean plate."""
    import matplotlib.pyplot as plt

    from ppma_lib.data.video import open_video

    root = Path(root)
    items = _first_of_each_class(root, "real", n)
    fig, axes = plt.subplots(len(items), 3, figsize=(4.5, 1.6 * len(items)), squeeze=False)
    for row, (rel, _) in zip(axes, items):
        with np.load(root / "real" / "masks" / Path(rel).with_suffix(".npz")) as z:
            mask, clean = z["mask"], z["clean"]
        t = mask.shape[0] // 2
        with open_video(root / "real" / rel) as r:
            frame = r.get([t]).numpy()[0]
        for ax, img, title in zip(row, (frame, mask[t], clean[t]), ("frame", "mask (1 = actor)", "clean")):
            ax.imshow(img, cmap="gray" if img.ndim == 2 else None, interpolation="nearest")
            ax.set_axis_off()
            ax.set_title(title, fontsize=8)
    fig.tight_layout()
    return fig
