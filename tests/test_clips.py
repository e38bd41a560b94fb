"""Clip sampling: indices in range, short videos padded, PPMA window, test clips, view averaging."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from ppma_lib.data.clips import average_views, clip_span, eval_clips, train_clip
from ppma_lib.sections.data import DataConfig

STRIDE = DataConfig(num_frames=16, sampling="stride", stride=4)
WINDOW = DataConfig(num_frames=16, sampling="window", window_sec=2.7)


def test_stride_clip_long_video() -> None:
    rng = np.random.default_rng(0)
    starts = set()
    for _ in range(200):
        idx = train_clip(300, 25.0, STRIDE, rng)
        assert idx.shape == (16,) and idx.dtype == np.int64
        assert (np.diff(idx) == 4).all() and 0 <= idx[0] and idx[-1] < 300
        starts.add(int(idx[0]))
    assert min(starts) < 20 and max(starts) > 220  # starts cover [0, 300 - 61]


def test_stride_clip_short_video_repeats_last_frame() -> None:
    idx = train_clip(10, 25.0, STRIDE, np.random.default_rng(0))
    assert idx.tolist() == [0, 4, 8] + [9] * 13


def test_window_clip_is_ppma_2p7s() -> None:
    assert clip_span(25.0, WINDOW) == 68 and clip_span(30.0, WINDOW) == 81  # round(2.7 * fps)
    idx = train_clip(250, 25.0, WINDOW, np.random.default_rng(1))
    assert idx[-1] - idx[0] == 67 and len(idx) == 16 and (np.diff(idx) >= 4).all()


def test_window_clip_short_video_subsamples_whole_video() -> None:
    idx = train_clip(20, 25.0, WINDOW, np.random.default_rng(0))
    assert idx[0] == 0 and idx[-1] == 19 and (np.diff(idx) >= 0).all() and len(idx) == 16


def test_train_clip_is_a_function_of_the_generator() -> None:
    a = train_clip(500, 25.0, STRIDE, np.random.default_rng(7))
    b = train_clip(500, 25.0, STRIDE, np.random.default_rng(7))
    assert (a == b).all()


@pytest.mark.parametrize("cfg", [STRIDE, WINDOW])
def test_eval_clips_evenly_spaced_and_deterministic(cfg: DataConfig) -> None:
    idx = eval_clips(300, 25.0, cfg, num_clips=2)
    span = clip_span(25.0, cfg)
    assert idx.shape == (2, 16)
    assert idx[0, 0] == 0 and idx[1, 0] == 300 - span and idx[1, -1] == 299  # first and last window
    assert (eval_clips(300, 25.0, cfg, 5) == eval_clips(300, 25.0, cfg, 5)).all()
    assert eval_clips(300, 25.0, cfg, 1)[0, 0] == round((300 - span) / 2)  # one clip: the centre


def test_eval_clips_short_video() -> None:
    idx = eval_clips(5, 25.0, STRIDE, num_clips=2)
    assert (idx >= 0).all() and (idx < 5).all() and (idx[0] == idx[1]).all()


def test_bad_inputs() -> None:
    with pytest.raises(ValueError, match="at least one frame"):
        train_clip(0, 25.0, STRIDE, np.random.default_rng(0))
    with pytest.raises(ValueError, match="num_clips"):
        eval_clips(10, 25.0, STRIDE, 0)


def test_average_views() -> None:
    logits = torch.tensor([[1.0, 0.0], [3.0, 0.0], [0.0, 10.0], [0.0, 0.0]])  # 2 videos x 2 views
    assert torch.allclose(average_views(logits, 2), torch.tensor([[2.0, 0.0], [0.0, 5.0]]))
    probs = average_views(logits, 2, mode="softmax")
    assert torch.allclose(probs.sum(-1), torch.ones(2))
    assert probs[1, 1] < 1.0  # one confident and one uniform view average to less than one
    with pytest.raises(ValueError, match=r"\(N \* 3, K\)"):
        average_views(logits, 3)
