"""Which tokens the MAE hides: random over all space-time tokens, or tubes.

Both strategies mask an exact number of tokens in every sample, so the visible tokens of a batch
stack into one (N, L_vis, D) tensor. Masks are (N, L) bool with **1 = masked** (hidden from the
encoder, reconstructed by the decoder), tokens in t-major (t, h, w) order.

- ``random``: int(ratio * L) tokens chosen uniformly among all t*h*w tokens (OmniMAE
  arXiv:2206.08356; PPMA §4.1 "we follow OmniMAE and use the random masking scheme", ratio 0.9).
- ``tube``: int(ratio * h*w) spatial positions, the same in every temporal slice (VideoMAE
  arXiv:2203.12602 §3.3; PMG §4 uses ratio 0.75).

Randomness comes only from the ``torch.Generator`` passed in (None = torch's global generator).
"""
from __future__ import annotations

from typing import Literal

import torch

MaskType = Literal["random", "tube"]


def _random_subset(batch: int, n: int, k: int, generator: torch.Generator | None,
                   device: torch.device | str | None) -> torch.Tensor:
    """(batch, n) bool with exactly k ones per row, uniformly at random."""
    gen_device = generator.device if generator is not None else device
    noise = torch.rand(batch, n, generator=generator, device=gen_device)
    ids = noise.argsort(dim=1)[:, :k]
    mask = torch.zeros(batch, n, dtype=torch.bool, device=gen_device).scatter_(1, ids, True)
    return mask.to(device) if device is not None else mask


class RandomMasking:
    """Exactly int(ratio * L) masked tokens per sample, anywhere in space-time."""

    def __init__(self, grid: tuple[int, int, int], ratio: float) -> None:
        self.grid, self.ratio = grid, ratio
        self.num_tokens = grid[0] * grid[1] * grid[2]
        self.num_masked = int(ratio * self.num_tokens)
        self.num_visible = self.num_tokens - self.num_masked

    def __call__(self, batch: int, generator: torch.Generator | None = None,
                 device: torch.device | str | None = None) -> torch.Tensor:
        """-> (N, L) bool, 1 = masked."""
        return _random_subset(batch, self.num_tokens, self.num_masked, generator, device)


class TubeMasking:
    """One spatial mask of int(ratio * h*w) positions, repeated over all t temporal slices."""

    def __init__(self, grid: tuple[int, int, int], ratio: float) -> None:
        self.grid, self.ratio = grid, ratio
        t, h, w = grid
        self.num_tokens = t * h * w
        self.num_masked = t * int(ratio * h * w)
        self.num_visible = self.num_tokens - self.num_masked

    def __call__(self, batch: int, generator: torch.Generator | None = None,
                 device: torch.device | str | None = None) -> torch.Tensor:
        """-> (N, L) bool, 1 = masked; constant along t."""
        t, h, w = self.grid
        spatial = _random_subset(batch, h * w, int(self.ratio * h * w), generator, device)  # (N, h*w)
        return spatial[:, None, :].expand(batch, t, h * w).reshape(batch, self.num_tokens)


def make_masking(kind: MaskType, grid: tuple[int, int, int], ratio: float) -> RandomMasking | TubeMasking:
    """The masking strategy, chosen once when the MAE is built."""
    strategies = {"random": RandomMasking, "tube": TubeMasking}
    if kind not in strategies:
        raise ValueError(f"mask_type must be one of {sorted(strategies)}, got '{kind}'")
    masking = strategies[kind](grid, ratio)
    if masking.num_masked == 0 or masking.num_visible == 0:
        raise ValueError(f"{kind} masking at ratio {ratio} on grid {grid} masks {masking.num_masked} of "
                         f"{masking.num_tokens} tokens; need at least one masked and one visible")
    return masking


def visible_indices(mask: torch.Tensor, num_visible: int) -> torch.Tensor:
    """(N, L) mask with ``num_visible`` zeros per row -> (N, L_vis) indices of visible tokens, ascending.

    A stable argsort puts the zeros (visible) first in raster order without a device sync.
    """
    return torch.argsort(mask.to(torch.uint8), dim=1, stable=True)[:, :num_visible]
