"""The fit loop, the same for every task: ``fit(cfg) -> summary``.

In a notebook it runs in-process on one device; under ``torchrun -m ppma_lib.train`` every rank runs
it and DDP averages the gradients. Per epoch it writes one line of ``metrics.jsonl`` and an atomic
``last.pt`` (plus ``ckpt_<epoch>.pt`` every ``train.ckpt_every`` epochs); at the end it evaluates the
val lists (N clips x M crops) and writes ``summary.json`` and ``confusion.npy``.

``train.resume=auto`` continues from ``last.pt`` exactly: model, optimizer, grad scaler, the step
counter (the lr is a pure function of it), the epoch (the samplers' shuffles and per-sample seeds are
functions of seed and epoch), and every random state the loop draws from, per rank.
"""
from __future__ import annotations

import contextlib
import shutil
import time
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch.nn.parallel import DistributedDataParallel
from tqdm import tqdm

from ppma_lib.atomic import atomic_path
from ppma_lib.config import ConfigError, Experiment, derive, make_run_dir
from ppma_lib.models.checkpoints import read_checkpoint, save_checkpoint
from ppma_lib.train import distributed as dist
from ppma_lib.train.engine import NonFiniteLoss, train_one_epoch
from ppma_lib.train.evaluation import evaluate
from ppma_lib.train.schedule import lr_at
from ppma_lib.train.state import (
    EPOCH_CKPT,
    LAST,
    MetricsLog,
    resolve_init,
    rng_state,
    seed_everything,
    set_rng_state,
    write_json,
)
from ppma_lib.train.steps import Generators
from ppma_lib.train.tasks import TaskParts, build_task

QUIRKS = ("optim.quirk_halved_cosine_start", "optim.quirk_layer_decay_off_by_one", "train.quirk_unfrozen_lp",
          "model.head")


def fit(cfg: Experiment) -> dict[str, Any]:
    """Train ``cfg.run.task`` into ``cfg.run_dir``; return the summary (also written to summary.json)."""
    info = dist.setup(cfg.run.device)
    try:
        return _fit(cfg, info)
    finally:
        dist.teardown(info)


def amp_dtype(amp: str, device: torch.device) -> torch.dtype | None:
    """``auto``: bf16 on CUDA, full precision on CPU; ``fp16`` (with a grad scaler) needs CUDA."""
    if amp == "off" or (amp == "auto" and device.type != "cuda"):
        return None
    if amp in ("auto", "bf16"):
        return torch.bfloat16
    if device.type != "cuda":
        raise ConfigError("train.amp=fp16 needs a CUDA device; use bf16 or off on CPU")
    return torch.float16


def _stream_seed(seed: int, rank: int) -> int:
    return seed + 1_000_003 * rank  # one random stream per rank (drop path, masks, mixing)


def _fit(cfg: Experiment, info: dist.DistInfo) -> dict[str, Any]:
    t_start = time.perf_counter()
    t, o, device = cfg.train, cfg.optim, info.device
    if t.threads and device.type == "cpu":
        torch.set_num_threads(t.threads)
    run_dir = cfg.run_dir
    if info.is_main:
        make_run_dir(cfg)
    dist.barrier()
    metrics = MetricsLog(run_dir / "metrics.jsonl", enabled=info.is_main)

    seed_everything(cfg.run.seed)  # identical initial weights on every rank
    parts = build_task(cfg, info.rank, info.world_size)
    derived = derive(cfg, parts.num_samples, info.world_size)
    steps = min(derived.steps_per_epoch, len(parts.train.batch_sampler) // t.grad_accum)
    if steps < 1:
        raise ConfigError(f"{parts.num_samples} training samples give no full step of "
                          f"{t.batch_size} x {t.grad_accum} x {info.world_size}; lower train.batch_size")
    total = steps * t.epochs
    lr_fn = partial(lr_at, total_steps=total, warmup_steps=min(round(o.warmup_epochs * steps), total),
                    peak_lr=derived.lr, warmup_lr=o.warmup_lr, min_lr=o.min_lr,
                    halved_restart=o.quirk_halved_cosine_start)

    model = parts.model.to(device)
    optimizer = torch.optim.AdamW(parts.groups, lr=derived.lr, betas=o.betas, eps=o.eps,
                                  weight_decay=o.weight_decay, fused=device.type == "cuda")
    dtype = amp_dtype(t.amp, device)
    scaler = torch.amp.GradScaler(device.type) if dtype == torch.float16 else None
    autocast = partial(torch.autocast, device.type, dtype=dtype) if dtype else contextlib.nullcontext
    gens = Generators.seeded(_stream_seed(cfg.run.seed, info.rank), device)

    epoch, step, elapsed = _resume(cfg, info, model, optimizer, scaler, gens, metrics)
    train_model: torch.nn.Module = torch.compile(model) if t.compile else model
    if info.distributed:
        # no buffer changes during training (no batch norm): skip DDP's per-forward buffer broadcast, which
        # for mix_probe would copy K whole trunks every step
        train_model = DistributedDataParallel(train_model, device_ids=[device.index] if device.type == "cuda" else None,
                                              find_unused_parameters=parts.find_unused, broadcast_buffers=False)

    bar = tqdm(total=total, initial=step, desc=f"{cfg.run.name} [{cfg.run.task}]", disable=not (t.progress and info.is_main),
               mininterval=2.0, dynamic_ncols=True)
    record: dict[str, Any] = {}
    for epoch in range(epoch, t.epochs):
        parts.train.batch_sampler.set_epoch(epoch)
        if hasattr(parts.train.dataset, "set_epoch"):  # pseudo-motion videos made in the workers
            parts.train.dataset.set_epoch(epoch)
        t0 = time.perf_counter()
        try:
            stats = train_one_epoch(train_model, parts.train, parts.step, optimizer, lr_at=lr_fn, first_step=step,
                                    steps=steps, gens=gens, device=device, grad_accum=t.grad_accum, autocast=autocast,
                                    scaler=scaler, clip_grad=o.clip_grad, log_every=t.log_every, progress=bar)
        except NonFiniteLoss as e:
            metrics.write({"kind": "error", "epoch": epoch + 1, "error": str(e)})
            bar.close()
            raise
        step += steps
        record = {"kind": "train", **stats.record(epoch + 1, time.perf_counter() - t0)}
        if parts.evals and t.eval_every and (epoch + 1) % t.eval_every == 0 and epoch + 1 < t.epochs:
            reports = _evaluate(parts, cfg, model, device, autocast, t.progress and info.is_main)[0]
            metrics.write({"kind": "eval", "epoch": epoch + 1, **_flat(reports)})
        metrics.write(record)
        rng = dist.gather_objects({**rng_state(), "loop": gens.state()})
        if info.is_main:
            last = save_checkpoint(run_dir / LAST, model, optimizer=optimizer.state_dict(),
                                   scaler=scaler.state_dict() if scaler else None, epoch=epoch + 1, step=step, rng=rng,
                                   elapsed=elapsed + time.perf_counter() - t_start, config=cfg.to_dict())
            if t.ckpt_every and (epoch + 1) % t.ckpt_every == 0:
                _copy_atomic(last, run_dir / EPOCH_CKPT.format(epoch=epoch + 1))
        dist.barrier()
    bar.close()

    if not record:  # nothing left to train (a finished run, resumed): report its last epoch
        record = next((r for r in reversed(metrics.read()) if r.get("kind") == "train"), {})
    reports, confusions = _evaluate(parts, cfg, model, device, autocast, t.progress and info.is_main) \
        if parts.evals else ({}, {})
    if reports:
        metrics.write({"kind": "eval", "epoch": t.epochs, "final": True, **_flat(reports)})
    summary = _summary(cfg, info, parts, model, derived, steps, step, record, reports,
                       elapsed + time.perf_counter() - t_start)
    if info.is_main:
        for i, (name, conf) in enumerate(confusions.items()):
            np.save(run_dir / ("confusion.npy" if i == 0 else f"confusion_{name}.npy"), conf.numpy())
        write_json(summary, run_dir / "summary.json")
        if t.progress:
            acc = f", top-1 {summary['top1']:.1f} % on {summary['num_videos']} videos" if reports else ""
            tqdm.write(f"{cfg.run.name}: loss {summary['final_loss']:.4f}{acc}, {summary['wall_time_s']:.0f} s -> {run_dir}")
    dist.barrier()
    return summary


def _resume(cfg: Experiment, info: dist.DistInfo, model, optimizer, scaler, gens: Generators,
            metrics: MetricsLog) -> tuple[int, int, float]:
    """Load ``last.pt`` when ``train.resume=auto`` finds one -> (finished epochs, steps, seconds so far)."""
    path = cfg.run_dir / LAST
    if cfg.train.resume != "auto" or not path.is_file():
        if info.is_main:  # a fresh run: no stale records from an earlier run of the same name
            for stale in ("metrics.jsonl", "summary.json"):
                (cfg.run_dir / stale).unlink(missing_ok=True)
        seed_everything(_stream_seed(cfg.run.seed, info.rank))
        return 0, 0, 0.0
    state = read_checkpoint(path)
    changed = _changed(state.get("config", {}), cfg.to_dict())
    if changed and info.is_main:
        tqdm.write(f"resume: parameters changed since {path} was written: {', '.join(changed)}")
    model.load_state_dict(state["model"])
    optimizer.load_state_dict(state["optimizer"])
    if scaler is not None and state.get("scaler"):
        scaler.load_state_dict(state["scaler"])
    epoch, step = int(state["epoch"]), int(state["step"])
    rng = state.get("rng") or []
    if len(rng) == info.world_size:
        set_rng_state(rng[info.rank])
        gens.set_state(rng[info.rank]["loop"])
    else:  # another world size: exact continuation is impossible, stay deterministic
        seed_everything(_stream_seed(cfg.run.seed + epoch, info.rank))
        tqdm.write(f"resume: {len(rng)} saved RNG states for {info.world_size} ranks; random streams re-seeded")
    metrics.truncate_after(epoch)
    if info.is_main:
        tqdm.write(f"resumed {cfg.run.name} from {path} at epoch {epoch}, step {step}")
    return epoch, step, float(state.get("elapsed", 0.0))


def _changed(old: dict, new: dict, prefix: str = "") -> list[str]:
    """Dotted keys whose values differ between two plain config dicts."""
    keys = sorted(set(old) | set(new))
    out = []
    for k in keys:
        a, b = old.get(k), new.get(k)
        if isinstance(a, dict) and isinstance(b, dict):
            out += _changed(a, b, f"{prefix}{k}.")
        elif a != b:
            out.append(f"{prefix}{k}")
    return out


def _evaluate(parts: TaskParts, cfg: Experiment, model, device, autocast, progress: bool) -> tuple[dict, dict]:
    reports, confusions = {}, {}
    for e in parts.evals:
        batches = tqdm(e.loader, desc=f"eval {e.name}", disable=not progress, mininterval=2.0, leave=False)
        reports[e.name], confusions[e.name] = evaluate(model, batches, e.num_classes, device, e.source,
                                                       cfg.eval.average, cfg.eval.topk, autocast)
    return reports, confusions


def _flat(reports: dict[str, dict]) -> dict[str, Any]:
    return {f"{name}/{k}": v for name, r in reports.items() for k, v in r.items() if not isinstance(v, list)}


def _copy_atomic(src: Path, dst: Path) -> None:
    with atomic_path(dst) as tmp:
        shutil.copyfile(src, tmp)


def _summary(cfg: Experiment, info: dist.DistInfo, parts: TaskParts, model, derived, steps_per_epoch: int,
             step: int, record: dict, reports: dict, wall: float) -> dict[str, Any]:
    plain = cfg.to_dict()
    summary: dict[str, Any] = {
        "run": cfg.run.name, "task": cfg.run.task, "profile": cfg.run.profile, "params_file": cfg.source,
        "epochs": cfg.train.epochs, "steps": step, "steps_per_epoch": steps_per_epoch,
        "effective_batch": derived.effective_batch, "peak_lr": derived.lr, "world_size": info.world_size,
        "device": str(info.device), "wall_time_s": wall,
        "params_total": sum(p.numel() for p in model.parameters()),
        "params_trainable": sum(p.numel() for p in model.parameters() if p.requires_grad),
        "final_loss": record.get("loss"), "clips_per_s": record.get("clips_per_s"),
        "init": cfg.model.init, "init_checkpoint": str(resolve_init(cfg.model.init, cfg.run.out_root, cfg.run.profile) or ""),
        "init_report": parts.init_report,
        "quirks": {k: plain[k.split(".")[0]][k.split(".")[1]] for k in QUIRKS},
    }
    summary.update({k: v for k, v in record.items() if k.startswith("loss/")})
    if reports:
        main = next(iter(reports.values()))
        summary.update({k: main[k] for k in main if k.startswith("top") or k in ("mean_class_top1", "num_videos")})
        summary["views"] = f"{cfg.eval.num_clips}x{cfg.eval.num_crops}"
        summary["confusion"] = "confusion.npy"
        summary["eval"] = reports
    return summary
