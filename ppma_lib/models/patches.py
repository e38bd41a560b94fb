"""Tubelet patches of a video and the MAE reconstruction target.

A video (N, C, T, H, W) is cut into ``L = t * h * w`` tubelets of u x p x p pixels
(t = T/u, h = H/p, w = W/p), flattened t-major then h then w: the order of the Conv3d patch
embedding's output, so token i of the encoder and patch i here are the same region.
Each patch is flattened as (u, p, p, C), VideoMAE's ``(p0 p1 p2) c`` layout (arXiv:2203.12602).
"""
from __future__ import annotations

import torch


def patchify(video: torch.Tensor, tubelet: int, patch_size: int) -> torch.Tensor:
    """(N, C, T, H, W) -> (N, L, u*p*p*C)."""
    n, c, T, H, W = video.shape
    u, p = tubelet, patch_size
    if T % u or H % p or W % p:
        raise ValueError(f"video {tuple(video.shape)} is not divisible into {u}x{p}x{p} tubelets")
    x = video.reshape(n, c, T // u, u, H // p, p, W // p, p)
    x = torch.einsum("nctuhpwq->nthwupqc", x)  # (N, t, h, w, u, p, p, C)
    return x.reshape(n, (T // u) * (H // p) * (W // p), u * p * p * c)


def unpatchify(patches: torch.Tensor, grid: tuple[int, int, int], tubelet: int, patch_size: int) -> torch.Tensor:
    """(N, L, u*p*p*C) -> (N, C, T, H, W); ``grid`` = (t, h, w) is given, never cached."""
    n, L, P = patches.shape
    t, h, w = grid
    u, p = tubelet, patch_size
    c = P // (u * p * p)
    if L != t * h * w or P != u * p * p * c:
        raise ValueError(f"patches {tuple(patches.shape)} do not fit grid {grid} of {u}x{p}x{p} tubelets")
    x = patches.reshape(n, t, h, w, u, p, p, c)
    x = torch.einsum("nthwupqc->nctuhpwq", x)
    return x.reshape(n, c, t * u, h * p, w * p)


def patch_stats(patches: torch.Tensor, channels: int, eps: float = 1e-6) -> tuple[torch.Tensor, torch.Tensor]:
    """Per-patch, per-channel mean and std of (N, L, u*p*p*C) patches, each (N, L, 1, C).

    The variance is the unbiased one, ``std = sqrt(var + eps)``, as in OmniMAE's MAE loss.
    """
    x = patches.unflatten(-1, (-1, channels)).float()  # (N, L, u*p*p, C)
    return x.mean(dim=2, keepdim=True), (x.var(dim=2, keepdim=True) + eps).sqrt()


def norm_pix_target(patches: torch.Tensor, channels: int) -> torch.Tensor:
    """Normalise every patch per channel by its own mean and std (VideoMAE §3.3, OmniMAE)."""
    mean, std = patch_stats(patches, channels)
    x = patches.unflatten(-1, (-1, channels)).float()
    return ((x - mean) / std).flatten(2)
