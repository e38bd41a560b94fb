"""Soup section: a weight average of finished runs' trunks (PPMA §4.5, Tab. 4-5; Wortsman et al. 2022).

The ingredients are ``model.mix_inits`` (``run:<name>`` or checkpoint paths), so the pipeline sees them
as inputs; this section holds their proportions.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SoupConfig:
    alphas: tuple[float, ...] = ()  # one weight per model.mix_inits entry, normalised to sum 1; () = equal

    def __post_init__(self) -> None:
        if any(a < 0 for a in self.alphas) or (self.alphas and sum(self.alphas) <= 0):
            raise ValueError(f"soup.alphas must be >= 0 with a positive sum, got {list(self.alphas)}")
