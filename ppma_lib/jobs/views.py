"""Views of a finished run for the experiment notebooks: its metrics, curves and reconstructions."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Sequence

import pandas as pd

from ppma_lib.config import Experiment


def read_metrics(run_dir: str | Path, kind: str = "train") -> pd.DataFrame:
    """``metrics.jsonl`` records of one kind (``train`` per epoch, ``eval``) as a frame indexed by epoch."""
    path = Path(run_dir) / "metrics.jsonl"
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()] if path.is_file() else []
    df = pd.DataFrame([r for r in rows if r.get("kind") == kind])
    return df.drop(columns=["kind"]).set_index("epoch") if len(df) else df


def loss_figure(run_dir: str | Path, title: str = ""):  # -> matplotlib.figure.Figure
    """Training loss per epoch; for alignment also each source's loss (``loss/<source>``), and the lr."""
    import matplotlib.pyplot as plt

    df = read_metrics(run_dir)
    if df.empty:
        raise FileNotFoundError(f"no training records in {Path(run_dir) / 'metrics.jsonl'}")
    losses = ["loss"] + sorted(c for c in df if c.startswith("loss/"))
    fig, (ax, lx) = plt.subplots(1, 2, figsize=(8, 2.8))
    for c in losses:
        ax.plot(df.index, df[c], marker="o", ms=3, label=c.removeprefix("loss/") if "/" in c else "all")
    ax.set_xlabel("epoch"), ax.set_ylabel("training loss"), ax.legend(fontsize=8)
    lx.plot(df.index, df["lr"], marker="o", ms=3, color="gray")
    lx.set_xlabel("epoch"), lx.set_ylabel("lr (last step)")
    fig.suptitle(title or Path(run_dir).name)
    fig.tight_layout()
    return fig


def summary_table(run_dirs: Sequence[str | Path], keys: Sequence[str] = ("task", "epochs", "final_loss", "top1",
                                                                         "wall_time_s")) -> pd.DataFrame:
    """One row per run from its ``summary.json`` (runs without one are left out)."""
    rows = []
    for d in map(Path, run_dirs):
        if (d / "summary.json").is_file():
            s = json.loads((d / "summary.json").read_text())
            rows.append({"run": d.name, **{k: s.get(k) for k in keys}})
    return pd.DataFrame(rows).set_index("run") if rows else pd.DataFrame()


def reconstruction_figure(cfg: Experiment, n: int = 2, frames: int = 4, seed: int = 0):  # -> Figure
    """MAE reconstructions of ``n`` val (else train) clips of ``cfg``'s first list by its ``last.pt``:
    rows original / masked input / reconstruction, ``frames`` time steps each (MAE Fig. 2 style)."""
    import dataclasses

    import matplotlib.pyplot as plt
    import numpy as np
    import torch

    from ppma_lib.data.datasets import VideoDataset
    from ppma_lib.models.build import build_model
    from ppma_lib.models.checkpoints import load_checkpoint
    from ppma_lib.models.reconstruct import render_reconstruction

    d = cfg.data
    model = build_model(dataclasses.replace(cfg.model, repeat_masks=1), num_frames=d.num_frames,
                        img_size=d.crop_size, mean=d.mean, std=d.std)
    load_checkpoint(model, cfg.run_dir / "last.pt")
    path = (d.val_lists or d.train_lists)[0]
    root = d.root or str(Path(path).parent)
    data = VideoDataset.from_list(path, root, d, mode="eval", num_clips=1, num_crops=1, seed=seed)
    x = torch.cat([data[i]["video"] for i in range(min(n, len(data)))])  # (n, C, T, H, W)
    rec = render_reconstruction(model, x, torch.Generator().manual_seed(seed))
    t_idx = np.linspace(0, x.shape[2] - 1, frames).round().astype(int)
    rows = [("original", rec.original), ("masked", rec.masked), ("reconstruction", rec.reconstruction)]
    fig, axes = plt.subplots(len(rows) * len(x), frames, figsize=(1.3 * frames, 1.3 * len(rows) * len(x)),
                             squeeze=False)
    for i in range(len(x)):
        for r, (name, video) in enumerate(rows):
            for c, t in enumerate(t_idx):
                ax = axes[i * len(rows) + r, c]
                ax.imshow(video[i, :, t].permute(1, 2, 0).numpy(), interpolation="nearest")
                ax.set_xticks([]), ax.set_yticks([])
                if c == 0:
                    ax.set_ylabel(name, fontsize=7)
    fig.suptitle(f"{cfg.run.name}: mask ratio {cfg.model.mask_ratio} ({cfg.model.mask_type})", fontsize=9)
    fig.tight_layout()
    return fig
