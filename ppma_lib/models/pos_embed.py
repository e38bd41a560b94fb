"""Fixed sinusoidal position table over the flattened (t, h, w) token grid.

Vaswani et al., "Attention Is All You Need" (arXiv:1706.03762), §3.5, used as a 1-D table over
all spatio-temporal tokens by VideoMAE (arXiv:2203.12602) and OmniMAE (arXiv:2206.08356); PPMA
App. A.1.1: "a non-learnable sinusoidal positional encoding".

For token index ``pos`` and channel ``j``: angle = pos / 10000^(2 * (j // 2) / D);
channel j holds sin(angle) for even j and cos(angle) for odd j (interleaved, not concatenated),
so the table equals VideoMAE's ``get_sinusoid_encoding_table`` value for value.
"""
from __future__ import annotations

import torch


def sincos_table(num_tokens: int, dim: int) -> torch.Tensor:
    """Return the (1, L, D) float32 table for ``L = num_tokens`` positions of width ``D = dim``.

    Computed in float64 and rounded once, so it matches a numpy evaluation to float32 precision.
    """
    pos = torch.arange(num_tokens, dtype=torch.float64)[:, None]  # (L, 1)
    j = torch.arange(dim, dtype=torch.float64)[None, :]  # (1, D)
    angle = pos / torch.pow(10000.0, 2.0 * torch.div(j, 2, rounding_mode="floor") / dim)  # (L, D)
    even = (torch.arange(dim) % 2 == 0)[None, :]
    table = torch.where(even, torch.sin(angle), torch.cos(angle))
    return table.to(torch.float32).unsqueeze(0)
