"""Optimizer parameter groups: layer-wise lr decay and no weight decay on biases, norms and tables.

Layer decay (BEiT arXiv:2106.08254 §2.6, VideoMAE fine-tuning; PPMA App. A.1.2 uses 0.75):
with ``depth`` blocks, the patch embedding (and position table) is layer 0, block i is layer
i + 1, everything after the blocks (final norm, heads) is layer depth + 1, and layer j trains at
``lr_scale = layer_decay ** (depth + 1 - j)``: the head at 1.0, the patch embedding at
``layer_decay ** (depth + 1)``.

``off_by_one`` reproduces PPMA's released layer-decay modifier, which counts one layer more:
``lr_scale = layer_decay ** (depth + 2 - j)`` - the head at ``layer_decay`` (0.75x), block i at
``layer_decay ** (depth + 1 - i)``, the patch embedding at ``layer_decay ** (depth + 2)``.

No weight decay (OmniMAE/PPMA: biases and LayerNorm; VideoMAE also position table): every
tensor with ndim <= 1, and the position table, mask token and mixing logits by name.
"""
from __future__ import annotations

import re
from typing import Any

from torch import nn

NO_DECAY_NAMES = ("pos_embed", "mask_token", "mixing_logits")
_TRUNK_PREFIXES = ("module.", "_orig_mod.", "encoder.", "trunk.")


def _depth(model: nn.Module) -> int:
    for m in model.modules():
        if hasattr(m, "blocks") and hasattr(m, "patch_embed"):  # the VideoViT trunk
            return len(m.blocks)
    raise ValueError(f"{type(model).__name__} has no VideoViT trunk (blocks + patch_embed)")


def layer_id(name: str, depth: int) -> int:
    """0 for the patch embedding / position table, i + 1 for block i, depth + 1 for the rest."""
    while name.startswith(_TRUNK_PREFIXES):
        name = name.split(".", 1)[1]
    if name.startswith(("patch_embed.", "pos_embed")):
        return 0
    if m := re.match(r"blocks\.(\d+)\.", name):
        return int(m.group(1)) + 1
    return depth + 1


def param_groups(model: nn.Module, weight_decay: float, layer_decay: float = 1.0,
                 off_by_one: bool = False, mix_lr_factor: float = 1.0) -> list[dict[str, Any]]:
    """Trainable parameters grouped by (lr_scale, weight_decay); each group carries ``lr_scale``.

    The schedule multiplies its lr by ``group["lr_scale"]``; ``param_names`` is for inspection.
    ``mix_lr_factor`` scales the lr of a LearnedMixture's mixing logits (upstream
    ``mixing_lr_factor``), which then form their own group.
    """
    if not 0.0 < layer_decay <= 1.0:
        raise ValueError(f"layer_decay must be in (0, 1], got {layer_decay}")
    depth = _depth(model)
    top = depth + (2 if off_by_one else 1)
    groups: dict[tuple[float, float], dict[str, Any]] = {}
    for name, p in model.named_parameters():
        if not p.requires_grad:
            continue
        no_decay = p.ndim <= 1 or name.endswith(".bias") or any(n in name for n in NO_DECAY_NAMES)
        wd = 0.0 if no_decay else weight_decay
        scale = layer_decay ** (top - layer_id(name, depth))
        scale *= mix_lr_factor if "mixing_logits" in name else 1.0
        g = groups.setdefault((scale, wd), {"params": [], "param_names": [], "lr_scale": scale, "weight_decay": wd})
        g["params"].append(p)
        g["param_names"].append(name)
    return list(groups.values())
