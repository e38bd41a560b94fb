"""Subsets of a video list by mean frame difference (PMG §4.7, Tab. 13).

PMG's test of what VideoMAE learns: pre-train on the videos whose average frame difference is (i) in the
top 50 %, (ii) between the 25th and 75th percentile, (iii) in the bottom 50 %, then fine-tune on the full
set. A video's score is the mean absolute difference of consecutive frames (RGB, 0-255), over all pixels
and all pairs of its first ``max_frames`` frames, on frames downscaled to ``side`` px on their shorter side
(the camera-motion signal, not sensor noise).

    ppma make-data fd-subsets ppma_lib/benchmarks/synapt/hmdb51/train.csv --root data/hmdb51 --out data/fd/hmdb_like

writes ``OUT/large.csv``, ``OUT/medium.csv``, ``OUT/small.csv`` (``path;label``, paths relative to OUT, so a
run reads them with ``data.root: ""``) and ``OUT/scores.csv`` (every video's score). Unreadable videos are
left out of all three and counted.
"""
from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ppma_lib.atomic import write_text_atomic

if TYPE_CHECKING:
    import torch

# subset -> percentile range [low, high) of the mean frame difference (PMG Tab. 13 rows i-iii)
SUBSETS: dict[str, tuple[int, int]] = {"large": (50, 100), "medium": (25, 75), "small": (0, 50)}
SCORES = "scores.csv"


def frame_difference(frames: "torch.Tensor", side: int = 64) -> float:
    """uint8 frames (T, H, W, C) -> mean |frame[t+1] - frame[t]| (0-255) after scaling the shorter side to ``side``."""
    import torch.nn.functional as F

    if frames.shape[0] < 2:
        return 0.0
    x = frames.permute(0, 3, 1, 2).float()  # (T, C, H, W)
    scale = side / min(x.shape[-2:])
    if scale < 1:
        x = F.interpolate(x, scale_factor=scale, mode="area")
    return float((x[1:] - x[:-1]).abs().mean())


def video_score(path: str | os.PathLike, max_frames: int = 64, side: int = 64) -> float:
    """The mean frame difference of the first ``max_frames`` frames of one video (raises VideoReadError)."""
    from ppma_lib.data.video import open_video

    with open_video(path) as reader:
        return frame_difference(reader.get(range(min(len(reader), max_frames))), side)


def percentile_subsets(scores: np.ndarray) -> dict[str, np.ndarray]:
    """Scores (N,) -> subset name -> indices of the videos in it (by rank, ties broken by list order)."""
    order = np.argsort(scores, kind="stable")  # ascending: rank r is the r-th smallest difference
    n = len(order)
    return {name: np.sort(order[round(n * lo / 100):round(n * hi / 100)]) for name, (lo, hi) in SUBSETS.items()}


def write_motion_subsets(list_path: str | os.PathLike, out: str | os.PathLike, root: str | os.PathLike | None = None,
                         max_frames: int = 64, side: int = 64, workers: int = 1, progress: bool = True) -> Path:
    """Score every video of ``list_path`` and write the three subset lists under ``out`` -> ``out``.

    Args:
        root: the folder the list's paths are relative to (default: the list's own folder).
    Reuses an earlier complete run on the same list (``out/subsets.json``).
    """
    from concurrent.futures import ThreadPoolExecutor

    from tqdm.auto import tqdm

    from ppma_lib.data.lists import list_sha256, read_list, write_list
    from ppma_lib.data.video import VideoReadError

    list_path, out = Path(list_path), Path(out)
    root = Path(root) if root is not None else list_path.parent
    stamp = {"list": str(list_path), "root": str(root), "max_frames": max_frames, "side": side,
             "list_sha": list_sha256(list_path)}
    done = out / "subsets.json"
    if done.is_file() and {k: v for k, v in json.loads(done.read_text()).items() if k in stamp} == stamp:
        return out
    items = read_list(list_path)

    def score(item: tuple[str, int]) -> float | str:
        try:
            return video_score(root / item[0], max_frames, side)
        except VideoReadError as e:
            return str(e)

    with ThreadPoolExecutor(max(1, workers)) as pool:  # decoders release the GIL
        results = list(tqdm(pool.map(score, items), total=len(items), desc=f"frame differences of {list_path.name}",
                            unit="video", disable=not progress))
    kept = [(item, s) for item, s in zip(items, results) if isinstance(s, float)]
    skipped = {item[0]: s for item, s in zip(items, results) if isinstance(s, str)}
    if len(kept) < 2:
        raise ValueError(f"{list_path}: {len(kept)} readable videos under {root}; need two or more to split")
    out.mkdir(parents=True, exist_ok=True)
    rel = [(os.path.relpath(Path(root) / p, out), label) for (p, label), _ in kept]  # relative to the subset lists
    scores = np.array([s for _, s in kept])
    sizes = {}
    for name, idx in percentile_subsets(scores).items():
        write_list(out / f"{name}.csv", [rel[i] for i in idx])
        sizes[name] = {"videos": len(idx), "mean_difference": float(scores[idx].mean())}
    write_text_atomic(out / SCORES, "path;label;frame_difference\n" + "".join(
        f"{p};{label};{s:.4f}\n" for (p, label), s in zip(rel, scores)))
    write_text_atomic(done, json.dumps(stamp | {"subsets": sizes, "skipped": skipped}, indent=1) + "\n")
    return out


# --------------------------------------------------------------------------------------------------
# ppma make-data fd-subsets
# --------------------------------------------------------------------------------------------------
def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("list", type=Path, help="list file of videos (`path label` or `path;label`)")
    p.add_argument("--out", type=Path, required=True, help="output folder of large.csv, medium.csv, small.csv")
    p.add_argument("--root", type=Path, default=None, help="folder the list's paths are relative to (default: its own)")
    p.add_argument("--max-frames", type=int, default=64, help="frames scored per video, from its start")
    p.add_argument("--side", type=int, default=64, help="shorter side the frames are scaled to before differencing")
    p.add_argument("--workers", type=int, default=4, help="videos decoded in parallel (threads)")


def run(args: argparse.Namespace) -> int:
    out = write_motion_subsets(args.list, args.out, args.root, args.max_frames, args.side, args.workers)
    info = json.loads((out / "subsets.json").read_text())
    for name, s in info["subsets"].items():
        lo, hi = SUBSETS[name]
        print(f"{name:>6} (percentiles {lo}-{hi}): {s['videos']} videos, mean frame difference "
              f"{s['mean_difference']:.2f} -> {out / (name + '.csv')}")
    if info["skipped"]:
        print(f"{len(info['skipped'])} unreadable videos left out")
    return 0
