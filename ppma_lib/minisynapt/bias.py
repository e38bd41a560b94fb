"""How much of each task a single frame gives away: the measured scene-object bias.

SynAPT orders its six tasks by representation bias in the sense of RESOUND (Li, Li & Vasconcelos,
ECCV'18): ``B = ln(M / M_rand)``, with M the accuracy of a linear classifier on frozen features and
M_rand chance. Our frozen features are deliberately plain, in three groups:

- static (scene and objects, no motion): the middle frame's 8x8 thumbnail and its 4x4x4 colour
  histogram (square-rooted);
- motion maps: 8x8 maps of mean absolute frame difference, of the signed change from the first to
  the second half of the clip, and of the temporal standard deviation;
- motion dynamics (no appearance, no position): the per-step motion energy profile and the
  velocity and spread of the motion-energy centroid.

Each row reports ``static_acc`` (static), ``motion_acc`` (all three groups: the motion-aware
baseline) and ``dynamics_acc`` (dynamics only), each the mean accuracy of stratified 5-fold
cross-validation. A task with a high static accuracy can be solved from the scene; a low-bias task
needs the motion. The generator measures clips as rendered (before H.264); :func:`measure`
measures videos as stored (e.g. a human-removed copy of a set).
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Sequence

import cv2
import numpy as np

Array = np.ndarray
GRID = 8  # thumbnail / map resolution


def _pool(x: Array) -> Array:
    """(N, H, W[, C]) -> (N, GRID * GRID [* C]) area-averaged maps."""
    return np.stack([cv2.resize(a, (GRID, GRID), interpolation=cv2.INTER_AREA) for a in x]).reshape(len(x), -1)


def static_features(x: Array) -> Array:
    """Clips uint8 (N, T, H, W, 3) -> features of the middle frame (N, 256)."""
    mid = x[:, x.shape[1] // 2]
    n, h, w, _ = mid.shape
    bins = (mid // 64).astype(np.int64)  # 4 levels per channel
    idx = (bins[..., 0] * 16 + bins[..., 1] * 4 + bins[..., 2]).reshape(n, -1) + 64 * np.arange(n)[:, None]
    hist = np.bincount(idx.ravel(), minlength=64 * n).reshape(n, 64) / (h * w)
    # square root (Hellinger): small objects' colours count next to the large background areas
    return np.concatenate([_pool(mid.astype(np.float32) / 255), np.sqrt(hist)], axis=1)


def motion_maps(x: Array) -> Array:
    """Clips uint8 (N, T, H, W, 3) -> where things change, and which way (N, 192)."""
    f = x.astype(np.float32).mean(axis=-1) / 255  # (N, T, H, W) grey
    t = f.shape[1]
    diff = np.abs(np.diff(f, axis=1)).mean(axis=1)
    change = (x[:, t // 2:].astype(np.float32).mean(axis=1) - x[:, : t // 2].astype(np.float32).mean(axis=1)) / 255
    return np.concatenate([_pool(diff), _pool(change), _pool(f.std(axis=1))], axis=1)


def dynamics(x: Array) -> Array:
    """Clips uint8 (N, T, H, W, 3) -> how much moves when, and how the moving part travels
    (N, 4 (T - 1) + 1); blind to appearance and to where in the frame the motion happens."""
    f = x.astype(np.float32).mean(axis=-1) / 255
    d = np.abs(np.diff(f, axis=1))  # (N, T-1, H, W)
    energy = d.sum(axis=(2, 3))
    w = d / (energy[..., None, None] + 1e-6)
    yy, xx = np.mgrid[0: f.shape[2], 0: f.shape[3]].astype(np.float32) / f.shape[2]
    cx, cy = (w * xx).sum(axis=(2, 3)), (w * yy).sum(axis=(2, 3))
    spread = np.sqrt((w * ((xx - cx[..., None, None]) ** 2 + (yy - cy[..., None, None]) ** 2)).sum(axis=(2, 3)))
    profile = energy / (energy.mean(axis=1, keepdims=True) + 1e-6)
    return np.concatenate([profile, np.diff(cx, axis=1), np.diff(cy, axis=1), spread,
                           np.log(energy.mean(axis=1, keepdims=True) + 1e-6)], axis=1)


def features(x: Array) -> tuple[Array, Array, Array]:
    """The three feature groups of clips uint8 (N, T, H, W, 3): (static, motion maps, dynamics)."""
    return static_features(x), motion_maps(x), dynamics(x)


def probe(features: Array, labels: Array, seed: int = 0, folds: int = 5) -> float:
    """Cross-validated accuracy of a linear classifier on frozen features."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_score
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from threadpoolctl import threadpool_limits

    folds = min(folds, int(np.bincount(labels).min()))
    model = make_pipeline(StandardScaler(), LogisticRegression(C=0.05, tol=1e-3, max_iter=500))
    cv = StratifiedKFold(folds, shuffle=True, random_state=seed)
    with threadpool_limits(1):  # small problems: BLAS threads only fight each other (and the workers)
        return float(cross_val_score(model, features, labels, cv=cv).mean())


def bias_row(static: Array, maps: Array, dyn: Array, labels: Array, seed: int = 0) -> dict[str, float]:
    """One task's row: accuracies, chance, B = ln(static / chance) and the motion gain."""
    k = len(np.unique(labels))
    acc_static = probe(static, labels, seed)
    acc_motion = probe(np.concatenate([static, maps, dyn], axis=1), labels, seed)
    acc_dyn = probe(dyn, labels, seed)
    return dict(classes=k, clips=len(labels), chance=round(1 / k, 4), static_acc=round(acc_static, 4),
                motion_acc=round(acc_motion, 4), dynamics_acc=round(acc_dyn, 4),
                static_bias=round(float(np.log(max(acc_static, 1e-6) * k)), 4),
                motion_gain=round(acc_motion - acc_static, 4))


def load_task(root: str | Path, name: str) -> tuple[Array, Array]:
    """All clips of a task (train + val), decoded from disk -> (uint8 (N, T, H, W, 3), labels (N,))."""
    from ppma_lib.data.lists import read_list
    from ppma_lib.data.video import open_video

    base = Path(root) / name
    items = read_list(base / "train.csv") + read_list(base / "val.csv")
    clips = []
    for rel, _ in items:
        with open_video(base / rel) as r:
            clips.append(r.get(range(len(r))).numpy())
    return np.stack(clips), np.array([label for _, label in items])


def measure(root: str | Path, tasks: Sequence[str], seed: int = 0) -> dict[str, Any]:
    """The bias table of ``tasks`` as stored under ``root`` -> {task: row}, in the given order."""
    table = {}
    for name in tasks:
        clips, labels = load_task(root, name)
        table[name] = bias_row(*features(clips), labels, seed=seed)
    return table
