"""Video-level mixing of pseudo-motion videos (PMG Tab. 4) and PMG-Aug (PMG §3.2, §4.4, Tab. 8-9).

PMG applies Mixup "to each frame of the generated pseudo-motion videos"; we read it as one λ per
video pair used for all its frames, V = λ V_a + (1 - λ) V_b (MAE pre-training has no labels, so λ
only touches pixels). VideoMix (Yun et al. 2020) pastes a spatial box of V_b, the same in every frame.
The partner of each video is another video of the same batch, as timm's Mixup does.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

import cv2
import numpy as np
import torch
from torch import Tensor

if TYPE_CHECKING:
    from ppma_lib.pmg.generator import PseudoMotionGenerator


def sample_lambda(
    n: int, alpha: float, generator: torch.Generator, low: float = 0.0, high: float = 1.0
) -> Tensor:
    """(N,) float64: λ ~ Beta(alpha, alpha), mapped affinely into [low, high]."""
    # torch's Beta sampler takes no generator: draw a numpy seed from ours
    seed = int(torch.randint(0, 2**62, (1,), generator=generator))
    lam = np.random.default_rng(seed).beta(alpha, alpha, n)
    return low + (high - low) * torch.from_numpy(lam)


def partners(n: int, generator: torch.Generator) -> Tensor:
    """(N,) a random cyclic shift of the batch: nobody is their own partner (when N > 1)."""
    return (torch.arange(n) + torch.randint(1, max(n, 2), (1,), generator=generator)) % n


def mixup(a: Tensor, b: Tensor, lam: Tensor) -> Tensor:
    """λ a + (1 - λ) b for videos (N, C, T, H, W) and λ (N,); uint8 in, uint8 out."""
    if a.dtype == torch.uint8 and a.device.type == "cpu":
        return _mixup_opencv(a, b, lam)
    lam = lam.to(a.device, torch.float32).view(-1, *[1] * (a.dim() - 1))
    if a.is_floating_point():
        return torch.lerp(b, a, lam.to(a.dtype))
    return torch.lerp(b.float(), a.float(), lam).round_().to(a.dtype)


def _mixup_opencv(a: Tensor, b: Tensor, lam: Tensor, partner: Tensor | None = None) -> Tensor:
    """uint8 on CPU: OpenCV's saturating ``addWeighted`` is ~50x faster than a uint8 -> float -> uint8
    round trip. Mixes a[i] with b[partner[i]] (default b[i]) without gathering b."""
    order = sorted(range(a.dim()), key=lambda d: -a.stride(d))  # the memory order (channels-last stays so)
    x, y = a.permute(order).contiguous().numpy(), b.permute(order).contiguous().numpy()
    out = np.empty_like(x)
    rows = (-1, x.shape[-1])
    pairs = range(len(x)) if partner is None else partner.tolist()
    for i, (j, weight) in enumerate(zip(pairs, lam.tolist())):  # one call per video, over its whole buffer
        cv2.addWeighted(x[i].reshape(rows), weight, y[j].reshape(rows), 1 - weight, 0.0, dst=out[i].reshape(rows))
    return torch.from_numpy(out).permute(np.argsort(order).tolist())


def videomix(a: Tensor, b: Tensor, lam: Tensor, generator: torch.Generator) -> Tensor:
    """A box of b covering a (1 - λ) fraction of the frame, the same box in all T frames (N, C, T, H, W)."""
    n, h, w = a.shape[0], a.shape[-2], a.shape[-1]
    cut = (1 - lam).clamp(0, 1).sqrt()  # box side as a fraction of each side
    centre = torch.rand(n, 2, generator=generator, dtype=torch.float64)
    y0 = ((centre[:, 0] - cut / 2).clamp(0, 1) * h).round().long()
    y1 = ((centre[:, 0] + cut / 2).clamp(0, 1) * h).round().long()
    x0 = ((centre[:, 1] - cut / 2).clamp(0, 1) * w).round().long()
    x1 = ((centre[:, 1] + cut / 2).clamp(0, 1) * w).round().long()
    ys, xs = torch.arange(h)[None], torch.arange(w)[None]
    box = ((ys >= y0[:, None]) & (ys < y1[:, None]))[:, :, None] & ((xs >= x0[:, None]) & (xs < x1[:, None]))[:, None]
    return torch.where(box.to(a.device)[:, None, None], b, a)  # box: (N, 1, 1, H, W), 1 = from b


def mix_batch(
    videos: Tensor,
    kind: str,
    alpha: float,
    generator: torch.Generator,
    *,
    mix_range: tuple[float, float] = (0.0, 1.0),
    prob: float = 1.0,
) -> Tensor:
    """Mix each video (N, C, T, H, W) with a partner from the batch ("none", "mixup" or "videomix")."""
    if kind == "none":
        return videos
    if kind not in ("mixup", "videomix"):
        raise ValueError(f"unknown mix '{kind}'; choose none, mixup or videomix")
    n = videos.shape[0]
    lam = sample_lambda(n, alpha, generator, *mix_range)
    lam = torch.where(torch.rand(n, generator=generator, dtype=torch.float64) < prob, lam, torch.ones_like(lam))
    partner = partners(n, generator)
    if kind == "mixup" and videos.dtype == torch.uint8 and videos.device.type == "cpu":
        return _mixup_opencv(videos, videos, lam, partner)
    other = videos[partner.to(videos.device)]
    return mixup(videos, other, lam) if kind == "mixup" else videomix(videos, other, lam, generator)


def pmg_augment(
    clips: Tensor,
    ratio: float,
    pmg: "PseudoMotionGenerator",
    generator: torch.Generator,
    banks: Sequence[Tensor | None] = (None,),
) -> tuple[Tensor, Tensor]:
    """PMG-Aug: replace a seeded fraction of real clips by pseudo-motion clips.

    Each replaced clip is made from one still of a source drawn uniformly from ``banks``: ``None`` = a random
    frame of the clip itself (Tab. 8), a tensor = a random one of those images (PASS / Shaders1k, Tab. 9).

    Args:
        clips: real clips (N, C, T, H, W), float in [0, 1] or uint8.
        ratio: expected fraction replaced; the count is ratio x N, rounded at random so that its mean is exact.
        pmg: the generator that makes the pseudo-motion clips (its own transforms and mixing).
        generator: a CPU ``torch.Generator``.
        banks: the still sources; a tensor is (M, C, H, W) at the clips' H, W, uint8 or float in [0, 1].
    Returns:
        the new clips (N, C, T, H, W) and ``replaced`` (N,) bool, 1 = pseudo-motion clip.
    """
    if not 0.0 <= ratio <= 1.0:
        raise ValueError(f"PMG-Aug ratio must be in [0, 1], got {ratio}")
    if not banks:
        raise ValueError("PMG-Aug needs at least one still source (None = the clips' own frames)")
    n, _, t, h, w = clips.shape
    for bank in banks:
        if bank is not None and tuple(bank.shape[-2:]) != (h, w):
            raise ValueError(f"PMG-Aug images are {tuple(bank.shape[-2:])}, clips are {(h, w)}")
    k = min(n, int(ratio * n + float(torch.rand(1, generator=generator))))
    chosen = torch.randperm(n, generator=generator)[:k]
    replaced = torch.zeros(n, dtype=torch.bool)
    replaced[chosen] = True
    if k == 0:
        return clips, replaced
    # (k,) which bank each still comes from (one source: no draw, so the seeded stream is the one-source one)
    source = torch.randint(len(banks), (k,), generator=generator) if len(banks) > 1 else torch.zeros(k, dtype=torch.long)
    frame = torch.randint(t, (k,), generator=generator)
    stills = clips[chosen.to(clips.device), :, frame.to(clips.device)]  # (k, C, H, W): own frames ...
    for b, bank in enumerate(banks):
        rows = (source == b).nonzero().flatten()
        if bank is None or not len(rows):
            continue
        picked = bank[torch.randint(bank.shape[0], (len(rows),), generator=generator).to(bank.device)]
        stills[rows.to(stills.device)] = _as_dtype(picked.to(stills.device), stills.dtype)  # ... or a bank's
    out = clips.clone()
    out[chosen.to(clips.device)] = pmg(stills, generator, num_frames=t).to(clips.dtype)
    return out, replaced


def _as_dtype(images: Tensor, dtype: torch.dtype) -> Tensor:
    """uint8 <-> float in [0, 1]."""
    if images.dtype == dtype:
        return images
    if dtype == torch.uint8:
        return images.mul(255).round_().clamp_(0, 255).to(torch.uint8)
    return images.to(dtype).div_(255) if images.dtype == torch.uint8 else images.to(dtype)
