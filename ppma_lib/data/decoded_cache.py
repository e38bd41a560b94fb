"""Decoded short videos kept in memory (``data.cache_mb``): a speed-up for small data sets.

MiniSynAPT's clips are 16 frames of 64 x 64 px (~200 KB decoded). A downstream suite decodes every train
video once per epoch and per job, and at that size decoding costs more than the model's step. A
:class:`DecodedVideos` cache decodes a video's frames once and answers later reads from memory: the same
pixels (every reader is frame-exact), at most ``budget`` bytes (least recently used out first), keyed by
path, size and modification time, so a rewritten file is decoded again. There is one cache per process
(each DataLoader worker has its own); it is off (``data.cache_mb: 0``) by default, as full-size videos of
hundreds of frames do not fit.
"""
from __future__ import annotations

import os
from collections import OrderedDict
from pathlib import Path
from typing import Any

import numpy as np
import torch

from ppma_lib.data.video import VideoReader, find_video, open_video


class MemoryReader(VideoReader):
    """A decoded video (uint8 ``(T, H, W, C)``) behind the reader interface."""

    def __init__(self, path: str | os.PathLike, frames: torch.Tensor, fps: float) -> None:
        self.path, self.frames, self.fps = Path(path), frames, fps

    def __len__(self) -> int:
        return self.frames.shape[0]

    def _get(self, idx: np.ndarray) -> np.ndarray:
        return self.frames.numpy()[idx]


class DecodedVideos:
    """An LRU of decoded videos, bounded in bytes; ``open`` returns a :class:`MemoryReader`."""

    def __init__(self) -> None:
        self._items: OrderedDict[tuple[str, int, int], MemoryReader] = OrderedDict()
        self._too_big: set[tuple[str, int, int]] = set()  # decoded once, larger than the budget
        self.bytes = self.hits = self.misses = 0

    def open(self, path: str | os.PathLike, budget: int, **open_kw: Any) -> VideoReader:
        """The video at ``path`` (``open_video``'s keyword arguments), decoded at most once while it stays
        within ``budget`` bytes of cache; one found larger than the budget is read directly from then on."""
        path = find_video(path)
        stat = path.stat() if path.exists() else None
        if stat is None or budget <= 0:
            return open_video(path, **open_kw)  # missing: open_video raises the usual VideoReadError
        key = (str(path), stat.st_size, stat.st_mtime_ns)
        if key in self._items:
            self.hits += 1
            self._items.move_to_end(key)
            return self._items[key]
        self.misses += 1
        if key in self._too_big:
            return open_video(path, **open_kw)
        with open_video(path, **open_kw) as reader:
            frames, fps = reader.get(range(len(reader))), reader.fps
        cached = MemoryReader(path, frames, fps)
        size = frames.numel()
        if size > budget:
            self._too_big.add(key)
            return cached
        self._items[key] = cached
        self.bytes += size
        while self.bytes > budget:
            _, old = self._items.popitem(last=False)
            self.bytes -= old.frames.numel()
        return cached


DECODED = DecodedVideos()  # this process's cache (DataLoader workers: one each)


def open_clip_video(path: str | os.PathLike, cache_mb: int, **open_kw: Any) -> VideoReader:
    """``open_video``, through this process's cache when ``cache_mb`` > 0."""
    return DECODED.open(path, cache_mb << 20, **open_kw) if cache_mb > 0 else open_video(path, **open_kw)
