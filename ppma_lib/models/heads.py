"""Classification heads on a shared trunk: one per data source (PPMA stage 2), and the linear probe.

PPMA App. A.1.2: "When co-training on two datasets, the model shares an encoder but has a
different linear classification layer for each dataset" (the default here). The released config
uses one head for both label spaces (``shared=True``). App. A.2: a linear probe "only tunes the
final linear classification layer": :class:`LinearProbe` freezes the trunk and keeps it in eval
mode, which the released "LP" script does not do.
"""
from __future__ import annotations

from typing import Mapping

import torch
from torch import nn

from ppma_lib.models.vit import VideoViT, init_head

SHARED = "shared"  # key of the single head when ``shared=True``


class MultiSourceClassifier(nn.Module):
    """A trunk with one linear head per named source; ``forward(x, source)`` picks the head.

    Args:
        trunk: a :class:`VideoViT`; its own head is not used.
        num_classes: source name -> number of classes, e.g. ``{"nh_k150": 150, "sim150": 150}``.
        shared: one head for every source (the released PPMA config); all sources then need the
            same number of classes.
    """

    def __init__(self, trunk: VideoViT, num_classes: Mapping[str, int], shared: bool = False) -> None:
        super().__init__()
        if not num_classes:
            raise ValueError("num_classes needs at least one source")
        if shared and len(set(num_classes.values())) != 1:
            raise ValueError(f"a shared head needs one number of classes for all sources, got {dict(num_classes)}")
        self.trunk = trunk
        self.sources = tuple(num_classes)
        self.shared = shared
        widths = {SHARED: next(iter(num_classes.values()))} if shared else dict(num_classes)
        self.heads = nn.ModuleDict({name: nn.Linear(trunk.embed_dim, n) for name, n in widths.items()})
        for head in self.heads.values():
            init_head(head)

    def head_for(self, source: str) -> nn.Linear:
        if source not in self.sources:
            raise KeyError(f"unknown source '{source}'; heads exist for {', '.join(self.sources)}")
        return self.heads[SHARED if self.shared else source]

    def forward(self, x: torch.Tensor, source: str) -> torch.Tensor:
        """(N, C, T, H, W) clips of one source (one source per batch, PPMA App. A.1.2) -> logits."""
        head = self.head_for(source)
        return head(self.trunk.forward_head(self.trunk.forward_features(x), pre_logits=True))


class LinearProbe(nn.Module):
    """A frozen trunk (always in eval mode) and a trainable linear head on its pooled feature."""

    def __init__(self, trunk: VideoViT, num_classes: int) -> None:
        super().__init__()
        self.trunk = trunk.requires_grad_(False)
        self.head = nn.Linear(trunk.embed_dim, num_classes)
        init_head(self.head)
        self.trunk.eval()

    def train(self, mode: bool = True) -> "LinearProbe":
        super().train(mode)
        self.trunk.eval()  # no drop path / dropout in a frozen feature extractor
        return self

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        with torch.no_grad():  # no activations kept for the trunk
            feats = self.trunk.forward_head(self.trunk.forward_features(x), pre_logits=True)
        return self.head(feats)
