"""Multi-view evaluation (PPMA App. A.2; upstream A7): every video of a val list as N clips x M crops,
the views' scores averaged per video, then top-k, per-class accuracy and the confusion matrix.

Under DDP each rank scores a disjoint share of the videos; the per-video scores are gathered to every
rank (small: N videos x K classes) and put back in list order before the metrics.
"""
from __future__ import annotations

import contextlib
from typing import Any, Callable, Iterable, Literal, Mapping, Sequence

import torch
from torch import nn

from ppma_lib.data.clips import average_views
from ppma_lib.train import distributed as dist
from ppma_lib.train.metrics import classification_report


@torch.no_grad()
def predict(
    model: nn.Module,
    batches: Iterable[Mapping[str, Any]],
    device: torch.device,
    source: str | None = None,
    average: Literal["logits", "softmax"] = "logits",
    autocast: Callable[[], contextlib.AbstractContextManager] = contextlib.nullcontext,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Per-video scores of this rank's share -> (indices (N,), scores (N, K), labels (N,)) on CPU.

    Batches hold ``video (N, V, C, T, H, W)``; a multi-source model is called with ``source``.
    """
    was_training = model.training
    model.eval()
    idx, scores, labels = [], [], []
    for batch in batches:
        video = batch["video"].to(device, non_blocking=device.type == "cuda")
        n, v = video.shape[:2]
        with autocast():
            logits = model(video.flatten(0, 1), source) if source is not None else model(video.flatten(0, 1))
        scores.append(average_views(logits.float(), v, average).cpu())  # (N, K)
        idx.append(batch["index"].cpu())
        labels.append(batch["label"].cpu())
    model.train(was_training)
    if not scores:
        return torch.zeros(0, dtype=torch.long), torch.zeros(0, 0), torch.zeros(0, dtype=torch.long)
    return torch.cat(idx), torch.cat(scores), torch.cat(labels)


def gather_predictions(idx: torch.Tensor, scores: torch.Tensor, labels: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """All ranks' shares, in list order -> (scores (N, K), labels (N,))."""
    parts = [p for p in dist.gather_objects((idx, scores, labels)) if len(p[0])]
    idx = torch.cat([p[0] for p in parts])
    order = idx.argsort()
    return torch.cat([p[1] for p in parts])[order], torch.cat([p[2] for p in parts])[order]


def evaluate(
    model: nn.Module,
    batches: Iterable[Mapping[str, Any]],
    num_classes: int,
    device: torch.device,
    source: str | None = None,
    average: Literal["logits", "softmax"] = "logits",
    ks: Sequence[int] = (1, 5),
    autocast: Callable[[], contextlib.AbstractContextManager] = contextlib.nullcontext,
) -> tuple[dict, torch.Tensor]:
    """Score one val list -> (report: top-k, per-class and mean-class top-1, video count; (K, K) confusion)."""
    scores, labels = gather_predictions(*predict(model, batches, device, source, average, autocast))
    return classification_report(scores, labels, num_classes, ks)
