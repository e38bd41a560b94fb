"""The eight PMG transformations as per-video motion parameters (PMG §3.2, Eq. 1).

PMG draws one transformation f and one strength θ per video and applies I_{i+1} = f_θ(I_i).
We write every f_θ as a constant per-step map, so the whole video is described by a few matrices:

  * geometric (identity, sliding window, zoom, affine, perspective): a 3x3 homography ``step`` that
    maps a pixel of frame i+1 to where it is read in frame i, plus a ``start`` map for the first
    frame (the window a sliding-window or zoom video opens on). Frame t reads the image at
    ``start @ step^t``: applying ``step`` t times to the previous frame and warping the image once
    by the composed map give the same picture, up to resampling (composed mode has no blur build-up);
  * photometric (fade, colour jitter): a 4x4 homogeneous colour map per step, on RGB in [0, 1];
  * CutMix: a second layer, a box cut from another image of the batch, moved by its own ``paste_step``
    over the static image.

Homographies act on *unit* coordinates (see ranges.py): origin at the image centre, half the shorter
side = 1, so the frame spans ``[-ex, ex] x [-ey, ey]`` with ``(ex, ey) = (W, H) / min(H, W)``.
Everything is sampled in float64 on CPU from an explicit ``torch.Generator``; a CPU run and a GPU run
with the same seed therefore get the same motion.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, fields, replace
from typing import Callable

import numpy as np
import torch
from torch import Tensor

from ppma_lib.pmg.ranges import MotionRanges
from ppma_lib.sections.pmg import ALL_TRANSFORMS

F64 = torch.float64
GRAY = (0.299, 0.587, 0.114)  # ITU-R 601 luma, as torchvision's rgb_to_grayscale


@dataclass(frozen=True)
class Motion:
    """Motion of N videos. Frame t of video n is, for a pixel x in unit coordinates,

        V[n, :, t](x) = colour_t( I[n]( start @ step^t x ) ),   colour_t = color_step^t @ color_start

    and, where ``paste_from[n] >= 0``, the box ``paste_box[n]`` of image ``paste_from[n]`` read through
    ``paste_start @ paste_step^t`` is drawn on top.
    """

    kind: Tensor  # (N,) index into ALL_TRANSFORMS
    start: Tensor  # (N, 3, 3) first frame's map, frame -> image
    step: Tensor  # (N, 3, 3) frame i+1 -> frame i
    color_start: Tensor  # (N, 4, 4) homogeneous RGB map of the first frame
    color_step: Tensor  # (N, 4, 4)
    paste_from: Tensor  # (N,) long, the pasted image's index in the batch, -1 = no paste
    paste_start: Tensor  # (N, 3, 3)
    paste_step: Tensor  # (N, 3, 3)
    paste_box: Tensor  # (N, 4) x0, y0, x1, y1 of the box in the pasted image's unit coordinates

    def __len__(self) -> int:
        return self.kind.shape[0]

    @staticmethod
    def identity(n: int) -> "Motion":
        return Motion(
            kind=torch.zeros(n, dtype=torch.long), start=eye(n), step=eye(n),
            color_start=eye(n, 4), color_step=eye(n, 4), paste_from=torch.full((n,), -1, dtype=torch.long),
            paste_start=eye(n), paste_step=eye(n), paste_box=torch.zeros(n, 4, dtype=F64),
        )

    def where(self, mask: Tensor, other: "Motion") -> "Motion":
        """Per video: ``self`` where ``mask``, else ``other``."""
        def pick(a: Tensor, b: Tensor) -> Tensor:
            return torch.where(mask.view(-1, *[1] * (a.dim() - 1)), a, b)
        return Motion(**{f.name: pick(getattr(self, f.name), getattr(other, f.name)) for f in fields(self)})


# ------------------------------------------------------------------------------------------------
# batched 3x3 / 4x4 building blocks, (N, ...) -> (N, k, k)
# ------------------------------------------------------------------------------------------------
def eye(n: int, k: int = 3) -> Tensor:
    return torch.eye(k, dtype=F64).expand(n, k, k).clone()


def translate(t: Tensor) -> Tensor:
    m = eye(t.shape[0])
    m[:, :2, 2] = t
    return m


def scale(s: Tensor) -> Tensor:
    """``s`` (N,) isotropic or (N, 2) per axis."""
    s = s[:, None].expand(-1, 2) if s.dim() == 1 else s
    m = eye(s.shape[0])
    m[:, 0, 0], m[:, 1, 1] = s[:, 0], s[:, 1]
    return m


def rotate(theta: Tensor) -> Tensor:
    m = eye(theta.shape[0])
    c, s = torch.cos(theta), torch.sin(theta)
    m[:, 0, 0], m[:, 0, 1], m[:, 1, 0], m[:, 1, 1] = c, -s, s, c
    return m


def shear(phi: Tensor) -> Tensor:
    m = eye(phi.shape[0])
    m[:, 0, 1] = torch.tan(phi)
    return m


def about(center: Tensor, m: Tensor) -> Tensor:
    """``m`` applied about ``center`` (N, 2) instead of the origin."""
    return translate(center) @ m @ translate(-center)


def homography(dst: Tensor, src: Tensor) -> Tensor:
    """The homography H with src ~ H dst for 4 point pairs (N, 4, 2) (direct linear transform, h33 = 1)."""
    x, y = dst[..., 0], dst[..., 1]
    u, v = src[..., 0], src[..., 1]
    one, zero = torch.ones_like(x), torch.zeros_like(x)
    rows_u = torch.stack([x, y, one, zero, zero, zero, -x * u, -y * u], -1)
    rows_v = torch.stack([zero, zero, zero, x, y, one, -x * v, -y * v], -1)
    a = torch.cat([rows_u, rows_v], 1)  # (N, 8, 8)
    # numpy's solve: torch's threaded LAPACK costs ~10 ms on these tiny systems when cores are busy
    h = torch.from_numpy(np.linalg.solve(a.numpy(), torch.cat([u, v], 1).numpy()[..., None])[..., 0])
    return torch.cat([h, torch.ones_like(h[:, :1])], 1).view(-1, 3, 3)


def color_scale(f: Tensor) -> Tensor:
    m = eye(f.shape[0], 4)
    m[:, :3, :3] *= f[:, None, None]
    return m


def extents(size: tuple[int, int]) -> Tensor:
    """(ex, ey): half width and half height in units, for an image of size (H, W)."""
    h, w = size
    return torch.tensor([w, h], dtype=F64) / min(h, w)


# ------------------------------------------------------------------------------------------------
# the eight transformations: each returns the motion of n videos, all of that kind
# ------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Draw:
    """What a transformation's sampler needs; ``u(...)`` draws uniforms in [0, 1)."""

    n: int
    num_frames: int
    ext: Tensor  # (2,)
    ranges: MotionRanges
    strength: float
    pivot: Tensor  # (N,) grey mean of each image: the contrast pivot
    generator: torch.Generator

    def u(self, *shape: int) -> Tensor:
        return torch.rand(self.n, *shape, generator=self.generator, dtype=F64)

    def uniform(self, lo: float, hi: float, *shape: int) -> Tensor:
        return lo + (hi - lo) * self.u(*shape)

    def symmetric(self, x: float, *shape: int) -> Tensor:
        """Uniform in [-x, x] x strength."""
        return self.strength * self.uniform(-x, x, *shape)

    def toward_one(self, r: tuple[float, float]) -> Tensor:
        """A factor in ``r`` (<= 1) whose distance to 1 is scaled by strength."""
        return 1.0 - self.strength * (1.0 - self.uniform(*r))

    def heading(self, speed: tuple[float, float]) -> Tensor:
        """A velocity (N, 2) of uniform direction and speed."""
        angle = self.uniform(0.0, 2 * math.pi)
        return self.strength * self.uniform(*speed)[:, None] * torch.stack([angle.cos(), angle.sin()], -1)

    def path(self, v: Tensor, room: Tensor) -> tuple[Tensor, Tensor]:
        """A straight path of T-1 steps of v that stays in [-room, room] (N, 2): (start, v), v slowed if needed."""
        travel = v * (self.num_frames - 1)
        fit = (2 * room / travel.abs().clamp_min(1e-12)).amin(-1).clamp(max=1.0)
        v, travel = v * fit[:, None], travel * fit[:, None]
        lo, hi = -room - travel.clamp(max=0), room - travel.clamp(min=0)
        return lo + (hi - lo) * self.u(2), v


def identity(d: Draw) -> Motion:
    return Motion.identity(d.n)


def sliding_window(d: Draw) -> Motion:
    s = d.uniform(*d.ranges.window)  # view size, fraction of the image
    v = d.heading(d.ranges.window_speed)  # in view units: the image moves by s * v per step
    c0, v_img = d.path(s[:, None] * v, d.ext * (1 - s[:, None]))
    return replace(Motion.identity(d.n), start=translate(c0) @ scale(s), step=translate(v_img / s[:, None]))


def zoom(d: Draw) -> Motion:
    r = d.toward_one(d.ranges.zoom_step)
    c = d.uniform(-d.ranges.zoom_center, d.ranges.zoom_center, 2) * d.ext  # the fixed point
    zoom_out = d.u() < 0.5
    step_in, step_out = about(c, scale(r)), about(c, scale(1 / r))
    first_out = about(c, scale(r ** (d.num_frames - 1)))  # zoom-out opens zoomed in and ends on the image
    m = Motion.identity(d.n)
    return replace(
        m,
        start=torch.where(zoom_out[:, None, None], first_out, m.start),
        step=torch.where(zoom_out[:, None, None], step_out, step_in),
    )


def fade(d: Draw) -> Motion:
    beta = d.toward_one(d.ranges.fade_step)
    fade_in = (d.u() < 0.5)[:, None, None]
    m = Motion.identity(d.n)
    return replace(
        m,
        color_start=torch.where(fade_in, color_scale(beta ** (d.num_frames - 1)), m.color_start),
        color_step=torch.where(fade_in, color_scale(1 / beta), color_scale(beta)),
    )


def affine(d: Draw) -> Motion:
    r = d.ranges
    step = (
        translate(d.symmetric(r.affine_translation, 2))
        @ rotate(torch.deg2rad(d.symmetric(r.affine_rotation)))
        @ shear(torch.deg2rad(d.symmetric(r.affine_shear)))
        @ scale(torch.exp(d.symmetric(r.affine_scale)))
    )
    return replace(Motion.identity(d.n), step=step)


def perspective(d: Draw) -> Motion:
    ex, ey = d.ext.tolist()
    corners = torch.tensor([[-ex, -ey], [ex, -ey], [ex, ey], [-ex, ey]], dtype=F64).expand(d.n, 4, 2)
    reach = d.strength * d.uniform(*d.ranges.perspective_distortion)
    moved = corners + reach[:, None, None] * d.uniform(-1.0, 1.0, 4, 2)
    return replace(Motion.identity(d.n), step=homography(corners, moved))


def color_jitter(d: Draw) -> Motion:
    r = d.ranges
    b = 1 + d.symmetric(r.jitter_brightness)
    c = 1 + d.symmetric(r.jitter_contrast)
    s = 1 + d.symmetric(r.jitter_saturation)
    hue = 2 * math.pi * d.symmetric(r.jitter_hue)
    gray = torch.tensor(GRAY, dtype=F64)
    contrast = color_scale(c)  # c x + (1 - c) mean: torchvision pivots on the grey mean
    contrast[:, :3, 3] = ((1 - c) * d.pivot)[:, None]
    saturation = eye(d.n, 4)  # s x + (1 - s) grey(x)
    saturation[:, :3, :3] = s[:, None, None] * torch.eye(3, dtype=F64) + (1 - s)[:, None, None] * gray
    # hue: a rotation about the grey axis (linear stand-in for torchvision's HSV shift)
    k = torch.full((3,), 3 ** -0.5, dtype=F64)
    kx = torch.tensor([[0, -k[2], k[1]], [k[2], 0, -k[0]], [-k[1], k[0], 0]], dtype=F64)
    cos, sin = hue.cos()[:, None, None], hue.sin()[:, None, None]
    rot = eye(d.n, 4)
    rot[:, :3, :3] = cos * torch.eye(3, dtype=F64) + sin * kx + (1 - cos) * torch.outer(k, k)
    return replace(Motion.identity(d.n), color_step=rot @ saturation @ contrast @ color_scale(b))


def cutmix(d: Draw) -> Motion:
    r = d.ranges
    n = d.n
    partner = (torch.arange(n) + torch.randint(1, max(n, 2), (n,), generator=d.generator)) % n
    area = d.uniform(*r.cutmix_area) * 4 * d.ext.prod()
    aspect = torch.exp(d.uniform(math.log(r.cutmix_aspect[0]), math.log(r.cutmix_aspect[1])))
    half = torch.stack([(area * aspect).sqrt(), (area / aspect).sqrt()], -1).div(2).minimum(d.ext)
    room = d.ext - half
    box_center = room * d.uniform(-1.0, 1.0, 2)  # where the box is cut from, in the other image
    p0, v = d.path(d.heading(r.cutmix_speed), room)  # where it is drawn, over the static image
    return replace(
        Motion.identity(n),
        paste_from=partner, paste_start=translate(box_center - p0), paste_step=translate(-v),
        paste_box=torch.cat([box_center - half, box_center + half], -1),
    )


TRANSFORMS: dict[str, Callable[[Draw], Motion]] = {
    "identity": identity, "sliding_window": sliding_window, "zoom": zoom, "fade": fade, "affine": affine,
    "perspective": perspective, "color_jitter": color_jitter, "cutmix": cutmix,
}
assert tuple(TRANSFORMS) == ALL_TRANSFORMS


def sample_motion(
    n: int,
    transforms: tuple[str, ...],
    num_frames: int,
    size: tuple[int, int],
    generator: torch.Generator,
    *,
    ranges: MotionRanges = MotionRanges(),
    strength: float = 1.0,
    pivot: Tensor | None = None,
) -> Motion:
    """Draw one transformation and its strength per video, uniformly from ``transforms`` (PMG §3.2).

    Args:
        n: number of videos N.
        transforms: the allowed set φ (names from ALL_TRANSFORMS).
        num_frames: T.
        size: (H, W) of the images.
        generator: a CPU ``torch.Generator``; every draw is made from it.
        ranges: the per-step ranges; ``strength`` scales their distance from "no motion".
        pivot: (N,) grey mean of each image in [0, 1] (colour-jitter contrast pivot); default 0.5.
    """
    unknown = set(transforms) - set(TRANSFORMS)
    if unknown or not transforms:
        raise ValueError(f"unknown or empty transform set {transforms}; choose from {ALL_TRANSFORMS}")
    ids = torch.tensor([ALL_TRANSFORMS.index(t) for t in transforms])
    kind = ids[torch.randint(len(ids), (n,), generator=generator)]
    pivot = torch.full((n,), 0.5, dtype=F64) if pivot is None else pivot.detach().to("cpu", F64)
    d = Draw(n, num_frames, extents(size), ranges, strength, pivot, generator)
    motion = Motion.identity(n)
    for i, name in enumerate(ALL_TRANSFORMS):  # all run, so a kind's draws do not depend on the set
        motion = TRANSFORMS[name](d).where(kind == i, motion)
    return replace(motion, kind=kind)
