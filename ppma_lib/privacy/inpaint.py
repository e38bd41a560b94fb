"""Flow-guided video inpainting, classical and offline (PPMA §3.1 step 2).

PPMA/HAT inpaint with E2FGVI, whose three stages (flow completion, flow-guided propagation,
hallucination of never-seen content) come from FGVC; ProPainter runs the propagation in image space
with a reliability check. We keep that recipe and replace each learned part by a classical one:

1. Flow: DIS flow between neighbouring frames, completed inside the hole (``flow.py``).
2. Propagation: sweep backward (t <- t+1), then forward (t <- t-1), through the clip. A hole pixel p
   of frame t takes its content from q = p + F_t->s(p) in the neighbour s when (ProPainter's check)
   - the source is known in s: q and its 3 bilinear neighbours lie outside s's remaining hole,
   - the flows agree: |F_t->s(p) + F_s->t(q)|^2 < fb_tol (5 px^2),
   - and the content travelled fewer frames than what p holds already (the nearer source wins, so
     the forward sweep improves on the backward one; repeated rounds only improve).
   Pixels filled in s earlier in the sweep are known, so content travels across many frames. What
   travels is *where the colour comes from* (a frame and a sub-pixel position in it), not the
   colour: chains compose by a nearest lookup plus the sub-pixel offset, and each colour is sampled
   once, bilinearly, at the end (FGVC follows flow chains for this reason: copying colours hop by
   hop would blur them at every resample).
3. Hallucination (as FGVC): pixels never seen (e.g. behind a person who never moves) are filled
   spatially (OpenCV Telea / Navier-Stokes) on a keyframe, the frame with most of them, and that
   fill is then propagated like real content, so that neighbouring frames agree (no flicker).

Native resolution, and only hole pixels are written: outside the hole the output is bit-exact.
Memory: about 40 bytes per pixel of the clip (flows, source maps, copies): ~1.2 GB for 300 frames
at 426x240. Longer clips can be cut into overlapping windows by the caller.
"""
from __future__ import annotations

import cv2
import numpy as np

from ppma_lib.privacy.flow import completed_flows
from ppma_lib.privacy.masks import box_around

SPATIAL = {"telea": cv2.INPAINT_TELEA, "ns": cv2.INPAINT_NS}
UNSEEN = np.iinfo(np.uint16).max  # hop count of a pixel with no source yet


def inpaint_video(frames: np.ndarray, hole: np.ndarray, *, flow_preset: str = "medium",
                  flow_margin: int = 8, fb_tol: float = 5.0, sweeps: int = 2, max_keyframes: int = 8,
                  spatial: str = "telea", radius: int = 5) -> np.ndarray:
    """frames uint8 (T,H,W,3), hole uint8 (T,H,W) 1 = masked -> uint8 (T,H,W,3) with holes filled."""
    if frames.shape[:3] != hole.shape:
        raise ValueError(f"frames {frames.shape} and hole {hole.shape} differ in (T,H,W)")
    if spatial not in SPATIAL:
        raise ValueError(f"spatial must be one of {sorted(SPATIAL)}, got {spatial!r}")
    hole = hole.astype(bool)
    out = frames.copy()
    if not hole.any():
        return out
    fwd, bwd = completed_flows(frames, hole.astype(np.uint8), flow_preset, flow_margin)
    src = Sources(frames, hole)
    propagate(src, fwd, bwd, fb_tol, sweeps)
    hallucinate(src, fwd, bwd, fb_tol, max_keyframes, SPATIAL[spatial], radius)
    out[hole] = src.sample(*np.nonzero(hole))
    return out


class Sources:
    """Where the content of every pixel comes from.

    canvas uint8 (T,H,W,3): colours that may be sampled (the frames, plus keyframe fills)
    known bool (T,H,W): the canvas holds a real colour there (outside the hole, or spatially filled)
    frame int16 (T,H,W): frame holding a pixel's colour (-1 = no source yet)
    pos float32 (T,H,W,2): (x, y) of that colour in that frame
    hops uint16 (T,H,W): frames the content travelled (0 = its own; UNSEEN = no source yet)
    """

    def __init__(self, frames: np.ndarray, hole: np.ndarray) -> None:
        T, H, W = hole.shape
        self.canvas, self.known = frames.copy(), ~hole
        self.frame = np.where(hole, -1, np.arange(T, dtype=np.int16)[:, None, None]).astype(np.int16)
        self.grid = np.stack(np.meshgrid(np.arange(W, dtype=np.float32), np.arange(H, dtype=np.float32)), -1)
        self.pos = np.broadcast_to(self.grid, (T, H, W, 2)).copy()
        self.hops = np.where(hole, UNSEEN, 0).astype(np.uint16)

    def sample(self, t: np.ndarray, y: np.ndarray, x: np.ndarray) -> np.ndarray:
        """Colours (n,3) uint8 of pixels (t, y, x) that have a source: bilinear over known canvas pixels."""
        T, H, W = self.known.shape
        s = self.frame[t, y, x].astype(np.intp)
        px = np.clip(self.pos[t, y, x, 0], 0, W - 1)
        py = np.clip(self.pos[t, y, x, 1], 0, H - 1)
        x0 = np.minimum(np.floor(px).astype(np.intp), max(W - 2, 0))
        y0 = np.minimum(np.floor(py).astype(np.intp), max(H - 2, 0))
        fx, fy = (px - x0)[:, None], (py - y0)[:, None]
        x1, y1 = np.minimum(x0 + 1, W - 1), np.minimum(y0 + 1, H - 1)
        total, weight = np.zeros((len(s), 3), np.float32), np.zeros((len(s), 1), np.float32)
        for yy, xx, w in ((y0, x0, (1 - fx) * (1 - fy)), (y0, x1, fx * (1 - fy)),
                          (y1, x0, (1 - fx) * fy), (y1, x1, fx * fy)):
            w = w * self.known[s, yy, xx][:, None]  # never mix in the person under a neighbour's hole
            total += w * self.canvas[s, yy, xx]
            weight += w
        nearest = self.canvas[s, np.rint(py).astype(np.intp), np.rint(px).astype(np.intp)]
        return np.where(weight > 1e-6, total / np.maximum(weight, 1e-6), nearest).round().astype(np.uint8)

    def render(self, t: int) -> np.ndarray:
        """Frame t as filled so far (uint8 (H,W,3)); pixels with no source keep the canvas colour."""
        img = self.canvas[t].copy()
        y, x = np.nonzero(~self.known[t] & (self.frame[t] >= 0))
        img[y, x] = self.sample(np.full_like(y, t), y, x)
        return img

    def fill_spatially(self, t: int, method: int, radius: int) -> None:
        """Inpaint the pixels of frame t that have no source; they become known canvas pixels."""
        m = self.frame[t] < 0
        self.canvas[t][m] = cv2.inpaint(self.render(t), m.astype(np.uint8), radius, method)[m]
        self.known[t][m], self.frame[t][m], self.pos[t][m], self.hops[t][m] = True, t, self.grid[m], 0


# --------------------------------------------------------------------------------------------------
# 2. propagation
# --------------------------------------------------------------------------------------------------
def propagate(src: Sources, fwd: np.ndarray, bwd: np.ndarray, fb_tol: float, rounds: int) -> None:
    """Backward then forward sweeps, repeated ``rounds`` times or until nothing changes."""
    for _ in range(rounds):
        if sweep(src, fwd, bwd, fb_tol, backward=True) + sweep(src, fwd, bwd, fb_tol, backward=False) == 0:
            break


def sweep(src: Sources, fwd: np.ndarray, bwd: np.ndarray, fb_tol: float, backward: bool) -> int:
    """One pass filling frame t from s = t+1 (backward) or s = t-1 (forward); returns pixels updated."""
    T, H, W = src.known.shape
    updated = 0
    for t in (range(T - 2, -1, -1) if backward else range(1, T)):
        target = ~src.known[t]  # hole pixels: missing, or filled and open to a nearer source
        if not target.any():
            continue
        s = t + 1 if backward else t - 1
        to_s, from_s = (fwd[t], bwd[t]) if backward else (bwd[s], fwd[s])
        box = box_around(target)
        g, f = src.grid[box], to_s[box]
        qx, qy = g[..., 0] + f[..., 0], g[..., 1] + f[..., 1]
        # bilinear sample of "no source" (border = unknown): any unknown neighbour rejects q
        unknown = cv2.remap((src.frame[s] < 0).astype(np.float32), qx, qy, cv2.INTER_LINEAR,
                            borderMode=cv2.BORDER_CONSTANT, borderValue=1.0) > 0
        back = cv2.remap(from_s, qx, qy, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
        consistent = ((f + back) ** 2).sum(-1) < fb_tol
        xi = np.clip(np.rint(qx), 0, W - 1).astype(np.intp)
        yi = np.clip(np.rint(qy), 0, H - 1).astype(np.intp)
        hops = src.hops[s][yi, xi].astype(np.int32) + 1
        ok = target[box] & ~unknown & consistent & (hops < src.hops[t][box])
        if not ok.any():
            continue
        yo, xo = yi[ok], xi[ok]
        # compose the chain: q's source position, moved by q's offset from the pixel centre it reads
        offset = np.stack([qx[ok] - xo, qy[ok] - yo], -1)
        src.frame[t][box][ok] = src.frame[s][yo, xo]
        src.pos[t][box][ok] = src.pos[s][yo, xo] + offset
        src.hops[t][box][ok] = hops[ok]
        updated += int(ok.sum())
    return updated


# --------------------------------------------------------------------------------------------------
# 3. never-seen pixels: spatial fill on keyframes, propagated
# --------------------------------------------------------------------------------------------------
def hallucinate(src: Sources, fwd: np.ndarray, bwd: np.ndarray, fb_tol: float, max_keyframes: int,
                method: int, radius: int) -> None:
    for _ in range(max_keyframes):
        unseen = (src.frame < 0).sum((1, 2))
        if not unseen.any():
            return
        src.fill_spatially(int(unseen.argmax()), method, radius)
        propagate(src, fwd, bwd, fb_tol, rounds=1)
    for t in np.flatnonzero((src.frame < 0).any((1, 2))):  # keyframe budget spent: frame by frame
        src.fill_spatially(int(t), method, radius)
