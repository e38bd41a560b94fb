"""Optical flow between neighbouring frames and its completion inside the hole.

Flow-guided inpainting (FGVC, E2FGVI, ProPainter) first needs the motion of the *background* behind
the person. Two things keep the person's own motion out of it:
- the flow of a frame pair is measured with the pair's joint hole (hole_t | hole_t+1) filled
  spatially in both frames, so DIS sees no moving person (learned inpainters feed masked frames to
  their flow networks for the same reason); under a static camera both fills are identical;
- inside that hole, grown by a margin where DIS's 8 px patches straddle the outline, the flow is
  discarded and refilled from the surrounding flow (FGVC's "flow completion"; here by pull-push
  interpolation: smooth, exact for a pan or a static camera). OpenCV's Telea is no good for this:
  on float images it does not even reproduce a constant field.
"""
from __future__ import annotations

import cv2
import numpy as np

from ppma_lib.privacy.masks import box_around, dilate

PRESETS = {"ultrafast": cv2.DISOPTICAL_FLOW_PRESET_ULTRAFAST, "fast": cv2.DISOPTICAL_FLOW_PRESET_FAST,
           "medium": cv2.DISOPTICAL_FLOW_PRESET_MEDIUM}
PREFILL_RADIUS = 3  # px; the prefill only has to hide the person from DIS, not to look right
COMPLETION_CONTEXT = 32  # px of known flow around the hole that the completion reads


def neighbour_flows(frames: np.ndarray, hole: np.ndarray, preset: str = "medium"
                    ) -> tuple[np.ndarray, np.ndarray]:
    """frames uint8 (T,H,W,3), hole uint8 (T,H,W) 1 = masked -> (fwd, bwd) float32 (T-1,H,W,2).

    fwd[t] maps frame t to t+1 (pixel p of t sits at p + fwd[t](p) in t+1); bwd[t] maps t+1 to t.
    """
    dis = cv2.DISOpticalFlow_create(PRESETS[preset])
    T, H, W = frames.shape[:3]
    fwd = np.zeros((max(T - 1, 0), H, W, 2), np.float32)
    bwd = np.zeros_like(fwd)
    gray = np.stack([cv2.cvtColor(f, cv2.COLOR_RGB2GRAY) for f in frames])
    for t in range(T - 1):
        joint = hole[t] | hole[t + 1]
        a, b = gray[t].copy(), gray[t + 1].copy()
        if joint.any():
            box = box_around(joint, PREFILL_RADIUS + 1)
            for g in (a, b):
                g[box] = cv2.inpaint(g[box], joint[box], PREFILL_RADIUS, cv2.INPAINT_TELEA)
        fwd[t], bwd[t] = dis.calc(a, b, None), dis.calc(b, a, None)
    return fwd, bwd


def pull_push(values: np.ndarray, known: np.ndarray) -> np.ndarray:
    """Fill unknown pixels by pull-push interpolation (Gortler et al. 1996, "The Lumigraph").

    values float32 (H,W,C), known float32 (H,W) in [0,1] -> float32 (H,W,C). Pull: average the known
    values down a 2x pyramid until every pixel is covered; push: fill each level's gaps with the
    bilinear upsampling of the level below. Smooth, exact on constant fields, O(H W).
    """
    H, W = known.shape
    w = known[..., None]
    if known.min() > 0 or min(H, W) < 2:
        total = float(known.sum())
        mean = (values * w).sum((0, 1)) / max(total, 1e-6) if total > 0 else np.zeros(values.shape[-1])
        return np.where(w > 0, values, mean.astype(np.float32))
    size = ((W + 1) // 2, (H + 1) // 2)
    weight = cv2.resize(known, size, interpolation=cv2.INTER_AREA)
    coarse_sum = cv2.resize(values * w, size, interpolation=cv2.INTER_AREA).reshape(*weight.shape, -1)
    coarse = pull_push(coarse_sum / np.maximum(weight, 1e-6)[..., None], weight)
    up = cv2.resize(coarse, (W, H), interpolation=cv2.INTER_LINEAR).reshape(values.shape)
    return w * values + (1 - w) * up


def complete_flow(flow: np.ndarray, hole: np.ndarray) -> np.ndarray:
    """Replace flow inside the hole by a smooth interpolation of the flow around it.

    flow float32 (H,W,2), hole uint8 (H,W) 1 = masked -> float32 (H,W,2), unchanged outside the hole.
    """
    if not hole.any():
        return flow
    if hole.all():  # nothing to interpolate from: assume a static camera
        return np.zeros_like(flow)
    box = box_around(hole, COMPLETION_CONTEXT)
    h, known = hole[box] > 0, (hole[box] == 0).astype(np.float32)
    out = flow.copy()
    out[box] = np.where(h[..., None], pull_push(flow[box] * known[..., None], known), flow[box])
    return out


def completed_flows(frames: np.ndarray, hole: np.ndarray, preset: str = "medium",
                    margin: int = 8) -> tuple[np.ndarray, np.ndarray]:
    """DIS flows of a clip, completed inside each pair's joint hole grown by ``margin`` px.

    frames uint8 (T,H,W,3), hole uint8 (T,H,W) 1 = masked -> fwd, bwd float32 (T-1,H,W,2).
    """
    fwd, bwd = neighbour_flows(frames, hole, preset)
    if len(fwd) == 0:
        return fwd, bwd
    distrust = dilate(hole[:-1] | hole[1:], margin, cv2.MORPH_RECT)
    for t in range(len(fwd)):
        fwd[t] = complete_flow(fwd[t], distrust[t])
        bwd[t] = complete_flow(bwd[t], distrust[t])
    return fwd, bwd
