"""One training epoch: per-step lr, autocast, gradient accumulation, clipping, timing, the NaN guard.

The loop never syncs with the device on the hot path: losses stay on the device and are read every
``log_every`` steps (and at the end of the epoch), where a non-finite one stops the run with an error
naming the optimizer step. Checkpoints are only written after an epoch passed this check, so the last
checkpoint on disk is always a good one.
"""
from __future__ import annotations

import contextlib
import math
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping

import torch
from torch import nn

from ppma_lib.train import distributed as dist
from ppma_lib.train.schedule import set_lr
from ppma_lib.train.steps import Generators, StepOutput


class NonFiniteLoss(FloatingPointError):
    """The loss became NaN or Inf; the message names the optimizer step."""


@dataclass
class EpochStats:
    steps: int = 0
    loss: float = 0.0  # mean over optimizer steps (and ranks)
    source_loss: dict[str, float] = field(default_factory=dict)  # align: mean loss per source
    lr: float = 0.0  # lr at the last step (before group scaling)
    clips: int = 0  # decoded clips, all ranks
    samples: int = 0  # loss samples, all ranks (MAE: clips x masks)
    data_time: float = 0.0  # seconds waiting for the loader (rank 0)
    compute_time: float = 0.0  # seconds in forward/backward/step (rank 0; includes device syncs)
    bad_videos: int = 0  # unreadable videos replaced, all ranks

    def record(self, epoch: int, wall: float) -> dict[str, Any]:
        rec = {"epoch": epoch, "steps": self.steps, "loss": self.loss, "lr": self.lr,
               "clips_per_s": self.clips / wall if wall else 0.0, "samples_per_s": self.samples / wall if wall else 0.0,
               "data_time": self.data_time, "compute_time": self.compute_time, "epoch_time": wall,
               "bad_videos": self.bad_videos}
        rec.update({f"loss/{s}": v for s, v in self.source_loss.items()})
        return rec


class _LossBuffer:
    """Per-micro-batch losses kept on the device; ``check`` syncs once and raises on a non-finite one."""

    def __init__(self, first_step: int, grad_accum: int) -> None:
        self.first_step, self.grad_accum = first_step, grad_accum
        self.losses: list[torch.Tensor] = []
        self.sources: list[str] = []
        self.checked = 0

    def add(self, loss: torch.Tensor, source: str) -> None:
        self.losses.append(loss.detach().float())
        self.sources.append(source)

    def check(self) -> float:
        """Raise :class:`NonFiniteLoss` on any rank's non-finite loss; return the latest mean loss."""
        if self.checked == len(self.losses):
            return math.nan
        new = torch.stack(self.losses[self.checked:])
        bad = (~torch.isfinite(new)).nonzero()
        first = torch.tensor(float(bad[0, 0]) if len(bad) else math.inf, device=new.device)
        first = -dist.all_reduce_max(-first)  # the earliest bad micro-batch over all ranks
        if math.isfinite(first.item()):
            micro = self.checked + int(first.item())
            step = self.first_step + micro // self.grad_accum
            raise NonFiniteLoss(f"non-finite loss at optimizer step {step} (micro-batch {micro} of this epoch); "
                                "stopping, the last checkpoint in the run directory is from before it")
        self.checked = len(self.losses)
        return float(new[-self.grad_accum:].mean())

    def per_source(self) -> dict[str, float]:
        """Mean loss per source over the epoch and the ranks (all ranks step through the same sources)."""
        names = sorted(set(self.sources))
        if not names:
            return {}
        losses = torch.stack(self.losses)
        sums = torch.stack([losses[[i for i, s in enumerate(self.sources) if s == n]].sum() for n in names])
        counts = torch.tensor([self.sources.count(n) for n in names], device=sums.device, dtype=sums.dtype)
        sums, counts = dist.all_reduce_sum(sums), dist.all_reduce_sum(counts)
        return {n: float(s / c) for n, s, c in zip(names, sums.tolist(), counts.tolist())}


def _to_device(batch: Mapping[str, Any], device: torch.device) -> dict[str, Any]:
    nb = device.type == "cuda"
    return {k: v.to(device, non_blocking=nb) if isinstance(v, torch.Tensor) else v for k, v in batch.items()}


def train_one_epoch(
    model: nn.Module,
    batches: Iterable[Mapping[str, Any]],
    step_fn: Callable[[nn.Module, Mapping[str, Any], Generators], StepOutput],
    optimizer: torch.optim.Optimizer,
    *,
    lr_at: Callable[[int], float],
    first_step: int,
    steps: int,
    gens: Generators,
    device: torch.device,
    grad_accum: int = 1,
    autocast: Callable[[], contextlib.AbstractContextManager] = contextlib.nullcontext,
    scaler: torch.amp.GradScaler | None = None,
    clip_grad: float = 0.0,
    log_every: int = 10,
    progress: Any = None,
) -> EpochStats:
    """``steps`` optimizer steps of ``grad_accum`` micro-batches each; returns the epoch's statistics.

    ``progress`` is a tqdm bar (rank 0) or None. Under DDP, ``model`` is the DDP wrapper: gradients are
    synchronised only on the last micro-batch of each step.
    """
    model.train()
    stats, buf = EpochStats(), _LossBuffer(first_step, grad_accum)
    params = [p for g in optimizer.param_groups for p in g["params"]]
    bad = torch.zeros((), dtype=torch.long)
    it = iter(batches)
    start = time.perf_counter()
    for s in range(steps):
        step = first_step + s
        stats.lr = lr_at(step)
        set_lr(optimizer, stats.lr)
        for micro in range(grad_accum):
            t0 = time.perf_counter()
            try:
                batch = next(it)
            except StopIteration:
                raise RuntimeError(f"the loader ran out after {s} of {steps} steps: fewer batches than planned") from None
            if "bad" in batch:
                bad += batch["bad"].sum()
            batch = _to_device(batch, device)
            t1 = time.perf_counter()
            sync = micro == grad_accum - 1 or not hasattr(model, "no_sync")
            with contextlib.nullcontext() if sync else model.no_sync():  # DDP: all-reduce on the last only
                with autocast():
                    out = step_fn(model, batch, gens)
                loss = out.loss / grad_accum
                (scaler.scale(loss) if scaler is not None else loss).backward()
            buf.add(out.loss, out.source)
            stats.clips += out.clips
            stats.samples += out.samples
            stats.data_time += t1 - t0
            stats.compute_time += time.perf_counter() - t1
        t2 = time.perf_counter()
        if clip_grad > 0:
            if scaler is not None:
                scaler.unscale_(optimizer)
            torch.nn.utils.clip_grad_norm_(params, clip_grad)
        if scaler is not None:
            scaler.step(optimizer)
            scaler.update()
        else:
            optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        checked = (s + 1) % log_every == 0 or s + 1 == steps
        last_loss = buf.check() if checked else math.nan  # one device sync every log_every steps
        stats.compute_time += time.perf_counter() - t2
        if progress is not None:
            progress.update(1)
            if checked:
                rate = stats.clips / max(time.perf_counter() - start, 1e-9)  # this rank's clips
                progress.set_postfix(loss=f"{last_loss:.4f}", lr=f"{stats.lr:.2e}", clips_s=f"{rate:.1f}", refresh=False)
    stats.steps = steps
    stats.source_loss = buf.per_source()
    losses = torch.stack(buf.losses) if buf.losses else torch.zeros(1)
    stats.loss = float(dist.all_reduce_mean(losses.mean()))
    totals = dist.all_reduce_sum(torch.tensor([stats.clips, stats.samples, int(bad)], dtype=torch.float64, device=device))
    stats.clips, stats.samples, stats.bad_videos = (int(v) for v in totals.tolist())
    if set(stats.source_loss) <= {""}:  # single-source tasks tag batches with ""
        stats.source_loss = {}
    return stats
