"""Speed measurements for the book's performance appendix: ``ppma bench`` files and pipeline timings.

Each ``ppma bench <name> --json outputs/bench/<name>.json`` writes its own layout (see the bench
modules); :func:`bench_table` turns each into one flat table, with a line of context (machine,
sizes) in ``attrs["context"]``. ``ppma reproduce`` writes ``outputs/<profile>/pipeline.json``:
seconds per run, the last time each ran.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable

import pandas as pd

BENCHES = {  # name -> (what it measures, the command that writes it)
    "data": ("video decoding: decord vs PyAV vs frame folders, one worker",
             "ppma bench data --json outputs/bench/data.json"),
    "pmg": ("pseudo-motion generation: our kernels vs a per-frame PIL recursion",
            "ppma bench pmg --json outputs/bench/pmg.json"),
    "train": ("training step time, clips/s and MFU per task",
              "ppma bench train --json outputs/bench/train.json"),
    "privacy": ("human removal: frames/s per core at 240p, inpainting quality",
                "ppma bench privacy --json outputs/bench/privacy.json"),
}


def _root(root: str | Path | None) -> Path:
    from ppma_lib.book import find_root

    return Path(root) if root is not None else find_root()


def _data(doc: dict[str, Any]) -> tuple[pd.DataFrame, str]:
    c = doc.get("config", {})
    context = (f"{c.get('clips')} clips of {c.get('frames')} frames at stride {c.get('stride')} from a "
               f"{c.get('size')} video of {c.get('video_frames')} frames")
    df = pd.DataFrame(doc["results"])
    df["MB"] = df.pop("bytes") / 1e6
    return df, context


def _pmg(doc: dict[str, Any]) -> tuple[pd.DataFrame, str]:
    rows = [{"device": "CPU", "method": k, "videos_per_s": v} for k, v in doc.get("cpu", {}).items()]
    device = doc.get("gpu_name", doc.get("grid_sample_device", ""))
    rows += [{"device": device, "method": k, "videos_per_s": v} for k, v in doc.get("grid_sample", {}).items()]
    df = pd.DataFrame(rows)
    naive = df.loc[df["method"].str.startswith("naive"), "videos_per_s"]
    if len(naive):
        df["x_naive_cpu"] = df["videos_per_s"] / naive.iloc[0]
    context = (f"{doc.get('frames')} frames of {doc.get('size')}² px, transforms {', '.join(doc.get('transforms', []))}; "
               f"{doc.get('cpu_threads')} CPU threads, load average {doc.get('load_average', float('nan')):.1f}")
    return df, context


def _train(doc: dict[str, Any]) -> tuple[pd.DataFrame, str]:
    cols = ["task", "model", "input", "batch_clips", "amp", "compile", "step_ms", "clips_per_s", "achieved_tflops",
            "mfu", "max_mem_gib", "params"]
    df = pd.DataFrame(doc["rows"])
    return df[[c for c in cols if c in df]], f"{doc.get('device')}, torch {doc.get('torch')}"


def _privacy(doc: dict[str, Any]) -> tuple[pd.DataFrame, str]:
    rows = []
    for scene, s in doc.get("scenes", {}).items():
        rows.append({"scene": scene, "end_to_end_fps": s["fps_end_to_end"],
                     **{f"{k}_fps": v for k, v in s["fps"].items()}, "hole_%": 100 * s["hole_frac"],
                     "psnr_ours_db": s["psnr_ours"], "psnr_telea_db": s["psnr_telea"]})
    context = (f"{doc.get('width')}x{doc.get('height')} px, {doc.get('frames')} frames, flow preset "
               f"{doc.get('preset')}, {doc.get('threads')} thread")
    return pd.DataFrame(rows), context


_READERS: dict[str, Callable[[dict[str, Any]], tuple[pd.DataFrame, str]]] = {
    "data": _data, "pmg": _pmg, "train": _train, "privacy": _privacy}


def bench_table(name: str, root: str | Path | None = None) -> pd.DataFrame | None:
    """``outputs/bench/<name>.json`` as a table (context line in ``attrs["context"]``), None if absent."""
    if name not in _READERS:
        raise KeyError(f"unknown bench {name!r}; choose from {sorted(_READERS)}")
    path = _root(root) / "outputs" / "bench" / f"{name}.json"
    if not path.is_file():
        return None
    df, context = _READERS[name](json.loads(path.read_text()))
    df.attrs["context"] = context
    return df


def bench_view(name: str, root: str | Path | None = None):
    """What the performance page shows for one bench: the table (one decimal) or how to make it."""
    from IPython.display import Markdown

    df = bench_table(name, root)
    what, command = BENCHES[name]
    if df is None:
        return Markdown(f"*Not measured on this machine yet* ({what}): run `{command}`.")
    return df.style.format(precision=1, na_rep="—").set_caption(df.attrs["context"]).hide(axis="index")


def pipeline_timings(profile: str, root: str | Path | None = None) -> pd.DataFrame:
    """``outputs/<profile>/pipeline.json`` as rows: run, status, seconds, share of the total, notebook.
    Empty (same columns) when ``ppma reproduce --profile <profile>`` has not run here."""
    path = _root(root) / "outputs" / profile / "pipeline.json"
    cols = ["run", "status", "seconds", "share", "notebook"]
    if not path.is_file():
        return pd.DataFrame(columns=cols)
    runs = json.loads(path.read_text()).get("runs", {})
    df = pd.DataFrame([{"run": k, "status": v.get("status"), "seconds": float(v.get("seconds") or 0.0),
                        "notebook": v.get("notebook")} for k, v in runs.items()])
    total = df["seconds"].sum()
    df["share"] = df["seconds"] / total if total > 0 else 0.0
    return df[cols].sort_values("seconds", ascending=False, ignore_index=True)


def run_costs(profile: str, root: str | Path | None = None) -> pd.DataFrame:
    """What each training run of a profile cost, from its ``summary.json``: wall time, clips/s, size."""
    from ppma_lib.report.results import collect

    cols = ["run", "train_task", "epochs", "wall_time_s", "clips_per_s", "params_total"]
    return collect(profile, root)[cols].sort_values("wall_time_s", ascending=False, ignore_index=True)


def pipeline_view(profile: str, root: str | Path | None = None):
    """The pipeline timings as a table, or how to make them."""
    from IPython.display import Markdown

    df = pipeline_timings(profile, root)
    if df.empty:
        return Markdown(f"*No pipeline has run at the {profile} profile here:* `ppma reproduce --profile {profile}` "
                        f"writes `outputs/{profile}/pipeline.json`.")
    return df.style.format({"seconds": "{:.1f}", "share": "{:.0%}"}, na_rep="—").hide(axis="index")
