"""``data.cache_mb``: decoded videos answered from memory, the same pixels as a fresh decode, within a budget."""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
import torch

from ppma_lib.data.datasets import VideoDataset
from ppma_lib.data.decoded_cache import DecodedVideos
from ppma_lib.data.synthetic import index_frames
from ppma_lib.data.video import VideoReadError, open_video, write_frames, write_video
from ppma_lib.sections.data import DataConfig


@pytest.fixture(scope="module")
def videos(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("cache_src")
    write_video(d / "a.mp4", index_frames(20, 32, 64), fps=10)
    write_video(d / "b.mp4", index_frames(12, 32, 64, offset=100), fps=10)
    write_frames(d / "c", index_frames(8, 32, 64, offset=200), ext="png")
    return d


def test_reads_from_memory_are_the_decoded_pixels(videos: Path) -> None:
    cache = DecodedVideos()
    for name in ("a.mp4", "b.mp4", "c"):
        idx = [7, 0, 3, 3] if name != "b.mp4" else [11, 2]
        with open_video(videos / name) as direct:
            expected = direct.get(idx)
        first, again = cache.open(videos / name, 1 << 20), cache.open(videos / name, 1 << 20)
        assert torch.equal(first.get(idx), expected) and torch.equal(again.get(idx), expected)
        assert len(again) == len(open_video(videos / name)) and again.fps > 0
    assert (cache.misses, cache.hits) == (3, 3)
    with pytest.raises(IndexError):
        cache.open(videos / "c", 1 << 20).get([8])
    with pytest.raises(VideoReadError, match="no such file"):
        cache.open(videos / "missing.mp4", 1 << 20)


def test_budget_evicts_the_least_recent_and_skips_what_does_not_fit(videos: Path) -> None:
    one = 20 * 32 * 64 * 3  # a.mp4 decoded
    cache = DecodedVideos()
    cache.open(videos / "a.mp4", one + 1)
    cache.open(videos / "b.mp4", one + 1)  # a.mp4 goes
    assert cache.bytes <= one + 1 and cache.open(videos / "b.mp4", one + 1) and cache.hits == 1
    cache.open(videos / "a.mp4", one + 1)
    assert cache.misses == 3
    small = DecodedVideos()
    small.open(videos / "a.mp4", 100)  # larger than the budget: never kept ...
    again = small.open(videos / "a.mp4", 100)
    assert small.misses == 2 and small.bytes == 0
    assert type(again).__name__ != "MemoryReader" and len(again) == 20  # ... and read directly the next time


def test_a_rewritten_video_is_decoded_again(tmp_path: Path) -> None:
    path = tmp_path / "v.mp4"
    write_video(path, index_frames(6, 32, 64), fps=10)
    cache = DecodedVideos()
    cache.open(path, 1 << 20)
    write_video(path, index_frames(9, 32, 64), fps=10)
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 1_000_000))
    assert len(cache.open(path, 1 << 20)) == 9 and cache.misses == 2


def test_datasets_give_the_same_samples_with_the_cache(videos: Path) -> None:
    items = [("a.mp4", 0), ("b.mp4", 1), ("c", 1)]
    base = dict(num_frames=4, stride=2, short_side=32, crop_size=32, randaugment=True)
    plain = VideoDataset(items, videos, DataConfig(root=str(videos), **base), seed=5)
    cached = VideoDataset(items, videos, DataConfig(root=str(videos), cache_mb=16, **base), seed=5)
    for epoch in range(2):  # the second pass reads from memory
        for i in range(3):
            a, b = plain[(i, 10 * epoch + i)], cached[(i, 10 * epoch + i)]
            assert torch.equal(a["video"], b["video"]) and a["label"] == b["label"]
    assert np.isfinite(cached[0]["video"].numpy()).all()
