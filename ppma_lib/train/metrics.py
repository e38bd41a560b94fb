"""Classification metrics on per-video scores: top-k accuracy, confusion matrix, per-class accuracy.

The N clips x M crops views of a video are combined before (``ppma_lib.data.clips.average_views``:
PPMA averages logits, VideoMAE probabilities). Pure tensor functions; the distributed gather lives in
``evaluation.py``.
"""
from __future__ import annotations

from typing import Sequence

import torch


def topk_accuracy(scores: torch.Tensor, labels: torch.Tensor, ks: Sequence[int] = (1, 5)) -> dict[str, float]:
    """(N, K) scores, (N,) labels -> ``{"top1": %, "top5": %}``; k is capped at K (top5 of 3 classes = 100 %)."""
    n, num_classes = scores.shape
    top = scores.topk(min(max(ks), num_classes), dim=1).indices  # (N, k)
    hit = top == labels[:, None]
    return {f"top{k}": 100.0 * hit[:, : min(k, num_classes)].any(1).float().mean().item() if n else 0.0 for k in ks}


def confusion_matrix(pred: torch.Tensor, labels: torch.Tensor, num_classes: int) -> torch.Tensor:
    """(K, K) counts, rows = true class, columns = predicted class."""
    idx = labels.long() * num_classes + pred.long()
    return torch.bincount(idx, minlength=num_classes * num_classes).reshape(num_classes, num_classes)


def per_class_accuracy(confusion: torch.Tensor) -> list[float | None]:
    """Recall per class in %, ``None`` for classes absent from the evaluation set."""
    support = confusion.sum(1)
    acc = 100.0 * confusion.diagonal() / support.clamp(min=1)
    return [None if s == 0 else round(a, 4) for s, a in zip(support.tolist(), acc.tolist())]


def classification_report(
    scores: torch.Tensor, labels: torch.Tensor, num_classes: int, ks: Sequence[int] = (1, 5)
) -> tuple[dict, torch.Tensor]:
    """(N, K) per-video scores (views already averaged) + (N,) labels -> (metrics dict, (K, K) confusion)."""
    labels = labels.long()
    conf = confusion_matrix(scores.argmax(1), labels, num_classes)
    report = {
        **topk_accuracy(scores, labels, ks),
        "num_videos": int(labels.numel()),
        "per_class_top1": per_class_accuracy(conf),
    }
    report["mean_class_top1"] = _mean([a for a in report["per_class_top1"] if a is not None])
    return report, conf


def _mean(xs: list[float]) -> float:
    return sum(xs) / len(xs) if xs else 0.0
