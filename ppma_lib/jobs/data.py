"""The data a profile runs on: MiniSynAPT (``smoke``: tiny, ``mini``: small) and its No-Human set.

The paper profile brings its own datasets (``params/paper/_datasets.yaml``); the two small profiles
generate theirs. :func:`ensure_minisynapt` is the one place that does it on demand, so every smoke
notebook also runs alone on a fresh clone; a matching dataset on disk is reused as is.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from ppma_lib.config import Experiment, make_run_dir

# profile -> (MiniSynAPT root, scale); the params files of these profiles point at the same roots
PROFILE_DATA: dict[str, tuple[str, str]] = {"smoke": ("data/smoke", "tiny"), "mini": ("data/mini", "small")}


def data_root(profile: str) -> Path:
    if profile not in PROFILE_DATA:
        raise ValueError(f"profile '{profile}' brings its own datasets (params/paper/_datasets.yaml); "
                         f"generated data exists for {sorted(PROFILE_DATA)}")
    return Path(PROFILE_DATA[profile][0])


STAND_INS = {"k400": "real"}  # PMG Tab. 12 fine-tunes on Kinetics-400: MiniSynAPT's `real`, with its own labels


def task_folder(task: str) -> str:
    """Report task key -> MiniSynAPT folder: ``ucf_like`` -> ``ucf``, ``k400`` -> ``real`` (a folder name
    passes through)."""
    return STAND_INS.get(task, task.removesuffix("_like"))


def task_lists(task: str, root: str | Path) -> tuple[str, str]:
    """(train list, val list) of a downstream task under a MiniSynAPT root."""
    folder = Path(root) / task_folder(task)
    return str(folder / "train.csv"), str(folder / "val.csv")


def ensure_minisynapt(profile: str, nohuman: bool = False, progress: bool = True) -> Path:
    """The profile's MiniSynAPT root, generated if missing (and its ``nohuman`` set when asked)."""
    from ppma_lib.minisynapt.writer import generate
    from ppma_lib.sections import MiniSynAPTConfig

    out, scale = PROFILE_DATA[profile] if profile in PROFILE_DATA else (None, None)
    if out is None:
        raise ValueError(f"profile '{profile}' does not generate data")
    generate(MiniSynAPTConfig(out=out, scale=scale))
    if nohuman:
        ensure_nohuman(profile, progress=progress)
    return Path(out)


def ensure_nohuman(profile: str, progress: bool = True) -> Path:
    """``<root>/nohuman`` made from ``<root>/real`` with the default privacy settings, if missing."""
    from ppma_lib.jobs.nohuman import remove_humans_from_set
    from ppma_lib.sections import PrivacyConfig

    root = data_root(profile)
    if not (root / "nohuman" / "train.csv").is_file() or not (root / "nohuman" / "val.csv").is_file():
        remove_humans_from_set(root, PrivacyConfig(), progress=progress)
    return root / "nohuman"


def ensure_frames(profile: str, folder: str | Path, progress: bool = True) -> Path:
    """``<root>/frames/<set>``: one random frame per train video of MiniSynAPT set or task ``<set>``
    (``ucf_like``, ``real``, ``nohuman`` ...), extracted if missing -> its ``list.txt``."""
    from ppma_lib.data.frames import LIST_NAME, extract_frames

    root = data_root(profile)
    folder = Path(folder)
    folder = folder.parent if folder.name == LIST_NAME else folder
    if folder.parent != root / "frames":
        raise ValueError(f"{folder}: generated frame folders are {root / 'frames'}/<set or task>")
    if not (folder / LIST_NAME).is_file():
        name = task_folder(folder.name)
        ensure_minisynapt(profile, nohuman=name == "nohuman", progress=progress)
        extract_frames(root / name / "train.csv", folder, progress=progress)
    return folder / LIST_NAME


MOTION_SUBSETS = "fd"  # <anything>/fd/<task>/<large|medium|small>.csv: PMG Tab. 13's subsets, made on first use


def ensure_motion_subsets(list_path: str | Path, profile: str, progress: bool = True) -> Path | None:
    """A ``.../fd/<task>/<subset>.csv`` list (PMG Tab. 13) made from the task's train list if missing (any
    profile: the paper's from ``params/paper/_datasets.yaml``) -> its path; ``None`` for other lists."""
    from ppma_lib.data.motion_subsets import SUBSETS, write_motion_subsets

    path = Path(list_path)
    if path.parent.parent.name != MOTION_SUBSETS or path.stem not in SUBSETS or path.suffix != ".csv":
        return None
    if not path.is_file():
        from ppma_lib.train.suite import task_data

        if profile in PROFILE_DATA:
            ensure_minisynapt(profile, progress=progress)
        task = task_data(path.parent.name, profile)
        (train,) = task["data.train_lists"]
        write_motion_subsets(train, path.parent, task["data.root"] or Path(train).parent, progress=progress)
    return path


def ensure_inputs(cfg: Experiment) -> None:
    """Generate the MiniSynAPT sets (and frame folders) a smoke/mini config reads, when they are missing
    (not for paper), and PMG Tab. 13's frame-difference subsets of a task (every profile)."""
    for p in cfg.data.train_lists:
        ensure_motion_subsets(p, cfg.run.profile, progress=cfg.train.progress)
    if cfg.run.profile not in PROFILE_DATA:
        return
    lists = [*cfg.data.train_lists, *cfg.data.val_lists]
    root = data_root(cfg.run.profile)
    if any(Path(p).is_relative_to(root) and not Path(p).is_file() for p in lists):
        ensure_minisynapt(cfg.run.profile, nohuman=any("/nohuman/" in p for p in lists), progress=cfg.train.progress)
    specs = ([cfg.pmg.image_source] if cfg.pmg.enabled else []) + (list(cfg.pmg.aug_sources) if cfg.pmg.aug_ratio > 0 else [])
    for spec in specs:  # frame folders of generated sets (PMG on frames, PMG-Aug sources)
        source = spec.removeprefix("folder:")
        if source != spec and Path(source).is_relative_to(root / "frames"):
            ensure_frames(cfg.run.profile, source, progress=cfg.train.progress)


# --------------------------------------------------------------------------------------------------
# the data job (book/01_data.ipynb)
# --------------------------------------------------------------------------------------------------
def make_data(cfg: Experiment) -> dict[str, Any]:
    """Generate MiniSynAPT as ``cfg.minisynapt`` says; the manifest is also the run's summary.json."""
    from ppma_lib.minisynapt.writer import generate

    run_dir = make_run_dir(cfg)
    manifest = json.loads(generate(cfg.minisynapt).read_text())
    (run_dir / "summary.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


def sets_table(manifest: dict[str, Any]) -> pd.DataFrame:
    """One row per set / task: what it stands for, classes, clips per split, scene bias knobs."""
    rows = [dict(set=name, like=s["like"], kind=s["kind"], pretrain=s["pretrain"], classes=len(s["classes"]),
                 train=s["train"], val=s["val"], own_context=s.get("own_context"))
            for name, s in manifest["sets"].items()]
    return pd.DataFrame(rows).set_index("set")


def bias_table(root: str | Path) -> pd.DataFrame:
    """``bias.json`` as a table: static (appearance) vs motion-aware baseline accuracy per task."""
    bias = json.loads((Path(root) / "bias.json").read_text())
    df = pd.DataFrame(bias).T
    cols = [c for c in ("static_acc", "motion_acc", "chance") if c in df]
    df = df[cols + [c for c in df if c not in cols]].astype(float)
    if {"static_acc", "motion_acc"} <= set(df):
        df["motion_gain"] = df["motion_acc"] - df["static_acc"]
    df.index.name = "task"
    return df.round(3)
