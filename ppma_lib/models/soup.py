"""Weight averaging of trunks (PPMA §4.5, Tab. 4-5) and a learned mixture of frozen trunks (Tab. 5-6).

Averaging: theta = sum_i alpha_i theta_i over K state dicts with the same keys and shapes,
alpha_i >= 0, sum alpha_i = 1 (Wortsman et al., "Model soups", arXiv:2203.05482).

Learned mixture: PPMA learns the proportion beta of two aligned trunks during a linear probe,
"the constraint beta in [0, 1] is enforced by making it the output of a softmax". Here K trunks
are mixed with softmax(logits) - one set of logits for every tensor (``global``), or one set per
parameter tensor (``per_tensor``, the released ``learned_average_layer_softmax``) - and the
mixed weights run the trunk through ``torch.func.functional_call``. Only the head and the logits
train; the K trunks are stored as frozen parameters.
"""
from __future__ import annotations

import math
from typing import Literal, Mapping, Sequence

import torch
from torch import nn
from torch.func import functional_call

from ppma_lib.models.vit import VideoViT, init_head

State = Mapping[str, torch.Tensor]


def check_alpha(alpha: Sequence[float], k: int) -> list[float]:
    """Validate mixing weights: k of them, each >= 0, summing to 1."""
    alpha = [float(a) for a in alpha]
    if len(alpha) != k:
        raise ValueError(f"need {k} weights alpha, one per state dict, got {len(alpha)}")
    if any(a < 0 or not math.isfinite(a) for a in alpha):
        raise ValueError(f"weights alpha must be finite and >= 0, got {alpha}")
    if abs(sum(alpha) - 1.0) > 1e-6:
        raise ValueError(f"weights alpha must sum to 1, got {alpha} (sum {sum(alpha)})")
    return alpha


def check_same_layout(states: Sequence[State]) -> None:
    """Raise unless every state dict has the first one's keys and shapes."""
    if len(states) < 1:
        raise ValueError("need at least one state dict")
    ref = states[0]
    for i, s in enumerate(states[1:], start=1):
        if set(s) != set(ref):
            diff = sorted(set(s) ^ set(ref))
            raise ValueError(f"state dict {i} and state dict 0 have different keys, e.g. {diff[:5]}")
        bad = [k for k in ref if s[k].shape != ref[k].shape]
        if bad:
            raise ValueError(f"state dict {i} differs in shape from state dict 0 at {bad[:5]}")


def average_state_dicts(states: Sequence[State], alpha: Sequence[float] | None = None) -> dict[str, torch.Tensor]:
    """sum_i alpha_i states[i] for floating tensors (computed in float32); others must be equal.

    ``alpha`` defaults to the uniform 1/K.
    """
    check_same_layout(states)
    alpha = check_alpha([1.0 / len(states)] * len(states) if alpha is None else alpha, len(states))
    out = {}
    for key, ref in states[0].items():
        if ref.is_floating_point():
            out[key] = sum(a * s[key].float() for a, s in zip(alpha, states)).to(ref.dtype)
        elif all(torch.equal(s[key], ref) for s in states):
            out[key] = ref.clone()
        else:
            raise ValueError(f"non-float entry '{key}' differs between state dicts and cannot be averaged")
    return out


class LearnedMixture(nn.Module):
    """Linear probe on a softmax-weighted mixture of K frozen trunks.

    Args:
        trunk: a :class:`VideoViT` giving the architecture (its own weights are not used).
        states: K trunk state dicts (the trunk's parameter names; other keys are ignored).
        num_classes: width of the linear head.
        mode: ``global`` = K logits shared by all tensors; ``per_tensor`` = K logits per tensor.
    """

    def __init__(self, trunk: VideoViT, states: Sequence[State], num_classes: int,
                 mode: Literal["global", "per_tensor"] = "global") -> None:
        super().__init__()
        if mode not in ("global", "per_tensor"):
            raise ValueError(f"mode must be 'global' or 'per_tensor', got '{mode}'")
        if trunk.num_classes:
            raise ValueError("the trunk must have no head (num_classes=0); the mixture has its own")
        self.trunk = trunk.requires_grad_(False).eval()
        params = dict(trunk.named_parameters())
        self.names = list(params)
        missing = [n for n in self.names if any(n not in s for s in states)]
        if missing:
            raise ValueError(f"trunk parameters missing from a state dict: {missing[:5]}")
        check_same_layout([{n: s[n] for n in self.names} for s in states])
        bad = [n for n in self.names if states[0][n].shape != params[n].shape]
        if bad:
            raise ValueError(f"state shapes differ from the trunk's at {bad[:5]}")
        # (K, *shape) per parameter tensor; frozen parameters rather than buffers, so that DDP
        # does not re-broadcast K trunks every step
        self.stacks = nn.ParameterList([
            nn.Parameter(torch.stack([s[n].float() for s in states]), requires_grad=False) for n in self.names
        ])
        # zero logits = uniform start: beta = 1/2 for two trunks, as in PPMA
        rows = 1 if mode == "global" else len(self.names)
        self.mixing_logits = nn.Parameter(torch.zeros(rows, len(states)))
        self.mode = mode
        self.head = nn.Linear(trunk.embed_dim, num_classes)
        init_head(self.head)

    def mixing_weights(self) -> torch.Tensor:
        """(1 or P, K) softmax weights; row i mixes parameter tensor i (global: one row for all)."""
        return self.mixing_logits.softmax(dim=-1)

    def mixed_parameters(self) -> dict[str, torch.Tensor]:
        w = self.mixing_weights()
        return {n: torch.tensordot(w[i if self.mode == "per_tensor" else 0], stack, dims=1)
                for i, (n, stack) in enumerate(zip(self.names, self.stacks))}

    def train(self, mode: bool = True) -> "LearnedMixture":
        super().train(mode)
        self.trunk.eval()  # frozen trunks: no drop path
        return self

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(N, C, T, H, W) -> (N, num_classes)."""
        feats = functional_call(self.trunk, self.mixed_parameters(), (x,))  # (N, D) pooled features
        return self.head(feats)
