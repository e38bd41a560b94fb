"""Inpainting quality where the true background is known (MiniSynAPT's ``clean`` plates).

Real data has no ground truth behind a person, so PPMA only reviews results by eye (App. B); on a
synthetic benchmark we can score them. PSNR and SSIM are computed **inside the hole** only (outside
it every method returns the input), PSNR from the MSE pooled over all hole pixels of the clip.
"""
from __future__ import annotations

import time
from functools import partial
from pathlib import Path
from typing import Callable, Iterable, Mapping

import numpy as np
import pandas as pd

from ppma_lib.privacy.baselines import telea_only, temporal_median
from ppma_lib.privacy.inpaint import inpaint_video

MAX_PSNR = 100.0
Inpainter = Callable[[np.ndarray, np.ndarray], np.ndarray]  # frames, hole (1 = masked) -> frames


def hole_psnr(pred: np.ndarray, clean: np.ndarray, hole: np.ndarray) -> float:
    """pred, clean uint8 (T,H,W,3); hole (T,H,W) 1 = masked -> PSNR in dB over hole pixels.

    An exact fill is reported as MAX_PSNR (100 dB) rather than inf, so that means stay finite.
    """
    m = hole > 0
    if not m.any():
        return float("nan")
    mse = float(np.mean((pred[m].astype(np.float64) - clean[m]) ** 2))
    return min(MAX_PSNR, 10 * np.log10(255.0 ** 2 / max(mse, 1e-12)))


def hole_ssim(pred: np.ndarray, clean: np.ndarray, hole: np.ndarray) -> float:
    """Mean of the SSIM map (Wang et al. 2004: Gaussian window, sigma 1.5) over hole pixels."""
    try:
        from skimage.metrics import structural_similarity
    except ImportError:
        raise ImportError("hole_ssim needs scikit-image: pip install 'ppma[privacy]'") from None
    total, count = 0.0, 0
    for p, c, h in zip(pred, clean, hole > 0):  # skimage's SSIM is per image
        if h.any():
            _, smap = structural_similarity(p, c, channel_axis=-1, data_range=255, gaussian_weights=True,
                                            sigma=1.5, use_sample_covariance=False, full=True)
            total, count = total + float(smap.mean(-1)[h].sum()), count + int(h.sum())
    return total / count if count else float("nan")


def default_methods(**inpaint_kwargs) -> dict[str, Inpainter]:
    return {"flow-guided (ours)": partial(inpaint_video, **inpaint_kwargs),
            "Telea only": telea_only,
            "temporal median": temporal_median}


def compare_inpainters(clips: Iterable[tuple[str, np.ndarray, np.ndarray, np.ndarray]],
                       methods: Mapping[str, Inpainter] | None = None) -> pd.DataFrame:
    """clips: (name, frames uint8 (T,H,W,3), hole (T,H,W) 1 = masked, clean uint8 (T,H,W,3)).

    -> one row per (video, method): psnr, ssim (inside the hole), seconds, fps, hole_frac.
    """
    methods = dict(methods or default_methods())
    rows = []
    for name, frames, hole, clean in clips:
        for method, fn in methods.items():
            t0 = time.perf_counter()
            out = fn(frames, hole)
            dt = time.perf_counter() - t0
            rows.append(dict(video=name, method=method, psnr=hole_psnr(out, clean, hole),
                             ssim=hole_ssim(out, clean, hole), seconds=dt, fps=len(frames) / dt,
                             hole_frac=float((hole > 0).mean())))
    return pd.DataFrame(rows)


def minisynapt_clips(root: str | Path, items: Iterable[tuple[str, int]], masks: str | Path,
                     threshold: float = 0.5, dilation_iters: int = 4):
    """Yield (relpath, frames, hole, clean) for the listed videos that have oracle masks with plates."""
    from ppma_lib.data.video import open_video
    from ppma_lib.privacy.masks import person_hole
    from ppma_lib.privacy.segmenters.oracle import load_oracle

    for rel, _ in items:
        mask, clean = load_oracle(masks, rel)
        if clean is None:
            continue
        with open_video(Path(root) / rel) as v:
            frames = v.get(range(len(v))).numpy()
        yield rel, frames, person_hole(mask.astype(np.float32), threshold, dilation_iters), clean


def summarize(df: pd.DataFrame) -> pd.DataFrame:
    """Per method: mean PSNR / SSIM inside the hole and throughput, best PSNR first."""
    out = df.groupby("method")[["psnr", "ssim", "fps"]].mean()
    return out.sort_values("psnr", ascending=False)
