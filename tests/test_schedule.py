"""The per-step lr: warmup start, peak, cosine end, the halved-restart quirk, and group scaling."""
from __future__ import annotations

import math

import pytest
import torch

from ppma_lib.train.schedule import lr_at, set_lr

KW = dict(total_steps=100, warmup_steps=10, peak_lr=1e-3, warmup_lr=1e-6, min_lr=1e-5)


def test_endpoints() -> None:
    assert lr_at(0, **KW) == pytest.approx(1e-6)  # warmup starts at warmup_lr
    assert lr_at(10, **KW) == pytest.approx(1e-3)  # peak right after the warmup
    assert lr_at(100, **KW) == pytest.approx(1e-5)  # cosine ends at min_lr
    assert lr_at(55, **KW) == pytest.approx((1e-3 + 1e-5) / 2)  # half way down the cosine


def test_warmup_is_linear_and_cosine_monotone() -> None:
    warm = [lr_at(s, **KW) for s in range(11)]
    steps = [b - a for a, b in zip(warm, warm[1:])]
    assert max(steps) - min(steps) < 1e-12
    down = [lr_at(s, **KW) for s in range(10, 101)]
    assert all(b < a for a, b in zip(down, down[1:]))


def test_no_warmup_and_clamping() -> None:
    kw = dict(KW, warmup_steps=0)
    assert lr_at(0, **kw) == pytest.approx(1e-3)
    assert lr_at(1000, **kw) == pytest.approx(1e-5)  # past the end stays at the floor
    with pytest.raises(ValueError, match="warmup_steps"):
        lr_at(0, total_steps=5, warmup_steps=6, peak_lr=1.0)


def test_halved_restart_quirk() -> None:
    kw = dict(KW, halved_restart=True)
    assert lr_at(9, **kw) == pytest.approx(1e-6 + (1e-3 - 1e-6) * 0.9)  # warmup untouched
    assert lr_at(10, **kw) == pytest.approx(5e-4)  # the released configs restart at peak / 2
    assert lr_at(100, **kw) == pytest.approx(1e-5)


def test_set_lr_scales_groups() -> None:
    p, q = torch.nn.Parameter(torch.zeros(1)), torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.AdamW([{"params": [p], "lr_scale": 0.25}, {"params": [q]}], lr=1.0)
    set_lr(opt, 2e-3)
    assert [g["lr"] for g in opt.param_groups] == [pytest.approx(5e-4), pytest.approx(2e-3)]
    assert math.isclose(lr_at(3, total_steps=4, warmup_steps=0, peak_lr=1.0), 0.5 * (1 + math.cos(math.pi * 0.75)))
