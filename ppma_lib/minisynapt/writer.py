"""Generate MiniSynAPT on disk in the benchmark's own formats.

Layout under ``out`` (list paths are relative to the set's folder, PPMA style)::

    manifest.json  bias.json
    <set>/videos/<class>/<set>_<split>_<index>.mp4    H.264, written by ppma_lib.data.video.write_video
    <set>/train.csv  <set>/val.csv                     "relpath;label" (ppma_lib.data.lists.write_list)
    <set>/labels.tsv                                   "id<TAB>class"
    real/masks/<relpath without extension>.npz         mask uint8 (T,H,W) 1 = actor pixel; clean uint8 (T,H,W,3)

Clip ``i`` of set ``s`` is drawn from ``numpy.random.default_rng([seed, crc32(s), 0, i])``, its
actor identity from ``[seed, crc32(s), 1, subject]``: no state passes between clips, so the
bytes do not depend on the number of workers or on which sets are generated. Train and val
clips use disjoint actor identities (cross-subject splits, as UAV-Human and IkeaFA).
"""
from __future__ import annotations

import json
import multiprocessing as mp
import time
import zlib
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Iterable

import numpy as np

from ppma_lib.atomic import atomic_path, write_text_atomic
from ppma_lib.sections import MiniSynAPTConfig

VERSION = 1
ENCODER = {"threads": "1", "preset": "veryfast"}  # one thread: the H.264 bitstream is the same everywhere
BIAS_CLIPS = 30  # clips per class the bias probe sees (stored clips, topped up with unsaved ones)


@dataclass(frozen=True)
class Job:
    set: str
    split: str
    label: int
    index: int  # within the set (train and val together)
    relpath: str


def set_key(name: str) -> int:
    return zlib.crc32(name.encode())


def clip_rng(seed: int, name: str, index: int) -> np.random.Generator:
    return np.random.default_rng([seed, set_key(name), 0, index])


def plan(name: str, scale_name: str) -> list[Job]:
    """Every clip of one set, in list order: split, then class, then clip."""
    from ppma_lib.minisynapt.tasks import SCALES, SPECS, class_names, split_sizes

    spec, scale = SPECS[name], SCALES[scale_name]
    names = class_names(spec, scale)
    jobs, index = [], 0
    for split, n in split_sizes(spec, scale).items():
        for label, cls in enumerate(names):
            for _ in range(n):
                jobs.append(Job(name, split, label, index, f"videos/{cls}/{name}_{split}_{index:05d}.mp4"))
                index += 1
    return jobs


def subject_of(job: Job, scale_name: str, seed: int) -> int:
    """The actor identity of a clip: train clips draw from the first identities, val from the rest."""
    from ppma_lib.minisynapt.tasks import SCALES

    n_train, n_val = SCALES[scale_name].subjects
    rng = np.random.default_rng([seed, set_key(job.set), 2, job.index])
    return int(rng.integers(n_train)) if job.split == "train" else n_train + int(rng.integers(n_val))


def render_job(job: Job, scale_name: str, seed: int):  # -> clips.Clip
    """The clip of a job, before encoding (tests compare masks on these exact pixels)."""
    from ppma_lib.minisynapt.actors import sample_body
    from ppma_lib.minisynapt.clips import render
    from ppma_lib.minisynapt.tasks import SCALES, SPECS

    spec, scale = SPECS[job.set], SCALES[scale_name]
    identity = np.random.default_rng([seed, set_key(job.set), 1, subject_of(job, scale_name, seed)])
    body = sample_body(identity, spec.style)
    return render(spec, job.label, scale.size, scale.frames, clip_rng(seed, job.set, job.index), body)


def bias_jobs(name: str, scale_name: str) -> list[Job]:
    """Unsaved clips that top a task up to BIAS_CLIPS clips per class for the bias probe.

    Tiny stores 8 clips per class, too few for a stable accuracy; the probe measures the task's
    generator, of which the stored clips are one sample, so more clips of it are as good."""
    from ppma_lib.minisynapt.tasks import SCALES, SPECS, class_names, split_sizes

    spec, scale = SPECS[name], SCALES[scale_name]
    stored = sum(split_sizes(spec, scale).values())
    extra, index = [], stored * len(class_names(spec, scale))
    for label in range(len(class_names(spec, scale))):
        for _ in range(max(0, BIAS_CLIPS - stored)):
            extra.append(Job(name, "train", label, index, ""))
            index += 1
    return extra


def _write(args: tuple[Job, str, int, str]) -> tuple[str, Any]:
    """Render, encode and (for sets with masks) export one clip -> (context, features); the
    features of downstream clips feed the bias probe without decoding the videos again. A job
    without a relpath (a bias top-up) is rendered and measured, not written."""
    from ppma_lib.data.video import write_video
    from ppma_lib.minisynapt.bias import features
    from ppma_lib.minisynapt.tasks import SCALES, SPECS

    job, scale_name, seed, out = args
    clip = render_job(job, scale_name, seed)
    root = Path(out) / job.set
    if job.relpath:
        write_video(root / job.relpath, clip.frames, fps=SCALES[scale_name].fps, options=ENCODER)
    if job.relpath and SPECS[job.set].masks:
        path = root / "masks" / Path(job.relpath).with_suffix(".npz")
        with atomic_path(path) as tmp:
            np.savez_compressed(tmp, mask=clip.mask, clean=clip.clean)
    feats = None if SPECS[job.set].pretrain else tuple(f[0] for f in features(clip.frames[None]))
    return clip.context, feats


def _init_worker() -> None:
    import cv2
    from threadpoolctl import threadpool_limits

    cv2.setNumThreads(1)  # the workers are the parallelism
    threadpool_limits(1)


def _run(tasks: list[tuple], workers: int) -> Iterable[tuple[str, Any]]:
    if workers <= 1:
        _init_worker()
        yield from map(_write, tasks)
        return
    import ppma_lib.data.video  # noqa: F401  (torch is imported once, here, not in every worker)

    ctx = mp.get_context("fork" if "fork" in mp.get_all_start_methods() else None)
    with ctx.Pool(workers, initializer=_init_worker) as pool:
        yield from pool.imap(_write, tasks, chunksize=4)


def generate(cfg: MiniSynAPTConfig | None = None, **kwargs: Any) -> Path:
    """Generate MiniSynAPT (or reuse a matching one) -> the path of ``manifest.json``.

    Pass a :class:`MiniSynAPTConfig` or its fields as keywords (``generate(out="data/mini",
    scale="small")``).
    """
    from tqdm.auto import tqdm

    from ppma_lib.minisynapt.tasks import SETS, SPECS

    if cfg is not None and kwargs:
        raise TypeError("pass either a MiniSynAPTConfig or keyword fields, not both")
    cfg = cfg if cfg is not None else MiniSynAPTConfig(**kwargs)
    out = Path(cfg.out)
    names = list(cfg.sets) or [s.name for s in SETS]
    manifest_path = out / "manifest.json"
    if not cfg.force and _matches(manifest_path, cfg, names):
        return manifest_path

    start = time.perf_counter()
    jobs = {name: plan(name, cfg.scale) for name in names}
    probed = [n for n in names if cfg.bias and not SPECS[n].pretrain]
    extra = [j for n in probed for j in bias_jobs(n, cfg.scale)]
    tasks = [(job, cfg.scale, cfg.seed, str(out)) for n in names for job in jobs[n]]
    tasks += [(job, cfg.scale, cfg.seed, str(out)) for job in extra]
    contexts: dict[tuple[str, int], str] = {}
    features: dict[str, list[tuple[int, Any]]] = {n: [] for n in probed}
    for (job, *_), (context, feats) in tqdm(zip(tasks, _run(tasks, cfg.workers)), total=len(tasks),
                                            desc=f"MiniSynAPT {cfg.scale}", unit="clip"):
        contexts[(job.set, job.index)] = context
        if job.set in features:
            features[job.set].append((job.label, feats))
    seconds = time.perf_counter() - start

    old = _compatible(manifest_path, cfg)  # generating some sets into an existing root keeps the others
    manifest = dict(
        version=VERSION, seed=cfg.seed, scale=cfg.scale, **_scale_fields(cfg.scale),
        sets={**old.get("sets", {}), **_write_lists(out, cfg.scale, jobs, contexts)},
        clips=sum(map(len, jobs.values())), workers=cfg.workers, seconds=round(seconds, 2),
    )
    if probed:
        bias = _bias(features, cfg.seed)
        if old and (out / "bias.json").is_file():
            bias = {**json.loads((out / "bias.json").read_text()), **bias}
        (out / "bias.json").write_text(json.dumps(bias, indent=2) + "\n")
    manifest["seconds_total"] = round(time.perf_counter() - start, 2)
    return write_text_atomic(manifest_path, json.dumps(manifest, indent=2) + "\n")


def _scale_fields(scale_name: str) -> dict[str, Any]:
    from ppma_lib.minisynapt.tasks import SCALES

    scale = SCALES[scale_name]
    return dict(size=scale.size, frames=scale.frames, fps=scale.fps, scale_spec=asdict(scale))


def _write_lists(out: Path, scale_name: str, jobs: dict[str, list[Job]],
                 contexts: dict[tuple[str, int], str]) -> dict[str, Any]:
    """Write each set's train/val lists and label map -> the sets' manifest entries."""
    from ppma_lib.data.lists import write_label_map, write_list
    from ppma_lib.minisynapt.tasks import SCALES, SPECS, class_names

    entries = {}
    for name, js in jobs.items():
        spec, root = SPECS[name], out / name
        classes = class_names(spec, SCALES[scale_name])
        for split in ("train", "val"):
            write_list(root / f"{split}.csv", [(j.relpath, j.label) for j in js if j.split == split])
        write_label_map(root / "labels.tsv", dict(enumerate(classes)))
        own = np.mean([contexts[(name, j.index)] == spec.classes[j.label][1] for j in js])
        entries[name] = dict(
            like=spec.like, kind=spec.kind, pretrain=spec.pretrain, style=spec.style, classes=classes,
            train=sum(j.split == "train" for j in js), val=sum(j.split == "val" for j in js),
            root=name, train_list=f"{name}/train.csv", val_list=f"{name}/val.csv", labels=f"{name}/labels.tsv",
            masks=f"{name}/masks" if spec.masks else None, rho=spec.rho, own_context=round(float(own), 4),
        )
    return entries


def _bias(features: dict[str, list[tuple[int, Any]]], seed: int) -> dict[str, Any]:
    from ppma_lib.minisynapt.bias import bias_row

    table = {}
    for name, rows in features.items():
        labels = np.array([label for label, _ in rows])
        groups = [np.stack(g) for g in zip(*(f for _, f in rows))]  # static, maps, dynamics
        table[name] = bias_row(*groups, labels, seed=seed)
    return table


def _compatible(path: Path, cfg: MiniSynAPTConfig) -> dict[str, Any]:
    """The manifest at ``path`` if it was made by this version with the same seed and scale, else {}."""
    try:
        m = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError):
        return {}
    return m if (m.get("version"), m.get("seed"), m.get("scale")) == (VERSION, cfg.seed, cfg.scale) else {}


def _matches(path: Path, cfg: MiniSynAPTConfig, names: list[str]) -> bool:
    """A finished generation with the same version, seed, scale and sets is reused as is."""
    m = _compatible(path, cfg)
    if not m or not set(names) <= set(m["sets"]):
        return False
    lists_ok = all((path.parent / n / f"{s}.csv").is_file() for n in names for s in ("train", "val"))
    bias_ok = not cfg.bias or (path.parent / "bias.json").is_file() or all(m["sets"][n]["pretrain"] for n in names)
    return lists_ok and bias_ok


def load_manifest(root: str | Path) -> dict[str, Any]:
    path = Path(root) / "manifest.json"
    if not path.is_file():
        raise FileNotFoundError(f"no MiniSynAPT manifest at {path}: run `ppma make-data mini --out {root}` first")
    return json.loads(path.read_text())
