"""Procedural "shader" images: our own stand-in for Shaders1k (Baradad et al., NeurIPS 2022).

PMG §3.3 / Tab. 7 pre-trains on Shaders1k: 1k OpenGL fragment programs, one class per program, an
image = the program rendered at a random time t ~ U(0.1, 10). Those programs are third-party code
(Shadertoy / twigl, non-commercial licences) and are offline, so we write our own family of short
programs in torch instead (they run batched on CPU or GPU). A *class* is one program with random
constants (shape parameters and a cosine palette), an *instance* is a random time. Fidelity to
Shaders1k is statistical (colourful, textured, trackable patches), not per program.

Every program maps unit coordinates x, y (1, H, W) (origin at the centre, half the shorter side = 1),
per-image constants k (N, 24, 1, 1) in [0, 1), integer seeds s (N, 1, 1) and times t (N, 1, 1)
to a scalar field (N, H, W) or colours (N, 3, H, W).
"""
from __future__ import annotations

import math
from typing import Callable, Sequence

import torch
import torch.nn.functional as F
from torch import Tensor

from ppma_lib.pmg.sources.base import ProceduralImages, rng

TAU = 2 * math.pi
NUM_CONSTANTS = 24
M32 = 0xFFFFFFFF


# ------------------------------------------------------------------------------------------------
# shared building blocks (GLSL idioms, vectorised)
# ------------------------------------------------------------------------------------------------
def palette(v: Tensor, k: Tensor) -> Tensor:
    """Cosine palette a + b cos(2π (c v + d)) (Quilez); a, b, c, d are the class's constants 0..11."""
    a = 0.35 + 0.3 * k[:, 0:3]
    b = 0.3 + 0.2 * k[:, 3:6]
    c = 0.5 + k[:, 6:9]
    d = k[:, 9:12]
    return (a + b * torch.cos(TAU * (c * v[:, None] + d))).clamp(0, 1)


def ihash(n: Tensor) -> Tensor:
    """Integer hash (int64 holding 32 bits) -> float in [0, 1); products stay below 2^63."""
    n = n & M32
    n = (((n >> 16) ^ n) * 0x45D9F3B) & M32
    n = (((n >> 16) ^ n) * 0x45D9F3B) & M32
    return ((n >> 16) ^ n).double().div(2.0**32).float()


def hash2(ix: Tensor, iy: Tensor, seed: Tensor, salt: int = 0) -> Tensor:
    return ihash(ix * 1619 + iy * 31337 + seed * 6971 + salt * 1013)


def noise_table(seeds: Tensor) -> Tensor:
    """(N,) seeds -> (N, 1, 257, 257) random lattice values; the last row and column repeat the first (period 256)."""
    gens = [torch.Generator().manual_seed(int(v)) for v in seeds.flatten()]
    table = torch.stack([torch.rand(256, 256, generator=g) for g in gens])
    table = torch.cat([table, table[:, :1]], 1)
    return torch.cat([table, table[:, :, :1]], 2)[:, None].to(seeds.device)


def value_noise(x: Tensor, y: Tensor, table: Tensor) -> Tensor:
    """Lattice value noise in [0, 1] with smoothstep interpolation, (N, H, W).

    Bilinear sampling at ``floor(p) + smoothstep(fract(p))`` is exactly value noise, so one
    ``grid_sample`` on the lattice table does it (far cheaper than hashing four corners per pixel).
    """
    fx, fy = x - torch.floor(x), y - torch.floor(y)
    px = torch.remainder(torch.floor(x), 256) + fx * fx * (3 - 2 * fx)
    py = torch.remainder(torch.floor(y), 256) + fy * fy * (3 - 2 * fy)
    n = table.shape[0]
    grid = torch.stack([px.expand(n, -1, -1), py.expand(n, -1, -1)], -1).mul_(2 / 257).add_(1 / 257 - 1)
    return F.grid_sample(table, grid, mode="bilinear", padding_mode="border", align_corners=False)[:, 0]


def fbm(x: Tensor, y: Tensor, table: Tensor, octaves: int = 5) -> Tensor:
    """Fractal Brownian motion: octaves of value noise, each rotated, doubled in frequency, halved."""
    v, amp = torch.zeros(()), 0.5
    c, s = math.cos(0.5), math.sin(0.5)
    for _ in range(octaves):
        v = v + amp * value_noise(x, y, table)
        x, y = 2.0 * (c * x - s * y) + 3.1, 2.0 * (s * x + c * y) + 1.7
        amp *= 0.5
    return v


def rotate(x: Tensor, y: Tensor, angle: Tensor) -> tuple[Tensor, Tensor]:
    c, s = torch.cos(angle), torch.sin(angle)
    return c * x - s * y, s * x + c * y


def smoothstep(e0: float, e1: float, v: Tensor) -> Tensor:
    u = ((v - e0) / (e1 - e0)).clamp(0, 1)
    return u * u * (3 - 2 * u)


def K(k: Tensor, i: int) -> Tensor:
    """Constant i of every image, (N, 1, 1)."""
    return k[:, i]


# ------------------------------------------------------------------------------------------------
# the programs
# ------------------------------------------------------------------------------------------------
def kali_fold(x: Tensor, y: Tensor, k: Tensor, s: Tensor, t: Tensor) -> Tensor:
    """Kali's iterated abs-fold fractal p <- |p| / |p|^2 - c, coloured by an orbit trap."""
    zoom = 0.3 + 0.9 * K(k, 12)
    px, py = rotate(x * zoom, y * zoom, TAU * K(k, 13))
    cx = 0.3 + 0.6 * K(k, 14) + 0.03 * torch.sin(0.7 * t)
    cy = 0.3 + 0.6 * K(k, 15) + 0.03 * torch.cos(0.5 * t)
    trap = torch.full((), 1e3)
    for _ in range(12):
        m = (px * px + py * py).clamp_min(1e-4)
        px, py = px.abs() / m - cx, py.abs() / m - cy
        trap = torch.minimum(trap, (px * px + py * py).sqrt() + 0.5 * (px * py).abs())
    return palette(torch.log(trap.clamp_min(1e-3)) * (0.3 + 0.4 * K(k, 16)), k)


def warped_fbm(x: Tensor, y: Tensor, k: Tensor, s: Tensor, t: Tensor) -> Tensor:
    """Domain-warped fBm: fbm(p + 4 fbm(p + 4 fbm(p))) (Quilez), the warp drifting with t."""
    sc = 1.0 + 3.0 * K(k, 12)
    px, py, table = x * sc, y * sc, noise_table(s)
    qx, qy = fbm(px + 0.1 * t, py, table), fbm(px + 5.2, py + 1.3 - 0.1 * t, table)
    rx = fbm(px + 4 * qx + 1.7, py + 4 * qy + 9.2 + 0.15 * t, table)
    ry = fbm(px + 4 * qx + 8.3 + 0.12 * t, py + 4 * qy + 2.8, table)
    v = fbm(px + 4 * rx, py + 4 * ry, table)
    return palette(v + 0.6 * (qx - qy) + K(k, 13), k)


def plasma(x: Tensor, y: Tensor, k: Tensor, s: Tensor, t: Tensor) -> Tensor:
    """Interference of plane waves and a radial wave (the classic demo-scene plasma)."""
    v = torch.zeros(())
    for i in range(4):
        a = TAU * K(k, 12 + i)
        f = 2 + 8 * K(k, 16 + i)
        v = v + torch.sin(f * (x * torch.cos(a) + y * torch.sin(a)) + t * (0.5 + i * 0.3))
    r = ((x - K(k, 20) + 0.5) ** 2 + (y - K(k, 21) + 0.5) ** 2).sqrt()
    v = v + torch.sin((4 + 10 * K(k, 22)) * r - t)
    return palette(v / 5, k)


def kaleidoscope(x: Tensor, y: Tensor, k: Tensor, s: Tensor, t: Tensor) -> Tensor:
    """Polar symmetry: the angle folded into m mirrored sectors, a pattern drawn in one sector."""
    m = torch.floor(3 + 9 * K(k, 12))
    r, a = (x * x + y * y).sqrt(), torch.atan2(y, x) + 0.1 * t
    sector = TAU / m
    a = (torch.remainder(a, sector) - sector / 2).abs()
    px, py = r * torch.cos(a), r * torch.sin(a)
    v = torch.sin((3 + 12 * K(k, 13)) * px + t) * torch.sin((3 + 12 * K(k, 14)) * py - 0.5 * t)
    v = v + 0.5 * torch.sin((5 + 15 * K(k, 15)) * r - t)
    return palette(v / 2 + r * K(k, 16), k)


def voronoi(x: Tensor, y: Tensor, k: Tensor, s: Tensor, t: Tensor) -> Tensor:
    """Cellular (Worley) pattern: distance to the nearest jittered, moving feature point; dark borders."""
    sc = 2.5 + 6 * K(k, 12)
    px, py = x * sc, y * sc
    cx, cy = torch.floor(px), torch.floor(py)
    fx, fy = px - cx, py - cy
    cx, cy = cx.long(), cy.long()
    f1 = torch.full_like(fx, 9.0).expand(k.shape[0], -1, -1)
    f2, cell = f1.clone(), torch.zeros_like(f1)
    for oy in (-1, 0, 1):
        for ox in (-1, 0, 1):
            hx, hy = hash2(cx + ox, cy + oy, s, 1), hash2(cx + ox, cy + oy, s, 2)
            dx = ox + 0.5 + 0.4 * torch.sin(t + TAU * hx) - fx
            dy = oy + 0.5 + 0.4 * torch.cos(0.8 * t + TAU * hy) - fy
            d = (dx * dx + dy * dy).sqrt()
            closer = d < f1
            f2 = torch.where(closer, f1, torch.minimum(f2, d))
            cell = torch.where(closer, hx, cell)
            f1 = torch.where(closer, d, f1)
    edge = smoothstep(0.0, 0.08 + 0.1 * K(k, 13), f2 - f1)
    return palette(cell * (0.5 + K(k, 14)) + f1 * K(k, 15), k) * edge[:, None]


def sdf_repeat(x: Tensor, y: Tensor, k: Tensor, s: Tensor, t: Tensor) -> Tensor:
    """Repeated 2-D signed-distance shapes (box <-> circle blend) with iso-distance rings."""
    px, py = rotate(x, y, TAU * K(k, 12))
    sc = 2 + 5 * K(k, 13)
    px, py = px * sc + 0.2 * t * (K(k, 14) - 0.5), py * sc + 0.2 * t * (K(k, 15) - 0.5)
    cx, cy = torch.floor(px), torch.floor(py)
    qx, qy = rotate(px - cx - 0.5, py - cy - 0.5, 0.3 * t * (K(k, 16) - 0.5))
    half = 0.15 + 0.25 * K(k, 17)
    ex, ey = qx.abs() - half, qy.abs() - half
    box = (ex.clamp_min(0) ** 2 + ey.clamp_min(0) ** 2).sqrt() + torch.maximum(ex, ey).clamp_max(0)
    circle = (qx * qx + qy * qy).sqrt() - half
    d = torch.lerp(box, circle, K(k, 18))
    rings = 0.6 + 0.4 * torch.cos(TAU * (4 + 8 * K(k, 19)) * d - t)
    id_ = hash2(cx.long(), cy.long(), s)
    return palette(d * 2 + id_ * K(k, 20), k) * rings[:, None]


def julia(x: Tensor, y: Tensor, k: Tensor, s: Tensor, t: Tensor) -> Tensor:
    """Julia set z <- z^2 + c, smooth escape-time colouring; c circles near the Mandelbrot boundary."""
    zoom = 0.6 + 0.9 * K(k, 12)
    zx, zy = rotate(x * zoom, y * zoom, TAU * K(k, 13))
    angle = TAU * K(k, 15) + 0.05 * t
    cx, cy = 0.7885 * torch.cos(angle), 0.7885 * torch.sin(angle)
    zx, zy = zx.expand(k.shape[0], -1, -1), zy.expand(k.shape[0], -1, -1)
    count = torch.zeros_like(zx)
    for _ in range(48):
        inside = zx * zx + zy * zy < 16.0
        zx, zy = torch.where(inside, zx * zx - zy * zy + cx, zx), torch.where(inside, 2 * zx * zy + cy, zy)
        count = count + inside.float()
    smooth = count - torch.log2(torch.log((zx * zx + zy * zy).clamp_min(1.0001)).clamp_min(1e-6) / math.log(4.0))
    return palette(torch.sqrt(smooth.clamp_min(0) / 48) * (1 + 3 * K(k, 16)), k)


def truchet(x: Tensor, y: Tensor, k: Tensor, s: Tensor, t: Tensor) -> Tensor:
    """Truchet tiles: quarter-circle arcs in randomly flipped cells, forming maze-like curves."""
    sc = 3 + 7 * K(k, 12)
    px, py = rotate(x, y, TAU * K(k, 13))
    px, py = px * sc + 0.3 * t, py * sc
    cx, cy = torch.floor(px), torch.floor(py)
    fx, fy = px - cx, py - cy
    flip = hash2(cx.long(), cy.long(), s) < 0.5
    fx = torch.where(flip, 1 - fx, fx)
    d1 = ((fx * fx + fy * fy).sqrt() - 0.5).abs()
    d2 = (((1 - fx) ** 2 + (1 - fy) ** 2).sqrt() - 0.5).abs()
    d = torch.minimum(d1, d2)
    line = smoothstep(0.08 + 0.15 * K(k, 14), 0.0, d)
    return palette(d * 2 + 0.1 * t + K(k, 15) * (cx + cy) / sc, k) * (0.35 + 0.65 * line)[:, None]


def interference(x: Tensor, y: Tensor, k: Tensor, s: Tensor, t: Tensor) -> Tensor:
    """Circular waves from moving point sources (a moiré of rings)."""
    v = torch.zeros(())
    for i in range(4):
        ox = 1.4 * (K(k, 12 + i) - 0.5) + 0.3 * torch.cos(t * (0.3 + 0.2 * i))
        oy = 1.4 * (K(k, 16 + i) - 0.5) + 0.3 * torch.sin(t * (0.4 + 0.1 * i))
        v = v + torch.sin((8 + 25 * K(k, 20)) * ((x - ox) ** 2 + (y - oy) ** 2).sqrt() - t)
    return palette(v / 4 * (0.5 + K(k, 21)), k)


def log_spiral(x: Tensor, y: Tensor, k: Tensor, s: Tensor, t: Tensor) -> Tensor:
    """Logarithmic spirals: waves in (angle, log radius), arms set by the class."""
    r, a = (x * x + y * y).sqrt().clamp_min(1e-3), torch.atan2(y, x)
    arms = torch.floor(1 + 7 * K(k, 12))
    twist = 2 + 8 * K(k, 13)
    v = torch.sin(arms * a + twist * torch.log(r) - t) + 0.5 * torch.sin(2 * arms * a - 0.5 * twist * torch.log(r) + t)
    return palette(v / 3 + r * K(k, 14), k) * smoothstep(0.0, 0.15, r)[:, None]


SHADERS: dict[str, Callable[[Tensor, Tensor, Tensor, Tensor, Tensor], Tensor]] = {
    "kali_fold": kali_fold, "warped_fbm": warped_fbm, "plasma": plasma, "kaleidoscope": kaleidoscope,
    "voronoi": voronoi, "sdf_repeat": sdf_repeat, "julia": julia, "truchet": truchet,
    "interference": interference, "log_spiral": log_spiral,
}


# ------------------------------------------------------------------------------------------------
# the image source
# ------------------------------------------------------------------------------------------------
def unit_grid(size: tuple[int, int], device: torch.device | str = "cpu") -> tuple[Tensor, Tensor]:
    """Pixel-centre unit coordinates x, y, each (1, H, W)."""
    h, w = size
    half = min(h, w) / 2
    xs = (torch.arange(w, device=device) + 0.5 - w / 2) / half
    ys = (torch.arange(h, device=device) + 0.5 - h / 2) / half
    return xs.expand(h, w)[None], ys[:, None].expand(h, w)[None]


def render_shaders(
    programs: Sequence[str], constants: Tensor, seeds: Tensor, times: Tensor, size: tuple[int, int],
    device: torch.device | str = "cpu",
) -> Tensor:
    """Run the named programs: (N,) names, constants (N, 24), seeds (N,), times (N,) -> float (N, 3, H, W)."""
    x, y = unit_grid(size, device)
    out = torch.empty(len(programs), 3, *size, device=device)
    for name in dict.fromkeys(programs):  # one batched call per program present
        idx = torch.tensor([i for i, p in enumerate(programs) if p == name], device=device)
        k = constants.to(device, torch.float32)[idx][:, :, None, None]
        s = seeds.to(device)[idx][:, None, None]
        t = times.to(device, torch.float32)[idx][:, None, None]
        out[idx] = SHADERS[name](x, y, k, s, t).expand(len(idx), 3, *size)
    return out


class ShaderImages(ProceduralImages):
    """Shader images: class c is program ``c % len(SHADERS)`` with constants drawn from (seed, c);
    instance j of class c is that program at time t ~ U(0.1, 10) drawn from (seed, c, j)."""

    def __init__(self, num_images: int, num_classes: int = 100, size: int | tuple[int, int] = 224, seed: int = 0,
                 device: torch.device | str = "cpu"):
        super().__init__(num_images, num_classes, size, seed)
        self.device = device

    def class_constants(self, label: int) -> tuple[str, Tensor, int]:
        g = rng(self.seed, label)
        return list(SHADERS)[label % len(SHADERS)], torch.from_numpy(g.random(NUM_CONSTANTS)), int(g.integers(2**20))

    def render_float(self, labels: Sequence[int], instances: Sequence[int]) -> Tensor:
        """Float images (N, 3, H, W) in [0, 1] on ``self.device``."""
        classes = [self.class_constants(c) for c in labels]
        times = torch.tensor([rng(self.seed, c, j, 1).uniform(0.1, 10.0) for c, j in zip(labels, instances)])
        return render_shaders(
            [c[0] for c in classes], torch.stack([c[1] for c in classes]), torch.tensor([c[2] for c in classes]),
            times, self.size, self.device,
        )

    def render(self, labels: Sequence[int], instances: Sequence[int]) -> Tensor:
        return self.render_float(labels, instances).mul_(255).round_().to(torch.uint8).cpu()
