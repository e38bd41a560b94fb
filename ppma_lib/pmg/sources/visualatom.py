"""VisualAtom-style images: contours of sine waves with noise (Takashima et al., "Visual Atoms:
Pre-training Vision Transformers with Sinusoidal Waves", CVPR 2023), a PMG synthetic source (PMG §3.3, Tab. 7).

Re-implemented from the paper and its published recipe (no code copied). A **category** fixes the
number of vertices N in [200, 1000), of orbits L in [1, 200), the noise coefficient p ~ U(0, 4),
the line offset w ~ U(0, 0.1), the start radius r0 in [10, 60), two wave frequencies n1 != n2 in
[0, 20) and the ellipse ratios ax, ay ~ U(1, 2). An **instance** draws the centre, a grey level per
orbit and the noise. Starting from an ellipse, every orbit moves each vertex k (angle θ_k) outward by

    Δ_k = p · noise(u_k) - p - ½ sin(n1 θ_k) - ½ sin(n2 θ_k)
    x_k -= cos θ_k (Δx_k - w),   y_k -= sin θ_k (Δy_k - w)

with u_k ~ U(0, 10^4), and the closed polyline is drawn. Orbits are a cumulative sum (vectorised);
drawing is one ``cv2.polylines`` call per orbit. Lengths are those of the recipe's 512^2 canvas,
scaled to the requested size. ``noise`` is our own 1-D gradient noise at uniform random points,
standing in for ``pnoise1`` (the same role: a smooth-noise marginal in about [-1, 1]).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import cv2
import numpy as np
import torch
from torch import Tensor

from ppma_lib.pmg.sources.base import ProceduralImages, rng

CANVAS = 512  # the recipe's image side; all lengths below are in its pixels


@dataclass(frozen=True)
class AtomCategory:
    vertices: int  # N
    orbits: int  # L
    noise: float  # p
    width: float  # w
    radius: float  # r0
    n1: int
    n2: int
    oval: tuple[float, float]  # ax, ay


def random_category(g: np.random.Generator) -> AtomCategory:
    n1 = int(g.integers(0, 20))
    n2 = int(g.integers(0, 20))
    while n1 != 0 and n2 == n1:  # the recipe wants two different waves
        n2 = int(g.integers(0, 20))
    return AtomCategory(
        vertices=int(g.integers(200, 1000)), orbits=int(g.integers(1, 200)), noise=float(g.uniform(0, 4)),
        width=float(g.uniform(0, 0.1)), radius=float(g.integers(10, 60)), n1=n1, n2=n2,
        oval=(float(g.uniform(1, 2)), float(g.uniform(1, 2))),
    )


def gradient_noise(u: np.ndarray, g: np.random.Generator) -> np.ndarray:
    """1-D gradient (Perlin-style) noise at points u, about [-1, 1], over a random 256-gradient lattice."""
    grads = g.uniform(-1, 1, 256)
    i = np.floor(u).astype(np.int64)
    f = u - i
    fade = f * f * f * (f * (f * 6 - 15) + 10)
    return 2 * ((1 - fade) * grads[i % 256] * f + fade * grads[(i + 1) % 256] * (f - 1))


def orbits(cat: AtomCategory, g: np.random.Generator) -> np.ndarray:
    """Vertices of every orbit, (L, N, 2) in canvas pixels."""
    theta = 2 * np.pi * np.arange(cat.vertices) / cat.vertices
    centre = (CANVAS + g.integers(-CANVAS, CANVAS, 2)) / 2
    start = np.stack([cat.radius * cat.oval[0] * np.cos(theta), cat.radius * cat.oval[1] * np.sin(theta)], -1)
    waves = 0.5 * np.sin(cat.n1 * theta) + 0.5 * np.sin(cat.n2 * theta)
    delta = cat.noise * gradient_noise(g.uniform(0, 10_000, (cat.orbits, cat.vertices, 2)), g) - cat.noise
    delta = delta - waves[None, :, None] - cat.width
    direction = np.stack([np.cos(theta), np.sin(theta)], -1)
    return centre + start - np.cumsum(direction * delta, 0)


def render_atom(cat: AtomCategory, size: tuple[int, int], g: np.random.Generator) -> np.ndarray:
    """One grey image (H, W) uint8: the L closed contours, each in its own random grey."""
    h, w = size
    shift = 4  # sub-pixel precision of cv2 drawing
    pts = orbits(cat, g) * np.array([w, h]) / CANVAS
    pts = np.round(pts * (1 << shift)).clip(-(2**28), 2**28).astype(np.int32)
    greys = g.integers(0, 256, cat.orbits)
    img = np.zeros((h, w), np.uint8)
    thickness = max(1, round(min(h, w) / CANVAS))
    for contour, grey in zip(pts, greys):  # a loop over contours (later ones drawn on top)
        cv2.polylines(img, [contour], True, int(grey), thickness, cv2.LINE_AA, shift)
    return img


class VisualAtom(ProceduralImages):
    """VisualAtom-style images: category parameters from (seed, label), instances from (seed, label, j)."""

    def __init__(self, num_images: int, num_classes: int = 100, size: int | tuple[int, int] = 224, seed: int = 0):
        super().__init__(num_images, num_classes, size, seed)
        self.categories = [random_category(rng(seed, c, 0xA70)) for c in range(num_classes)]

    def render(self, labels: Sequence[int], instances: Sequence[int]) -> Tensor:
        images = [render_atom(self.categories[c], self.size, rng(self.seed, c, j)) for c, j in zip(labels, instances)]
        return torch.from_numpy(np.stack(images))[:, None].expand(-1, 3, -1, -1).contiguous()
