"""No-Human MiniSynAPT (PPMA §3.1, App. B): the ``real`` set with its actors removed, as ``nohuman``.

The dataset pass (:func:`ppma_lib.privacy.remove_humans_from_list`) runs once over train + val, so one
``audit.csv`` covers every video; the train and val lists of ``nohuman`` keep the videos that passed
the audit (fail-closed). The oracle segmenter reads the generator's actor masks (``real/masks``).
"""
from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path
from typing import Any

import pandas as pd

from ppma_lib.config import Experiment, make_run_dir
from ppma_lib.sections import PrivacyConfig

SOURCE, TARGET = "real", "nohuman"


def remove_humans_from_set(root: str | Path, cfg: PrivacyConfig, progress: bool = True) -> dict[str, Any]:
    """``<root>/real`` -> ``<root>/nohuman`` (videos, audit.csv, summary.json, train/val lists, labels)."""
    from ppma_lib.data.lists import read_list, write_list
    from ppma_lib.privacy.dataset_pass import output_relpath, remove_humans_from_list

    src, out = Path(root) / SOURCE, Path(root) / TARGET
    if cfg.segmenter == "oracle" and not cfg.masks:
        cfg = dataclasses.replace(cfg, masks=str(src / "masks"))
    splits = {s: read_list(src / f"{s}.csv") for s in ("train", "val")}
    summary = remove_humans_from_list([i for items in splits.values() for i in items], src, out, cfg,
                                      list_name="all.csv", progress=progress)
    kept = {rel for rel, _ in read_list(out / "all.csv")}
    for split, items in splits.items():
        write_list(out / f"{split}.csv", [(output_relpath(rel), y) for rel, y in items if output_relpath(rel) in kept],
                   fmt="semicolon")
    shutil.copy2(src / "labels.tsv", out / "labels.tsv")
    return summary


def remove_humans_job(cfg: Experiment) -> dict[str, Any]:
    """The ``nohuman`` run: the dataset pass on ``cfg.minisynapt.out`` with ``cfg.privacy``; summary.json."""
    run_dir = make_run_dir(cfg)
    summary = remove_humans_from_set(cfg.minisynapt.out, cfg.privacy, progress=cfg.train.progress)
    summary = {**summary, "root": str(Path(cfg.minisynapt.out) / TARGET)}
    (run_dir / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    return summary


def audit_table(root: str | Path) -> pd.DataFrame:
    """PPMA App. B from ``audit.csv``: videos fully cleaned vs with residual people, in % of processed."""
    table = pd.read_csv(Path(root) / TARGET / "audit.csv")
    done = table[table["status"] == "done"]
    passed = done["audit_passed"].astype(bool)
    rows = {"removed completely": int(passed.sum()), "residual people": int((~passed).sum())}
    df = pd.DataFrame({"videos": rows})
    df["percent"] = (100 * df["videos"] / max(len(done), 1)).round(1)
    return df


def quality_table(root: str | Path, n: int = 8, privacy: PrivacyConfig = PrivacyConfig()) -> pd.DataFrame:
    """PSNR / SSIM inside the hole against the true background: ours vs Telea-only vs temporal median,
    on the first ``n`` val clips of ``real`` (the generator knows the clean plate)."""
    from ppma_lib.data.lists import read_list
    from ppma_lib.privacy.quality import compare_inpainters, default_methods, minisynapt_clips, summarize
    from ppma_lib.privacy.remove import inpaint_kwargs

    src = Path(root) / SOURCE
    items = read_list(src / "val.csv")[:n]
    clips = minisynapt_clips(src, items, src / "masks", privacy.threshold, privacy.dilation_iters)
    df = compare_inpainters(clips, default_methods(**inpaint_kwargs(privacy)))
    return summarize(df).round(3)


def removal_figure(root: str | Path, index: int = 0, privacy: PrivacyConfig = PrivacyConfig()):
    """Before / after strip of one val clip of ``real``: input (hole outlined), our output, true background."""
    from ppma_lib.data.lists import read_list
    from ppma_lib.privacy.inpaint import inpaint_video
    from ppma_lib.privacy.pictures import before_after
    from ppma_lib.privacy.quality import minisynapt_clips
    from ppma_lib.privacy.remove import inpaint_kwargs

    src = Path(root) / SOURCE
    items = read_list(src / "val.csv")[index:index + 1]
    rel, frames, hole, clean = next(minisynapt_clips(src, items, src / "masks", privacy.threshold,
                                                     privacy.dilation_iters))
    out = inpaint_video(frames, hole, **inpaint_kwargs(privacy))
    return before_after(frames, out, hole, clean, n=4, title=rel)
