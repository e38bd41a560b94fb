"""Video transforms: one set of random parameters per clip, eval crops, MixUp/CutMix targets."""
from __future__ import annotations

import pytest
import torch

from ppma_lib.data.transforms import BatchMix, eval_views, spatial_crops, to_model_layout, to_video, train_transform
from ppma_lib.sections.data import DataConfig

HEAVY = DataConfig(
    num_frames=6, short_side=40, crop_size=32, flip=True, randaugment=True, randaug_prob=1.0, erase_prob=1.0
)


def _static_clip(t: int = 6, h: int = 48, w: int = 64) -> torch.Tensor:
    """uint8 (T, H, W, C): the same textured frame T times."""
    frame = torch.randint(0, 256, (1, h, w, 3), generator=torch.Generator().manual_seed(0), dtype=torch.uint8)
    return frame.expand(t, -1, -1, -1).contiguous()


def test_train_transform_applies_the_same_params_to_every_frame() -> None:
    transform = train_transform(HEAVY)
    torch.manual_seed(0)
    for _ in range(5):  # crop, flip, 4 RandAugment ops and a random-noise erased cube, all shared
        out = to_model_layout(transform(to_video(_static_clip())))
        assert out.shape == (3, 6, 32, 32) and out.dtype == torch.float32
        assert torch.equal(out[:, :1].expand_as(out), out)


def test_train_transform_varies_between_calls_and_normalises() -> None:
    cfg = DataConfig(short_side=40, crop_size=32)
    transform = train_transform(cfg)
    torch.manual_seed(0)
    a, b = (transform(to_video(_static_clip())) for _ in range(2))
    assert not torch.equal(a, b)  # two views, two crops
    flat = to_model_layout(transform(to_video(torch.full((2, 40, 40, 3), 124, dtype=torch.uint8))))
    assert flat[0].abs().max() < 0.05  # 124/255 is about the ImageNet red mean


def test_spatial_crops_left_centre_right() -> None:
    x = torch.arange(96.0).expand(2, 3, 32, 96)  # value = column
    crops = spatial_crops(x, 32, 3)
    assert [c.shape[-2:] for c in crops] == [(32, 32)] * 3
    assert [c[0, 0, 0, 0].item() for c in crops] == [0.0, 32.0, 64.0]
    tall = spatial_crops(x.transpose(-1, -2), 32, 3)  # portrait: top/centre/bottom
    assert [c[0, 0, 0, 0].item() for c in tall] == [0.0, 32.0, 64.0]
    with pytest.raises(ValueError, match="short side"):
        spatial_crops(x, 40, 3)


def test_eval_views_layout() -> None:
    frames = _static_clip(4, 48, 96).expand(2, -1, -1, -1, -1)  # (N=2, T=4, H, W, C)
    views = eval_views(frames, DataConfig(crop_size=32, short_side=32), num_crops=3)
    assert views.shape == (6, 3, 4, 32, 32)
    assert torch.equal(views[0], views[3]) and not torch.equal(views[0], views[1])  # clip-major order


def test_batch_mix_targets_and_consistency() -> None:
    cfg = DataConfig(mixup=0.8, cutmix=1.0, label_smoothing=0.1)
    mix = BatchMix(cfg, num_classes=5)
    video = torch.randn(4, 3, 1, 16, 16).expand(-1, -1, 6, -1, -1).contiguous()  # static clips
    labels = torch.tensor([0, 1, 2, 3])
    for seed in range(6):
        out, targets = mix(video, labels, torch.Generator().manual_seed(seed))
        assert out.shape == video.shape and targets.shape == (4, 5)
        assert torch.allclose(targets.sum(1), torch.ones(4))
        assert targets.min() >= 0.1 / 5 - 1e-6  # smoothing floor
        assert torch.equal(out[:, :, :1].expand_as(out), out)  # same box / weight on every frame
    again, _ = mix(video, labels, torch.Generator().manual_seed(5))
    assert torch.equal(again, out)  # a function of the generator


def test_batch_mix_off_gives_smoothed_one_hot() -> None:
    video = torch.randn(2, 3, 2, 8, 8)
    out, targets = BatchMix(DataConfig(label_smoothing=0.1), 4)(video, torch.tensor([1, 3]), torch.Generator())
    assert torch.equal(out, video)
    assert torch.allclose(targets[0], torch.tensor([0.025, 0.925, 0.025, 0.025]))
