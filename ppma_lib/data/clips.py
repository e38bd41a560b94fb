"""Which frames of a video make a clip: pure functions of (video length, fps, config, generator).

Two temporal samplers, both returning ``T`` frame indices:
- ``stride`` (VideoMAE §4, dense sampling): ``T`` frames ``stride`` apart from a random start;
  a video shorter than the span is padded by repeating its last frame.
- ``window`` (PPMA App. / OmniMAE): a random window of ``window_sec`` seconds (2.7 s) uniformly
  subsampled to ``T`` frames (pytorchvideo ``RandomClipSampler`` + ``UniformTemporalSubsample``);
  a video shorter than the window is subsampled whole, so frames repeat evenly.
At test time the ``N`` clips start evenly between the first and the last possible start
(pytorchvideo ``ConstantClipsPerVideoSampler``); each is then cut into ``M`` spatial crops
(:mod:`ppma_lib.data.transforms`), and the ``N x M`` views' scores are averaged per video
(:func:`average_views`; PPMA averages logits, VideoMAE softmax probabilities).
"""
from __future__ import annotations

from typing import Literal

import numpy as np
import torch

from ppma_lib.sections.data import DataConfig


def clip_span(fps: float, cfg: DataConfig) -> int:
    """Frames covered by one clip: ``(T - 1) * stride + 1``, or ``round(window_sec * fps)``."""
    if cfg.sampling == "stride":
        return (cfg.num_frames - 1) * cfg.stride + 1
    if fps <= 0:
        raise ValueError(f"window sampling needs fps > 0, got {fps}")
    return max(1, round(cfg.window_sec * fps))


def _clip_at(start: int, num_video_frames: int, fps: float, cfg: DataConfig) -> np.ndarray:
    """The ``T`` indices of the clip starting at frame ``start``."""
    n, t = num_video_frames, cfg.num_frames
    if cfg.sampling == "stride":
        return np.minimum(start + np.arange(t) * cfg.stride, n - 1)  # short video: repeat the last frame
    span = min(clip_span(fps, cfg), n - start)
    return start + np.linspace(0, span - 1, t).astype(np.int64)  # UniformTemporalSubsample (floor)


def _check(num_video_frames: int) -> None:
    if num_video_frames < 1:
        raise ValueError(f"a clip needs a video with at least one frame, got {num_video_frames}")


def train_clip(num_video_frames: int, fps: float, cfg: DataConfig, generator: np.random.Generator) -> np.ndarray:
    """One random clip -> int64 ``(T,)`` frame indices in ``[0, num_video_frames)``."""
    _check(num_video_frames)
    last_start = max(num_video_frames - clip_span(fps, cfg), 0)
    start = int(generator.integers(0, last_start + 1))
    return _clip_at(start, num_video_frames, fps, cfg)


def eval_clips(num_video_frames: int, fps: float, cfg: DataConfig, num_clips: int) -> np.ndarray:
    """``num_clips`` evenly spaced clips (deterministic) -> int64 ``(N, T)`` frame indices."""
    _check(num_video_frames)
    if num_clips < 1:
        raise ValueError(f"num_clips must be >= 1, got {num_clips}")
    last_start = max(num_video_frames - clip_span(fps, cfg), 0)
    starts = np.linspace(0, last_start, num_clips) if num_clips > 1 else np.array([last_start / 2])
    return np.stack([_clip_at(int(round(s)), num_video_frames, fps, cfg) for s in starts])



def average_views(
    logits: torch.Tensor, num_views: int, mode: Literal["logits", "softmax"] = "logits"
) -> torch.Tensor:
    """Per-video scores from its views: ``(N * V, K)`` (views of a video adjacent) -> ``(N, K)``.

    ``logits`` averages raw logits (PPMA ``AvgPooledAccuracyListMeter``); ``softmax`` averages
    probabilities (VideoMAE ``merge``).
    """
    if logits.ndim != 2 or logits.shape[0] % num_views:
        raise ValueError(f"expected (N * {num_views}, K) scores, got {tuple(logits.shape)}")
    if mode not in ("logits", "softmax"):
        raise ValueError(f"mode must be 'logits' or 'softmax', got {mode!r}")
    x = logits.float().softmax(dim=-1) if mode == "softmax" else logits.float()
    return x.reshape(-1, num_views, x.shape[-1]).mean(dim=1)
