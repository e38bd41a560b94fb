"""Rendering pseudo-motion videos from their per-step maps: composition and the two kernels.

Two modes (see transforms.py for the maps):
  * ``composed`` (default): frame t is one warp of the source image by the composed map
    ``start @ step^t`` (and one colour map), so there is no resampling blur build-up and all N x T
    frames are independent: one batched ``grid_sample`` on CUDA.
  * ``literal``: frame t is the previous frame warped by ``step`` (PMG Eq. 1 read literally);
    blur, black borders and 8-bit rounding accumulate. For fidelity comparisons.

Two kernels, chosen for speed on their device (``PMGConfig.kernel``):
  * ``opencv``: uint8 ``cv2.warpAffine`` / ``warpPerspective`` per frame (affine maps take the 3x
    cheaper affine path), videos spread over a thread pool (OpenCV releases the GIL). Float
    ``grid_sample`` on CPU is ~10x slower than this.
  * ``grid_sample``: float bilinear ``F.grid_sample`` on (N, C, 1, H, W) with an (N, T, H, W, 3)
    grid: the frame axis comes out of the depth axis, no copy of the source per frame.
Both sample at pixel centres (OpenCV's convention, ``align_corners=False``), so they agree up to
OpenCV's 1/32-pixel fixed-point interpolation and uint8 rounding.
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Iterator

import cv2
import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor

from ppma_lib.pmg.transforms import Motion

BORDERS = {"zeros": cv2.BORDER_CONSTANT, "reflection": cv2.BORDER_REFLECT, "border": cv2.BORDER_REPLICATE}
INTERPOLATION = {"bilinear": cv2.INTER_LINEAR, "nearest": cv2.INTER_NEAREST}


# ------------------------------------------------------------------------------------------------
# composition
# ------------------------------------------------------------------------------------------------
def powers(step: Tensor, num: int) -> Tensor:
    """step^0, ..., step^(num-1): (N, k, k) -> (N, num, k, k), by doubling (log2(num) matmuls)."""
    n, k, _ = step.shape
    out = torch.eye(k, dtype=step.dtype).expand(n, 1, k, k)
    sq = step[:, None]
    while out.shape[1] < num:
        out = torch.cat([out, out @ sq], 1)
        sq = sq @ sq
    return out[:, :num]


def frame_maps(motion: Motion, num_frames: int) -> tuple[Tensor, Tensor, Tensor]:
    """Per-frame maps of every video: geometry (N, T, 3, 3), colour (N, T, 4, 4), paste (N, T, 3, 3)."""
    geometry = motion.start[:, None] @ powers(motion.step, num_frames)
    colour = powers(motion.color_step, num_frames) @ motion.color_start[:, None]
    paste = motion.paste_start[:, None] @ powers(motion.paste_step, num_frames)
    return geometry, colour, paste


def to_pixels(m: Tensor, size: tuple[int, int]) -> Tensor:
    """Unit-coordinate maps -> pixel maps (pixel centres at integers, OpenCV's convention)."""
    h, w = size
    half = min(h, w) / 2
    k = torch.tensor([[half, 0, w / 2 - 0.5], [0, half, h / 2 - 0.5], [0, 0, 1]], dtype=m.dtype)
    k_inv = torch.tensor([[1 / half, 0, (0.5 - w / 2) / half], [0, 1 / half, (0.5 - h / 2) / half], [0, 0, 1]],
                         dtype=m.dtype)
    # batched products of tiny matrices; an unbatched operand would send them to a threaded BLAS gemm
    return k.expand_as(m) @ m @ k_inv.expand_as(m)


def to_normalized(m: Tensor, size: tuple[int, int]) -> Tensor:
    """Unit-coordinate maps -> ``grid_sample`` coordinates ([-1, 1] edge to edge, align_corners=False)."""
    h, w = size
    d = torch.tensor([min(h, w) / w, min(h, w) / h, 1.0], dtype=m.dtype)
    return d[:, None] * m / d


def is_identity(m: Tensor) -> Tensor:
    """(N, ..., k, k) -> (N,) bool: every map of the video is the identity."""
    eye = torch.eye(m.shape[-1], dtype=m.dtype)
    return (m - eye).abs().flatten(1).amax(1) < 1e-9


def box_alpha(size: tuple[int, int], boxes: Tensor) -> Tensor:
    """(N, 4) boxes x0, y0, x1, y1 in unit coordinates -> (N, H, W) bool, 1 = inside the box."""
    h, w = size
    half = min(h, w) / 2
    xs = (torch.arange(w, dtype=boxes.dtype, device=boxes.device) + 0.5 - w / 2) / half
    ys = (torch.arange(h, dtype=boxes.dtype, device=boxes.device) + 0.5 - h / 2) / half
    b = boxes[:, :, None]
    inside_x = (xs >= b[:, 0]) & (xs < b[:, 2])  # (N, W)
    inside_y = (ys >= b[:, 1]) & (ys < b[:, 3])  # (N, H)
    return inside_y[:, :, None] & inside_x[:, None, :]


# ------------------------------------------------------------------------------------------------
# the OpenCV kernel: uint8, (N, H, W, C) -> (N, T, H, W, C)
# ------------------------------------------------------------------------------------------------
@contextmanager
def _opencv_threads(n: int) -> Iterator[None]:
    """OpenCV's own row threads cost more than they give on 224^2 frames: one thread per video instead."""
    before = cv2.getNumThreads()
    cv2.setNumThreads(n)
    try:
        yield
    finally:
        cv2.setNumThreads(before)


def _warp(src: np.ndarray, m: np.ndarray, out: np.ndarray, border: int, interpolation: str = "bilinear") -> None:
    h, w = out.shape[:2]
    flags = INTERPOLATION[interpolation] | cv2.WARP_INVERSE_MAP  # our maps go frame -> image
    m = m / m[2, 2]
    if m[2, 0] == 0 and m[2, 1] == 0:
        cv2.warpAffine(src, m[:2], (w, h), dst=out, flags=flags, borderMode=border, borderValue=0)
    else:
        cv2.warpPerspective(src, m, (w, h), dst=out, flags=flags, borderMode=border, borderValue=0)


def _recolor(frame: np.ndarray, c: np.ndarray) -> None:
    if np.all(c[:3, :3] == c[0, 0] * np.eye(3)) and np.all(c[:3, 3] == 0):  # a fade: one gain, SIMD path
        cv2.convertScaleAbs(frame, dst=frame, alpha=float(c[0, 0]))
    else:
        cv2.transform(frame, c[:3] * np.array([1, 1, 1, 255.0]), dst=frame)  # offsets in 0..255 units


def _composite(frame: np.ndarray, layer: np.ndarray) -> None:
    """Alpha-composite an RGBA layer (h, w, C+1) onto a frame (h, w, C), in place."""
    a = layer[..., -1:].astype(np.uint16)
    frame[...] = ((layer[..., :-1] * a + frame * (255 - a) + 127) // 255).astype(np.uint8)


def _paste(frame: np.ndarray, image: np.ndarray, m: np.ndarray, box: np.ndarray) -> None:
    """Draw the box (x0, y0, x1, y1 in pixels) of ``image`` read through the pixel map ``m`` onto
    ``frame``, in place: only the box is warped, into only the rectangle it lands on, and OpenCV's
    transparent border leaves every pixel outside the box to the background. Nearest-pixel sampling,
    like a pasted patch: whole pixels move, no blended rim."""
    h, w = frame.shape[:2]
    cx0, cy0, cx1, cy1 = np.ceil(box).astype(int)  # the pixels whose centres are inside the box
    corners = np.array([[box[0], box[1], 1], [box[2], box[1], 1], [box[0], box[3], 1], [box[2], box[3], 1]])
    dst = corners @ np.linalg.inv(m).T
    dst = dst[:, :2] / dst[:, 2:]
    x0, y0 = np.maximum(np.floor(dst.min(0)).astype(int) - 1, 0)
    x1, y1 = np.minimum(np.ceil(dst.max(0)).astype(int) + 2, (w, h))
    if x1 <= x0 or y1 <= y0 or cx1 <= cx0 or cy1 <= cy0:
        return
    shift = np.array([[1, 0, -cx0], [0, 1, -cy0], [0, 0, 1.0]]) @ m @ np.array([[1, 0, x0], [0, 1, y0], [0, 0, 1.0]])
    _warp(image[cy0:cy1, cx0:cx1], shift, frame[y0:y1, x0:x1], cv2.BORDER_TRANSPARENT, "nearest")


def render_opencv(
    images: np.ndarray, motion: Motion, num_frames: int, mode: str = "composed", padding: str = "zeros",
    as_float: bool = False,
) -> np.ndarray:
    """uint8 images (N, H, W, C) -> videos (N, T, H, W, C), uint8 or (``as_float``) float32 in [0, 1].
    Colour maps need C = 3."""
    n, h, w, c = images.shape
    size, border = (h, w), BORDERS[padding]
    out = np.empty((n, num_frames, h, w, c), np.uint8)
    geometry, colour, paste = frame_maps(motion, num_frames)
    moves, tints = ~is_identity(geometry), ~is_identity(colour)
    pastes = motion.paste_from >= 0
    if mode == "composed":
        geometry, paste = to_pixels(geometry, size).numpy(), to_pixels(paste, size).numpy()
    else:
        geometry = to_pixels(torch.stack([motion.start, motion.step], 1), size).numpy()
        paste = to_pixels(torch.stack([motion.paste_start, motion.paste_step], 1), size).numpy()
        colour = torch.stack([motion.color_start, motion.color_step], 1)
    colour = colour.numpy()
    layers = boxes = None
    if pastes.any():
        half = min(h, w) / 2
        boxes = (motion.paste_box * half + torch.tensor([w, h, w, h]) / 2 - 0.5).numpy()  # unit -> pixels
        if mode == "literal":  # the layer is re-warped whole, its alpha marks the box
            alpha = box_alpha(size, motion.paste_box).numpy()[..., None].astype(np.uint8) * 255
            layers = np.concatenate([images[motion.paste_from.clamp(min=0).numpy()], alpha], -1)

    def composed(i: int) -> None:
        if moves[i]:
            for t in range(num_frames):
                _warp(images[i], geometry[i, t], out[i, t], border)
        else:
            out[i] = images[i]
        if tints[i]:
            for t in range(num_frames):
                _recolor(out[i, t], colour[i, t])
        if pastes[i]:
            for t in range(num_frames):
                _paste(out[i, t], images[motion.paste_from[i]], paste[i, t], boxes[i])

    def literal(i: int) -> None:
        first, step = geometry[i]
        _warp(images[i], first, out[i, 0], border)
        _recolor(out[i, 0], colour[i, 0])
        for t in range(1, num_frames):
            _warp(out[i, t - 1], step, out[i, t], border)
            _recolor(out[i, t], colour[i, 1])
        if pastes[i]:
            layer = np.empty((num_frames, h, w, c + 1), np.uint8)
            _warp(layers[i], paste[i, 0], layer[0], cv2.BORDER_CONSTANT, "nearest")
            for t in range(1, num_frames):
                _warp(layer[t - 1], paste[i, 1], layer[t], cv2.BORDER_CONSTANT, "nearest")
            for t in range(num_frames):
                _composite(out[i, t], layer[t])

    floats = np.empty(out.shape, np.float32) if as_float else None

    def video(i: int) -> None:
        composed(i) if mode == "composed" else literal(i)
        if floats is not None:  # while the video is hot in cache; numpy's cast is ~3x torch's here
            np.multiply(out[i], np.float32(1 / 255), out=floats[i])

    workers = max(1, min(torch.get_num_threads(), n))
    with _opencv_threads(1), ThreadPoolExecutor(workers) as pool:
        list(pool.map(video, range(n)))
    return out if floats is None else floats


# ------------------------------------------------------------------------------------------------
# the grid_sample kernel: float, any device, (N, C, H, W) -> (N, C, T, H, W)
# ------------------------------------------------------------------------------------------------
def _grid(maps: Tensor, size: tuple[int, int]) -> Tensor:
    """(N, T, 3, 3) normalized maps -> (N, T, H, W, 3) sampling grid (x, y, 0) for a depth-1 volume."""
    h, w = size
    n, t = maps.shape[:2]
    xs = torch.arange(w, device=maps.device, dtype=maps.dtype).mul_(2 / w).add_(1 / w - 1)
    ys = torch.arange(h, device=maps.device, dtype=maps.dtype).mul_(2 / h).add_(1 / h - 1)
    base = torch.stack([xs.expand(h, w), ys[:, None].expand(h, w), torch.ones(h, w, device=maps.device)], -1)
    grid = base.view(1, 1, h * w, 3) @ maps.transpose(-1, -2)  # (N, T, H*W, 3)
    grid[..., :2] /= grid[..., 2:].clamp_min(1e-6)  # a point behind the camera lands far outside
    grid[..., 2] = 0
    return grid.view(n, t, h, w, 3)


def _sample(images: Tensor, maps: Tensor, padding: str, mode: str = "bilinear") -> Tensor:
    """(N, C, H, W) read through (N, T, 3, 3) normalized maps -> (N, C, T, H, W)."""
    grid = _grid(maps.to(images.device, torch.float32), images.shape[-2:])
    return F.grid_sample(images[:, :, None], grid, mode=mode, padding_mode=padding, align_corners=False)


def _recolor_torch(videos: Tensor, colour: Tensor) -> Tensor:
    """(N, 3, T, H, W) through (N, T, 4, 4) homogeneous colour maps."""
    colour = colour.to(videos.device, videos.dtype)
    out = torch.einsum("ntij,njthw->nithw", colour[..., :3, :3], videos)
    return out + colour[..., :3, 3].transpose(1, 2)[..., None, None]


def render_torch(
    images: Tensor, motion: Motion, num_frames: int, mode: str = "composed", padding: str = "zeros"
) -> Tensor:
    """float images (N, C, H, W) in [0, 1] -> float videos (N, C, T, H, W) in [0, 1], on their device."""
    size, dev = tuple(images.shape[-2:]), images.device
    # which videos need which step is known on CPU: index with long tensors (no device sync)
    pasted = (motion.paste_from >= 0).nonzero().flatten()
    if len(pasted):  # the CutMix layer: the other image plus an alpha channel marking the box
        alpha = box_alpha(size, motion.paste_box[pasted].to(dev))[:, None].to(images.dtype)
        layers = torch.cat([images[motion.paste_from[pasted].to(dev)], alpha], 1)
    if mode == "composed":
        geometry, colour, paste = frame_maps(motion, num_frames)
        videos = _sample(images, to_normalized(geometry, size), padding)
        tinted = (~is_identity(colour)).nonzero().flatten()
        if len(tinted):
            videos[tinted.to(dev)] = _recolor_torch(videos[tinted.to(dev)], colour[tinted])
        if len(pasted):
            layer = _sample(layers, to_normalized(paste[pasted], size), "zeros", "nearest")
            i = pasted.to(dev)
            videos[i] = torch.lerp(videos[i], layer[:, :-1], layer[:, -1:])  # alpha is 0 or 1
        return videos.clamp_(0, 1)
    # literal: re-warp the previous frame T-1 times
    maps = to_normalized(torch.stack([motion.start, motion.step], 1), size)
    colour = torch.stack([motion.color_start, motion.color_step], 1)
    frames = [_recolor_torch(_sample(images, maps[:, :1], padding), colour[:, :1]).clamp_(0, 1)]
    for _ in range(1, num_frames):
        frames.append(_recolor_torch(_sample(frames[-1][:, :, 0], maps[:, 1:], padding), colour[:, 1:]).clamp_(0, 1))
    videos = torch.cat(frames, 2)
    if len(pasted):
        paste = to_normalized(torch.stack([motion.paste_start, motion.paste_step], 1), size)[pasted]
        layer = [_sample(layers, paste[:, :1], "zeros", "nearest")]
        for _ in range(1, num_frames):
            layer.append(_sample(layer[-1][:, :, 0], paste[:, 1:], "zeros", "nearest"))
        layer = torch.cat(layer, 2)
        i = pasted.to(dev)
        videos[i] = torch.lerp(videos[i], layer[:, :-1], layer[:, -1:])
    return videos
