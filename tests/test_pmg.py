"""Pseudo Motion Generator: determinism, the eight transforms, composed vs literal, both kernels, mixing, PMG-Aug."""
from __future__ import annotations

import dataclasses

import pytest
import torch

from ppma_lib.config import ConfigError, build
from ppma_lib.pmg.dataset import PseudoMotionBatch, PseudoMotionDataset, build_pretraining
from ppma_lib.pmg.generator import PseudoMotionGenerator
from ppma_lib.pmg.mix import mix_batch, mixup, pmg_augment, sample_lambda, videomix
from ppma_lib.pmg.transforms import sample_motion
from ppma_lib.pmg.warp import frame_maps, powers
from ppma_lib.sections.pmg import ALL_TRANSFORMS, PMGConfig

KERNELS = ("opencv", "grid_sample")


def smooth_images(n: int = 4, h: int = 40, w: int = 56, seed: int = 0) -> torch.Tensor:
    """Low-frequency colour images (N, 3, H, W) in [0, 1]: interpolation differences stay small on them."""
    g = torch.Generator().manual_seed(seed)
    coarse = torch.rand(n, 3, 5, 7, generator=g)
    return torch.nn.functional.interpolate(coarse, size=(h, w), mode="bicubic", align_corners=False).clamp(0, 1)


def pmg(**kw) -> PseudoMotionGenerator:
    return PseudoMotionGenerator(PMGConfig(**{"mix": "none", "num_frames": 8, **kw}))


def gen(seed: int = 0) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


@pytest.mark.parametrize("kernel", KERNELS)
def test_same_seed_same_video(kernel):
    images = smooth_images()
    p = pmg(transforms=ALL_TRANSFORMS, kernel=kernel, mix="mixup")
    a, b, c = p(images, gen(1)), p(images, gen(1)), p(images, gen(2))
    assert torch.equal(a, b)
    assert not torch.equal(a, c)


@pytest.mark.parametrize("kernel", KERNELS)
@pytest.mark.parametrize("mode", ["composed", "literal"])
@pytest.mark.parametrize("size", [(40, 56), (48, 32)])  # non-square both ways
def test_shapes_and_range_every_transform(kernel, mode, size):
    images = smooth_images(len(ALL_TRANSFORMS), *size)
    for name in ALL_TRANSFORMS:
        v = pmg(transforms=(name,), kernel=kernel, mode=mode)(images, gen())
        assert v.shape == (len(ALL_TRANSFORMS), 3, 8, *size) and v.dtype == torch.float32, name
        assert torch.isfinite(v).all() and v.min() >= 0 and v.max() <= 1, name


@pytest.mark.parametrize("kernel", KERNELS)
def test_uint8_in_uint8_out(kernel):
    images = (smooth_images() * 255).round().to(torch.uint8)
    v = pmg(transforms=("zoom", "affine"), kernel=kernel, mix="mixup")(images, gen())
    assert v.dtype == torch.uint8 and v.shape == (4, 3, 8, 40, 56)


@pytest.mark.parametrize("kernel", KERNELS)
def test_identity_is_static(kernel):
    images = smooth_images()
    v = pmg(transforms=("identity",), kernel=kernel)(images, gen())
    expected = images[:, :, None].expand_as(v)
    assert (v - expected).abs().max() <= 1 / 255 + 1e-6  # exact up to 8-bit rounding


@pytest.mark.parametrize("kernel", KERNELS)
def test_zero_strength_is_static(kernel):
    images = smooth_images()
    v = pmg(transforms=("zoom", "affine", "perspective", "fade", "color_jitter"), strength=0.0, kernel=kernel)(
        images, gen()
    )
    assert (v - v[:, :, :1]).abs().max() <= 1 / 255 + 1e-6


@pytest.mark.parametrize("kernel", KERNELS)
@pytest.mark.parametrize("name", ["affine", "perspective", "zoom", "fade", "color_jitter"])
def test_one_composed_step_equals_one_literal_step(kernel, name):
    """With T = 2 both modes apply the step once to the image, wherever the first frame is the image itself
    (zoom-out and fade-in open on a transformed view, which the literal mode then re-samples)."""
    images = smooth_images(8)
    p = {m: pmg(transforms=(name,), kernel=kernel, num_frames=2, mode=m) for m in ("composed", "literal")}
    motion = p["composed"].sample(images, gen(3), 2)
    plain = [i for i in range(8) if torch.equal(motion.start[i], torch.eye(3, dtype=torch.float64))
             and torch.equal(motion.color_start[i], torch.eye(4, dtype=torch.float64))]
    assert plain
    composed, literal = (p[m].render(images, motion, 2)[plain] for m in ("composed", "literal"))
    assert torch.equal(composed[:, :, 0], literal[:, :, 0])
    assert (composed[:, :, 1] - literal[:, :, 1]).abs().max() <= 1 / 255 + 1e-5, name


def test_literal_accumulates_blur_composed_does_not():
    """Composed frames are one resampling of the image; literal ones T-1 resamplings (fidelity mode)."""
    g = gen(0)
    images = torch.rand(4, 3, 48, 48, generator=g)  # high-frequency content shows blur
    sharp = pmg(transforms=("affine",), mode="composed", kernel="grid_sample", strength=0.3)(images, gen(5))
    blurry = pmg(transforms=("affine",), mode="literal", kernel="grid_sample", strength=0.3)(images, gen(5))
    centre = (slice(None), slice(None), -1, slice(16, 32), slice(16, 32))

    def detail(v: torch.Tensor) -> float:
        return float(v[centre].diff(dim=-1).abs().mean())

    assert detail(blurry) < 0.8 * detail(sharp)


def test_zoom_scale_monotonic():
    m = sample_motion(64, ("zoom",), 16, (32, 32), gen(0))
    geometry, _, _ = frame_maps(m, 16)
    magnification = torch.linalg.det(geometry[:, :, :2, :2]).rsqrt()  # (N, T): image side / view side
    steps = magnification.diff(dim=1)
    zoom_in = steps[:, 0] > 0
    assert 0 < zoom_in.sum() < 64  # both directions are drawn
    assert (steps[zoom_in] > 0).all() and (steps[~zoom_in] < 0).all()
    assert torch.allclose(magnification[~zoom_in, -1], torch.ones(int((~zoom_in).sum()), dtype=torch.float64))
    assert (magnification[zoom_in, -1] > 1.15).all()  # ranges: at least 1.16x over 15 steps


def test_views_stay_inside_the_image():
    """Sliding window and zoom never show what is outside the image (no border frames)."""
    m = sample_motion(64, ("sliding_window", "zoom"), 16, (30, 50), gen(4))
    geometry, _, _ = frame_maps(m, 16)
    ex, ey = 50 / 30, 1.0
    corners = torch.tensor([[-ex, -ey, 1], [ex, -ey, 1], [ex, ey, 1], [-ex, ey, 1]], dtype=torch.float64)
    src = corners @ geometry.transpose(-1, -2)  # (N, T, 4, 3)
    assert (src[..., 0].abs() <= ex + 1e-9).all() and (src[..., 1].abs() <= ey + 1e-9).all()


def test_only_allowed_transforms_are_drawn():
    m = sample_motion(200, ("zoom", "affine"), 16, (32, 32), gen(0))
    drawn = {ALL_TRANSFORMS[k] for k in m.kind.tolist()}
    assert drawn == {"zoom", "affine"}


def test_powers_match_matrix_power():
    step = torch.eye(3, dtype=torch.float64) + 0.05 * torch.randn(5, 3, 3, generator=gen(0), dtype=torch.float64)
    p = powers(step, 11)
    for t in (0, 1, 6, 10):
        assert torch.allclose(p[:, t], torch.linalg.matrix_power(step, t))


@pytest.mark.parametrize("name", ALL_TRANSFORMS)
def test_opencv_and_grid_sample_kernels_agree(name):
    images = smooth_images(6)
    a = pmg(transforms=(name,), kernel="opencv")(images, gen(7))
    b = pmg(transforms=(name,), kernel="grid_sample")(images, gen(7))
    diff = (a - b).abs()
    assert diff.mean() < 0.01, name
    assert diff.flatten().quantile(0.99) < 0.05, name  # borders and box edges aside


@pytest.mark.parametrize("padding", ["reflection", "border"])
def test_kernels_agree_on_padding_modes(padding):
    images = smooth_images(4)
    kw = dict(transforms=("affine", "perspective"), padding=padding, strength=2.0)
    a, b = pmg(kernel="opencv", **kw)(images, gen(7)), pmg(kernel="grid_sample", **kw)(images, gen(7))
    assert (a - b).abs().mean() < 0.01
    assert (a == 0).float().mean() < 0.05  # the border is filled from the image, not black


def test_mixup_lambda_one_returns_first_video():
    a, b = torch.rand(2, 3, 4, 8, 8, generator=gen(0)), torch.rand(2, 3, 4, 8, 8, generator=gen(1))
    ones = torch.ones(2, dtype=torch.float64)
    assert torch.equal(mixup(a, b, ones), a)
    assert torch.allclose(mixup(a, b, torch.zeros(2, dtype=torch.float64)), b)
    assert torch.equal(videomix(a, b, ones, gen()), a)
    a8, b8 = (a * 255).to(torch.uint8), (b * 255).to(torch.uint8)
    assert torch.equal(mixup(a8, b8, ones), a8)
    half = mixup(a8, b8, torch.full((2,), 0.5, dtype=torch.float64))
    assert (half.float() - (a8.float() + b8.float()) / 2).abs().max() <= 0.5 + 1e-6


def test_videomix_box_is_the_same_in_every_frame():
    a, b = torch.zeros(3, 3, 5, 16, 16), torch.ones(3, 3, 5, 16, 16)
    v = videomix(a, b, torch.full((3,), 0.75, dtype=torch.float64), gen(2))
    assert torch.equal(v, v[:, :, :1].expand_as(v))
    area = v[:, 0, 0].mean((1, 2))
    assert ((area > 0.1) & (area <= 0.25 + 1e-6)).all()  # the box covers 1 - λ, less where clipped


def test_mix_batch_lambda_distribution_and_range():
    lam = sample_lambda(4000, 1.0, gen(0), 0.3, 0.7)
    assert lam.min() >= 0.3 and lam.max() <= 0.7 and abs(float(lam.mean()) - 0.5) < 0.02
    v = torch.rand(4, 3, 2, 8, 8, generator=gen(0))
    assert torch.equal(mix_batch(v, "mixup", 1.0, gen(), prob=0.0), v)
    assert not torch.equal(mix_batch(v, "mixup", 1.0, gen()), v)


@pytest.mark.parametrize("ratio,expected", [(0.0, 0), (1.0, 6), (0.5, 3)])
def test_pmg_augment_replaces_a_seeded_fraction(ratio, expected):
    clips = torch.rand(6, 3, 8, 16, 16, generator=gen(0))
    static = pmg(transforms=("identity",))
    out, replaced = pmg_augment(clips, ratio, static, gen(1))
    assert out.shape == clips.shape
    assert abs(int(replaced.sum()) - expected) <= (1 if 0 < ratio < 1 else 0)
    assert torch.equal(out[~replaced], clips[~replaced])
    for i in replaced.nonzero().flatten().tolist():  # identity motion: a still made of one of its own frames
        frame = out[i, :, 0]
        assert torch.equal(out[i], frame[:, None].expand_as(out[i]))
        assert min((frame - clips[i, :, t]).abs().max() for t in range(8)) <= 1 / 255 + 1e-6
    again, _ = pmg_augment(clips, ratio, static, gen(1))
    assert torch.equal(out, again)


def test_pmg_augment_from_other_images():
    clips, stills = torch.rand(4, 3, 8, 16, 16, generator=gen(0)), torch.rand(5, 3, 16, 16, generator=gen(1))
    out, replaced = pmg_augment(clips, 1.0, pmg(transforms=("identity",)), gen(2), banks=[stills])
    assert replaced.all()
    firsts = out[:, :, 0]
    assert all(min(float((f - s).abs().max()) for s in stills) <= 1 / 255 + 1e-6 for f in firsts)


def test_pmg_augment_mixes_sources():
    """Tab. 9: each replaced clip's still comes from its own frames or from one of the image banks (uint8
    banks too); with 64 clips every source is drawn."""
    clips = torch.rand(64, 3, 4, 8, 8, generator=gen(0)) * 0.2  # own frames are dark ...
    bright = torch.full((3, 3, 8, 8), 200, dtype=torch.uint8)  # ... a uint8 bank is bright ...
    mid = torch.full((2, 3, 8, 8), 0.5)  # ... a float bank is grey
    out, replaced = pmg_augment(clips, 1.0, pmg(transforms=("identity",)), gen(3), banks=[None, bright, mid])
    level = out[:, :, 0].mean((1, 2, 3))
    own, from_bright = level < 0.25, (level - 200 / 255).abs() < 2 / 255  # CPU warps round through uint8
    from_mid = (level - 0.5).abs() < 2 / 255
    assert replaced.all() and bool((own | from_bright | from_mid).all())
    assert min(int(own.sum()), int(from_bright.sum()), int(from_mid.sum())) > 5
    with pytest.raises(ValueError, match="clips are"):
        pmg_augment(clips, 1.0, pmg(), gen(0), banks=[torch.zeros(1, 3, 9, 9)])


def test_on_device_hook_and_worker_dataset():
    cfg = PMGConfig(image_source="shaders", num_images=4, num_classes=2, image_size=24, num_frames=4)
    images, hook = build_pretraining(cfg, seed=0)
    batch = torch.stack([images[i][0] for i in range(4)])  # uint8, as workers deliver
    v = hook(batch, step=3)
    assert v.shape == (4, 3, 4, 24, 24) and v.is_floating_point() and 0 <= v.min() and v.max() <= 1
    assert torch.equal(v, hook(batch, step=3)) and not torch.equal(v, hook(batch, step=4))
    assert not torch.equal(v, PseudoMotionBatch(cfg, seed=0, rank=1)(batch, step=3))

    ds, none = build_pretraining(dataclasses.replace(cfg, on_device=False), seed=0)
    assert none is None and isinstance(ds, PseudoMotionDataset)
    video, label = ds[1]
    assert video.shape == (3, 4, 24, 24) and video.dtype == torch.uint8 and video.is_contiguous() and label == 1
    assert torch.equal(video, ds[1][0])
    ds.set_epoch(1)
    assert not torch.equal(video, ds[1][0])


def test_config_validation():
    with pytest.raises(ConfigError, match="unknown PMG transforms"):
        build(PMGConfig, {"transforms": ["zoom", "spin"]})
    with pytest.raises(ConfigError, match="mix_range"):
        build(PMGConfig, {"mix_range": [0.8, 0.2]})
    with pytest.raises(ConfigError, match="image_source"):
        build(PMGConfig, {"image_source": "imagenet"})
    assert build(PMGConfig, {"transforms": ["zoom"], "image_source": "folder:/data/pass"}).transforms == ("zoom",)
    with pytest.raises(ConfigError, match="aug_sources"):
        build(PMGConfig, {"aug_sources": ["frames", "pass"]})
    with pytest.raises(ConfigError, match="aug_sources"):
        build(PMGConfig, {"aug_sources": []})
    assert build(PMGConfig, {"aug_sources": ["frames", "folder:/data/pass", "shaders"]}).aug_sources[1] == "folder:/data/pass"


def test_generator_needs_cpu_generator_and_nchw():
    p = pmg()
    with pytest.raises(ValueError, match="images"):
        p(torch.rand(3, 8, 8), gen())


def test_pictures(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    from ppma_lib.pmg.pictures import explorer, grid, save_gif, strip, transform_figure, transform_videos

    image = smooth_images(1, 24, 24)[0]
    videos = transform_videos(image, ("zoom", "cutmix"), cfg=PMGConfig(num_frames=4))
    assert videos.shape == (2, 3, 4, 24, 24)
    assert strip(videos[0], 3, gap=2).shape == (24, 3 * 24 + 4, 3)
    assert grid(videos[:, :, 0], cols=2, gap=2).shape == (24, 50, 3)
    assert save_gif(videos[0], tmp_path / "zoom.gif").stat().st_size > 0
    fig = transform_figure(image, ("zoom", "affine"), frames=3, cfg=PMGConfig(num_frames=4))
    assert len(fig.axes) == 2
    pytest.importorskip("ipywidgets")
    panel = explorer(smooth_images(2, 24, 24), PMGConfig(num_frames=4))
    assert len(panel.children[1].value) > 0  # the rendered PNG
