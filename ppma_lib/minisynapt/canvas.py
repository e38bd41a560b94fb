"""Drawing a 2-D world through a moving camera: pixel grids, signed distances, noise, compositing.

Every layer of a MiniSynAPT clip (scene, props, actor) is a function of *world* coordinates,
evaluated for all T frames at once on the grid to which the camera maps each pixel centre. Camera
motion (pan, zoom, hand-held shake) thus comes for free to every layer, and nothing loops over
pixels or frames.

World units: 1 = the frame height at zoom 1; x to the right, y downwards, origin at the centre of
the frame at rest. Shapes are signed distance fields (negative inside) turned into anti-aliased
coverage with a one-pixel ramp.
"""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

Array = np.ndarray


@dataclass(frozen=True)
class View:
    """Where each pixel of each frame looks in the world.

    x, y: (T, H, W) world coordinates of pixel centres; px: (T, 1, 1) pixels per world unit;
    t: (T, 1, 1) clip time in [0, 1).
    """

    x: Array
    y: Array
    px: Array
    t: Array

    @property
    def shape(self) -> tuple[int, int, int]:
        return self.x.shape

    def window(self, lo: Array, hi: Array) -> tuple[slice, slice] | None:
        """The pixel rows and columns that see the world box [lo, hi] in any frame (None: none do)."""
        inside = (self.x >= lo[0]) & (self.x <= hi[0]) & (self.y >= lo[1]) & (self.y <= hi[1])
        rows, cols = np.flatnonzero(inside.any(axis=(0, 2))), np.flatnonzero(inside.any(axis=(0, 1)))
        if rows.size == 0 or cols.size == 0:
            return None
        return slice(rows[0], rows[-1] + 1), slice(cols[0], cols[-1] + 1)

    def crop(self, rows: slice, cols: slice) -> "View":
        return View(self.x[:, rows, cols], self.y[:, rows, cols], self.px, self.t)


def tcol(a: Array | float) -> Array | float:
    """A per-frame value (T,) -> (T, 1, 1) so it broadcasts over pixels; scalars pass through."""
    a = np.asarray(a, dtype=np.float32)
    return a.reshape(-1, 1, 1) if a.ndim == 1 else a


def camera(
    frames: int, height: int, width: int, rng: np.random.Generator,
    pan: float = 0.0, zoom: float = 0.0, shake: float = 0.0,
    centre: tuple[float, float] = (0.0, 0.0), scale: float = 1.0,
) -> View:
    """A camera that drifts, zooms and shakes smoothly over the clip.

    Args:
        pan: largest drift of the view centre over the whole clip (world units).
        zoom: largest log-zoom change over the clip (0.3 = up to x1.35 in or out).
        shake: standard deviation of the hand-held random walk per frame (world units).
        centre, scale: the view at rest (scale > 1 zooms in).
    """
    t = np.arange(frames, dtype=np.float32) / frames
    drift = rng.uniform(-pan, pan, size=2).astype(np.float32)
    log_zoom = np.float32(rng.uniform(-zoom, zoom))
    walk = np.cumsum(rng.normal(0.0, shake, size=(frames, 2)), axis=0).astype(np.float32)
    walk -= walk.mean(axis=0)  # shake around the planned path, not away from it
    cx = centre[0] + drift[0] * (t - 0.5) + walk[:, 0]
    cy = centre[1] + drift[1] * (t - 0.5) + walk[:, 1]
    z = scale * np.exp(log_zoom * (t - 0.5))
    u = (np.arange(width, dtype=np.float32) + 0.5 - width / 2) / height
    v = (np.arange(height, dtype=np.float32) + 0.5 - height / 2) / height
    x = cx[:, None, None] + u[None, None, :] / z[:, None, None]
    y = cy[:, None, None] + v[None, :, None] / z[:, None, None]
    shape = (frames, height, width)
    return View(
        x=np.broadcast_to(x, shape).astype(np.float32), y=np.broadcast_to(y, shape).astype(np.float32),
        px=(height * z).astype(np.float32).reshape(-1, 1, 1), t=t.reshape(-1, 1, 1),
    )


# --------------------------------------------------------------------------------------------------
# signed distances (world units, negative inside); points may be fixed (2,) or per frame (T, 2)
# --------------------------------------------------------------------------------------------------
def sd_capsule(v: View, a: Array, b: Array, r: Array | float) -> Array:
    """Distance to the segment a-b thickened by radius r -> (T, H, W) (or (P, T, H, W) for stacked
    segments a, b of shape (P, T, 1, 1, 2)). Written in place: it is the renderer's inner loop."""
    a, b = np.asarray(a, np.float32), np.asarray(b, np.float32)
    ax, ay = tcol(a[..., 0]), tcol(a[..., 1])
    bx, by = tcol(b[..., 0]) - ax, tcol(b[..., 1]) - ay
    inv = 1.0 / np.maximum(bx * bx + by * by, 1e-12)
    px, py = v.x - ax, v.y - ay
    h = px * bx
    h += py * by
    h *= inv
    np.clip(h, 0.0, 1.0, out=h)  # the closest point's position along the segment
    px -= h * bx
    py -= h * by
    px *= px
    py *= py
    px += py
    np.sqrt(px, out=px)
    px -= tcol(r)
    return px


def sd_disc(v: View, c: Array, r: Array | float) -> Array:
    c = np.asarray(c, np.float32)
    return np.hypot(v.x - tcol(c[..., 0]), v.y - tcol(c[..., 1])) - tcol(r)


def sd_box(v: View, c: Array, half: tuple[float, float] | Array, angle: Array | float = 0.0) -> Array:
    """Rotated rectangle of half-sizes ``half`` = (w/2, h/2) centred at c, turned by ``angle`` rad."""
    c, half = np.asarray(c, np.float32), np.asarray(half, np.float32)
    ca, sa = np.cos(tcol(angle)), np.sin(tcol(angle))
    dx, dy = v.x - tcol(c[..., 0]), v.y - tcol(c[..., 1])
    qx = np.abs(ca * dx + sa * dy) - tcol(half[..., 0])
    qy = np.abs(-sa * dx + ca * dy) - tcol(half[..., 1])
    return np.hypot(np.maximum(qx, 0), np.maximum(qy, 0)) + np.minimum(np.maximum(qx, qy), 0)


def sd_below(v: View, y0: Array | float) -> Array:
    """Half-plane y > y0 (the ground, a water line)."""
    return tcol(y0) - v.y


# --------------------------------------------------------------------------------------------------
# coverage, texture and compositing
# --------------------------------------------------------------------------------------------------
def coverage(v: View, d: Array) -> Array:
    """Anti-aliased coverage in [0, 1] of a shape with signed distance d (one-pixel ramp)."""
    return np.clip(0.5 - d * v.px, 0.0, 1.0)


def over(img: Array, alpha: Array, colour: Array) -> None:
    """Paint ``colour`` ((3,) or (T, H, W, 3)) over ``img`` (T, H, W, 3) with ``alpha`` (T, H, W), in place.

    Only the rows and columns that the shape covers in some frame are touched (most props are small).
    """
    rows, cols = np.flatnonzero(alpha.any(axis=(0, 2))), np.flatnonzero(alpha.any(axis=(0, 1)))
    if rows.size == 0:
        return
    r, c = slice(rows[0], rows[-1] + 1), slice(cols[0], cols[-1] + 1)
    colour = np.asarray(colour, np.float32)
    sub = img[:, r, c]  # a view: updated in place
    sub += alpha[:, r, c, None] * ((colour[:, r, c] if colour.ndim == 4 else colour) - sub)


def noise(v: View, rng: np.random.Generator, freq: float, cells: int = 16, drift: tuple[float, float] = (0, 0)) -> Array:
    """Smooth value noise in [0, 1] at ``freq`` lattice cells per world unit -> (T, H, W).

    Evaluated at world coordinates, so it moves with the camera; ``drift`` (world units per clip)
    moves the texture itself (water, clouds).
    """
    lattice = rng.random((cells, cells)).astype(np.float32)
    lattice = np.pad(lattice, ((0, 1), (0, 1)), mode="wrap")  # the seam interpolates across the wrap
    gx = np.mod((v.x - drift[0] * v.t) * freq, cells).reshape(-1, v.shape[-1])
    gy = np.mod((v.y - drift[1] * v.t) * freq, cells).reshape(-1, v.shape[-1])
    out = cv2.remap(lattice, gx, gy, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    return out.reshape(v.shape)


def gradient(v: View, y0: float, y1: float, top: Array, bottom: Array) -> Array:
    """Vertical colour ramp from ``top`` at y0 to ``bottom`` at y1 -> (T, H, W, 3)."""
    s = np.clip((v.y - y0) / (y1 - y0), 0.0, 1.0)[..., None]
    return (np.asarray(top, np.float32) * (1 - s) + np.asarray(bottom, np.float32) * s).astype(np.float32)


def to_uint8(img: Array) -> Array:
    return np.clip(img * 255.0 + 0.5, 0, 255).astype(np.uint8)
