"""Dataset pass: remove humans from every video of a list, audit each output, write a new list.

How No-Human Kinetics was made (PPMA §3.1), as a resumable batch job:

    <out>/<relpath>.mp4                    the no-human video (same relpath, mp4)
    <out>/.ppma-privacy/<relpath>.mp4.json its record: shape, hole size, timing and audit
    <out>/audit.csv, <out>/summary.json    all records; % of videos fully cleaned (as PPMA App. B)
    <out>/<list name>                      the new list (videos failing the audit left out if fail-closed)

A video is done only once its record is written and its video renamed into place (``write_video``
writes a temp file and renames it), so an interrupted pass resumes where it stopped. Unreadable
inputs are skipped, counted and listed. Workers are processes, one video each at a time.
"""
from __future__ import annotations

import json
import multiprocessing as mp
import time
import traceback
from pathlib import Path
from typing import Any, Iterable

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from ppma_lib.atomic import write_text_atomic
from ppma_lib.privacy.audit import Auditor
from ppma_lib.privacy.remove import remove_humans
from ppma_lib.privacy.segment import Segmenter, make_segmenter
from ppma_lib.sections.privacy import PrivacyConfig

RECORDS = ".ppma-privacy"


def output_relpath(rel: str) -> str:
    """Same relpath with an .mp4 extension (frame folders get one appended)."""
    from ppma_lib.data.video import VIDEO_EXTENSIONS

    p = Path(rel)
    return str(p.with_suffix(".mp4") if p.suffix.lower() in VIDEO_EXTENSIONS else p.with_name(p.name + ".mp4"))


def segmenter_kwargs(cfg: PrivacyConfig) -> dict[str, Any]:
    if cfg.segmenter == "oracle":
        return {"masks": cfg.masks}
    if cfg.segmenter == "torchvision":
        return {"model": cfg.torchvision_model}
    return {}


# --------------------------------------------------------------------------------------------------
# one video
# --------------------------------------------------------------------------------------------------
class Remover:
    """Everything one worker needs: the segmenter, the auditor and where files go."""

    def __init__(self, cfg: PrivacyConfig, root: str | Path, out: str | Path) -> None:
        self.cfg, self.root, self.out = cfg, Path(root), Path(out)
        self.segmenter: Segmenter = make_segmenter(cfg.segmenter, **segmenter_kwargs(cfg))
        # the oracle cannot re-segment its own output: audit with the clean plate when the mask file
        # has one, else with the independent OpenCV people detector
        detector = make_segmenter("opencv") if cfg.segmenter == "oracle" else self.segmenter
        self.auditor = Auditor(detector, cfg.threshold, cfg.audit_tol, cfg.audit_diff, cfg.audit_faces,
                               cfg.audit_stride)

    def record_path(self, out_rel: str) -> Path:
        return self.out / RECORDS / f"{out_rel}.json"

    def done(self, rel: str) -> dict | None:
        """The stored record when this video's output is complete, else None."""
        out_rel = output_relpath(rel)
        rec = self.record_path(out_rel)
        if (self.out / out_rel).is_file() and rec.is_file():
            return json.loads(rec.read_text())
        return None

    def __call__(self, rel: str, label: int) -> dict:
        from ppma_lib.data.video import VideoReadError, open_video, write_video
        from ppma_lib.privacy.segment import SegmenterUnavailable

        out_rel = output_relpath(rel)
        record: dict[str, Any] = dict(video=rel, output=out_rel, label=label, status="done", error="")
        t0 = time.perf_counter()
        try:
            with open_video(self.root / rel) as v:
                frames, fps = v.get(range(len(v))).numpy(), float(v.fps)
        except VideoReadError as e:
            return {**record, "status": "unreadable", "error": str(e)}
        try:
            clean, person = self._plate(rel, frames.shape)
            out, hole = remove_humans(frames, self.segmenter, self.cfg, video=rel)
            audit = self.auditor(out, video=rel, original=frames, clean=clean, person=person)
        except SegmenterUnavailable as e:
            return {**record, "status": "error", "error": str(e)}
        T, H, W = frames.shape[:3]
        record.update(frames=T, height=H, width=W, fps=fps, hole_frac=float(hole.mean()),
                      seconds=time.perf_counter() - t0, **{f"audit_{k}": v for k, v in audit.to_dict().items()})
        _write_json(self.record_path(out_rel), record)  # record first: video present => record present
        write_video(self.out / out_rel, out[:, : H - H % 2, : W - W % 2], fps)  # H.264 4:2:0: even sizes
        return record

    def _plate(self, rel: str, shape: tuple[int, ...]) -> tuple[np.ndarray | None, np.ndarray | None]:
        """(clean background, person mask) for the clean-plate audit, when the oracle has them."""
        if self.cfg.segmenter != "oracle":
            return None, None
        from ppma_lib.privacy.segmenters.oracle import load_oracle

        mask, clean = load_oracle(self.cfg.masks, rel)
        return (clean, mask) if clean is not None and clean.shape == shape else (None, None)


def _write_json(path: Path, obj: dict) -> None:
    write_text_atomic(path, json.dumps(obj, indent=1))


# --------------------------------------------------------------------------------------------------
# worker processes
# --------------------------------------------------------------------------------------------------
_WORKER: Remover | None = None  # one per worker process, built by _init_worker


def _init_worker(cfg: PrivacyConfig, root: str, out: str) -> None:
    global _WORKER
    import cv2
    import torch

    cv2.setNumThreads(1)  # one core per worker: workers are the parallelism
    torch.set_num_threads(1)
    _WORKER = Remover(cfg, root, out)


def _run_one(item: tuple[str, int]) -> dict:
    return _safe_call(_WORKER, item)


def _safe_call(remover: Remover, item: tuple[str, int]) -> dict:
    try:
        return remover(*item)
    except Exception as e:  # one bad video must not stop a dataset pass
        return dict(video=item[0], output=output_relpath(item[0]), label=item[1], status="error",
                    error=f"{type(e).__name__}: {e}\n{traceback.format_exc(limit=3)}")


# --------------------------------------------------------------------------------------------------
# the pass
# --------------------------------------------------------------------------------------------------
def remove_humans_from_list(items: Iterable[tuple[str, int]], root: str | Path, out: str | Path,
                            cfg: PrivacyConfig = PrivacyConfig(), list_name: str = "list.csv",
                            progress: bool = True) -> dict[str, Any]:
    """Process (relpath, label) items; write videos, records, audit.csv, summary.json and the list.

    Returns the summary (also written to ``<out>/summary.json``).
    """
    from ppma_lib.data.lists import write_list

    items, out = list(items), Path(out)
    if out.resolve() == Path(root).resolve():
        raise ValueError(f"--out must differ from --root ({out}): outputs keep the inputs' relpaths")
    out.mkdir(parents=True, exist_ok=True)
    remover = Remover(cfg, root, out)  # fails fast on a missing model or mask folder
    records: dict[str, dict] = {}
    todo = []
    for rel, label in items:
        rec = remover.done(rel)
        if rec is not None:
            records[rel] = {**rec, "resumed": True}
        else:
            todo.append((rel, label))
    bar = tqdm(total=len(items), initial=len(records), desc="remove humans", unit="video", disable=not progress)
    if cfg.workers == 1 or len(todo) <= 1:
        pool, results = None, (_safe_call(remover, item) for item in todo)
    else:
        # spawn, not fork: a forked child inherits OpenCV's and torch's thread pools and can hang
        pool = mp.get_context("spawn").Pool(cfg.workers, _init_worker, (cfg, str(root), str(out)))
        results = pool.imap_unordered(_run_one, todo)
    try:
        for rec in results:
            records[rec["video"]] = rec
            bar.update()
            bar.set_postfix(failed_audit=sum(not r.get("audit_passed", True) for r in records.values()),
                            unreadable=sum(r["status"] == "unreadable" for r in records.values()))
    finally:
        bar.close()
        if pool is not None:
            pool.terminate()
    table = pd.DataFrame([records[rel] for rel, _ in items if rel in records])
    table.to_csv(out / "audit.csv", index=False)
    keep = [(r["output"], r["label"]) for r in table.to_dict("records")
            if r["status"] == "done" and (r["audit_passed"] or not cfg.fail_closed)]
    list_path = write_list(out / list_name, keep, fmt="semicolon")
    summary = summarize(table, cfg.fail_closed)
    summary["list"] = str(list_path)
    _write_json(out / "summary.json", summary)
    return summary


def summarize(table: pd.DataFrame, fail_closed: bool) -> dict[str, Any]:
    """Counts and the % of processed videos fully cleaned (the number PPMA App. B reports: 96.3%)."""
    if len(table) == 0:
        table = pd.DataFrame(columns=["video", "status", "audit_passed"])
    status = table["status"]
    done = table[status == "done"]
    passed = int(done["audit_passed"].sum()) if len(done) else 0
    return dict(
        videos=len(table), processed=len(done), unreadable=int((status == "unreadable").sum()),
        errors=int((status == "error").sum()),
        resumed=int(table["resumed"].fillna(False).astype(bool).sum()) if "resumed" in table else 0,
        passed=passed, failed_audit=len(done) - passed,
        pct_fully_removed=100.0 * passed / len(done) if len(done) else None,
        unreadable_videos=table.loc[status == "unreadable", "video"].tolist(),
        fail_closed=fail_closed,
    )
