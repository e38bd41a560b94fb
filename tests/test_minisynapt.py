"""MiniSynAPT: seeded clips, exact actor masks, the benchmark's on-disk formats, the bias order."""
from __future__ import annotations

import json
import time
import typing
from pathlib import Path

import numpy as np
import pytest

from ppma_lib.config import ConfigError, build
from ppma_lib.data.lists import read_label_map, read_list
from ppma_lib.data.video import open_video
from ppma_lib.minisynapt import bias, tasks
from ppma_lib.minisynapt.writer import BIAS_CLIPS, Job, generate, plan, render_job, subject_of
from ppma_lib.sections import MiniSynAPTConfig
from ppma_lib.sections.minisynapt import SetName


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("mini")
    start = time.perf_counter()
    manifest = generate(out=str(out), scale="tiny", seed=0, workers=2)
    print(f"\nMiniSynAPT tiny: {time.perf_counter() - start:.1f} s")  # reported, not asserted
    return manifest.parent


def _one_job_per_set(scale: str) -> list[Job]:
    return [plan(spec.name, scale)[-1] for spec in tasks.SETS]  # the last job: a val clip


# --------------------------------------------------------------------------------------------------
# clips
# --------------------------------------------------------------------------------------------------
def test_same_seed_same_clip_other_seed_other_clip() -> None:
    for job in _one_job_per_set("tiny"):
        a, b, c = render_job(job, "tiny", 0), render_job(job, "tiny", 0), render_job(job, "tiny", 1)
        assert np.array_equal(a.frames, b.frames) and np.array_equal(a.mask, b.mask), job.set
        assert not np.array_equal(a.frames, c.frames), job.set


@pytest.mark.parametrize("scale", ["tiny", "small"])
def test_mask_is_exactly_where_the_actor_changes_the_frame(scale: str) -> None:
    t, size = tasks.SCALES[scale].frames, tasks.SCALES[scale].size
    for job in _one_job_per_set(scale):
        clip = render_job(job, scale, 0)
        assert clip.frames.shape == (t, size, size, 3) and clip.frames.dtype == np.uint8
        assert clip.mask.shape == (t, size, size) and set(np.unique(clip.mask)) <= {0, 1}
        differs = (clip.frames != clip.clean).any(axis=-1)
        assert np.array_equal(clip.mask.astype(bool), differs), job.set
        assert 0 < clip.mask.mean() < 0.5, f"{job.set}: actor covers {clip.mask.mean():.0%} of the pixels"


def test_actor_moves_and_scene_is_not_blank() -> None:
    clip = render_job(plan("real", "small")[0], "small", 0)  # a walk
    centroid = [np.argwhere(m).mean(axis=0) for m in clip.mask]
    assert np.ptp(np.array(centroid), axis=0).max() > 2  # pixels
    assert clip.clean.std() > 10  # a textured scene, not a flat fill


def test_train_and_val_use_disjoint_actors() -> None:
    for name in ("ikea", "uav"):
        jobs = plan(name, "small")
        train = {subject_of(j, "small", 0) for j in jobs if j.split == "train"}
        val = {subject_of(j, "small", 0) for j in jobs if j.split == "val"}
        assert train.isdisjoint(val) and len(train) > len(val) > 1


# --------------------------------------------------------------------------------------------------
# on disk
# --------------------------------------------------------------------------------------------------
def test_lists_label_maps_and_videos_load(tiny: Path) -> None:
    scale = tasks.SCALES["tiny"]
    manifest = json.loads((tiny / "manifest.json").read_text())
    assert manifest["scale"] == "tiny" and set(manifest["sets"]) == set(tasks.SPECS)
    for name, spec in tasks.SPECS.items():
        labels = read_label_map(tiny / name / "labels.tsv")
        k = scale.pretrain_classes if spec.pretrain else scale.classes
        assert labels == dict(enumerate(a for a, _ in spec.classes[:k]))
        train, val = read_list(tiny / name / "train.csv"), read_list(tiny / name / "val.csv")
        per_class = (scale.pretrain_train, scale.pretrain_val) if spec.pretrain else (scale.train, scale.val)
        assert (len(train), len(val)) == (k * per_class[0], k * per_class[1])
        assert np.bincount([y for _, y in train]).tolist() == [per_class[0]] * k
        assert not {p for p, _ in train} & {p for p, _ in val}
        rel, label = val[-1]
        assert rel.startswith(f"videos/{labels[label]}/")
        with open_video(tiny / name / rel) as r:
            assert len(r) == scale.frames and r.fps == pytest.approx(scale.fps)
            assert tuple(r.get(range(len(r))).shape) == (scale.frames, scale.size, scale.size, 3)


def test_real_masks_match_the_videos(tiny: Path) -> None:
    items = read_list(tiny / "real" / "train.csv") + read_list(tiny / "real" / "val.csv")
    for rel, _ in items:
        with np.load(tiny / "real" / "masks" / Path(rel).with_suffix(".npz")) as z:
            assert z["mask"].dtype == np.uint8 and z["clean"].dtype == np.uint8
            assert z["mask"].shape == (8, 32, 32) and z["clean"].shape == (8, 32, 32, 3)
            assert set(np.unique(z["mask"])) <= {0, 1}
    # the stored frames are the H.264 version of the rendered ones: masks and plates stay exact
    job = plan("real", "tiny")[3]
    clip = render_job(job, "tiny", 0)
    with np.load(tiny / "real" / "masks" / Path(job.relpath).with_suffix(".npz")) as z:
        assert np.array_equal(z["mask"], clip.mask) and np.array_equal(z["clean"], clip.clean)
    with open_video(tiny / "real" / job.relpath) as r:
        decoded = r.get(range(len(r))).numpy().astype(np.float64)
    psnr = 10 * np.log10(255**2 / np.mean((decoded - clip.frames) ** 2))
    assert psnr > 25, f"decoded clip is far from the rendered one: {psnr:.1f} dB"  # yuv420 at 32x32: ~29 dB


def test_privacy_oracle_reads_the_masks(tiny: Path) -> None:
    oracle = pytest.importorskip("ppma_lib.privacy.segmenters.oracle")
    rel, _ = read_list(tiny / "real" / "val.csv")[0]
    mask, clean = oracle.load_oracle(tiny / "real" / "masks", rel)
    assert mask.shape == (8, 32, 32) and clean is not None and mask.any()


def test_worker_count_does_not_change_the_bytes(tiny: Path, tmp_path: Path) -> None:
    generate(out=str(tmp_path), scale="tiny", seed=0, workers=1, sets=("real", "ssv2"), bias=False)
    for name in ("real", "ssv2"):
        assert (tmp_path / name / "train.csv").read_bytes() == (tiny / name / "train.csv").read_bytes()
        for rel, _ in read_list(tmp_path / name / "val.csv"):
            assert (tmp_path / name / rel).read_bytes() == (tiny / name / rel).read_bytes(), rel
    rel = Path(read_list(tmp_path / "real" / "val.csv")[0][0]).with_suffix(".npz")
    with np.load(tmp_path / "real" / "masks" / rel) as a, np.load(tiny / "real" / "masks" / rel) as b:
        assert np.array_equal(a["mask"], b["mask"]) and np.array_equal(a["clean"], b["clean"])


def test_matching_dataset_is_reused(tiny: Path) -> None:
    listed = tiny / "ucf" / "train.csv"
    before = listed.stat().st_mtime_ns
    assert generate(out=str(tiny), scale="tiny", seed=0, workers=2) == tiny / "manifest.json"
    assert listed.stat().st_mtime_ns == before


# --------------------------------------------------------------------------------------------------
# bias
# --------------------------------------------------------------------------------------------------
def test_tasks_are_ordered_by_scene_bias(tiny: Path) -> None:
    table = json.loads((tiny / "bias.json").read_text())
    print("\n" + "\n".join(f"{n:8s} static {r['static_acc']:.2f} motion {r['motion_acc']:.2f} "
                           f"dynamics {r['dynamics_acc']:.2f}" for n, r in table.items()))
    assert list(table) == list(tasks.DOWNSTREAM)
    for row in table.values():  # 8 stored clips a class, topped up to 30 for a stable probe
        assert row["chance"] == 0.25 and row["clips"] == 4 * BIAS_CLIPS
    static = [table[name]["static_acc"] for name in tasks.DOWNSTREAM]
    assert static == sorted(static, reverse=True) and len(set(static)) == len(static), static
    # the low-bias tasks are still learnable: motion beats the single frame there
    assert table["ssv2"]["motion_gain"] > 0.05 and table["ikea"]["motion_gain"] > 0.2
    assert table["uav"]["dynamics_acc"] > table["uav"]["static_acc"]


def test_bias_of_stored_videos(tiny: Path) -> None:
    # the same probe on decoded videos (what the book can run on a human-removed copy of a set)
    row = bias.measure(tiny, ["ucf"])["ucf"]
    assert row["clips"] == 32 and row["static_acc"] > 0.6


# --------------------------------------------------------------------------------------------------
# config, command line, pictures
# --------------------------------------------------------------------------------------------------
def test_config_names_every_set_and_checks_values() -> None:
    assert typing.get_args(SetName) == tuple(s.name for s in tasks.SETS)
    with pytest.raises(ConfigError, match="minisynapt.sets"):
        build(MiniSynAPTConfig, {"sets": ["kinetics"]}, "x.yaml", prefix="minisynapt.")
    with pytest.raises(ConfigError, match="workers"):
        build(MiniSynAPTConfig, {"workers": 0}, "x.yaml", prefix="minisynapt.")


def test_command_line(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    from ppma_lib import cli

    code = cli.main(["make-data", "mini", "--out", str(tmp_path), "--scale", "tiny", "--sets", "ucf",
                     "--workers", "1", "--seed", "3"])
    assert code == 0
    out = capsys.readouterr().out
    assert "UCF101" in out and "scene bias" in out
    assert json.loads((tmp_path / "manifest.json").read_text())["seed"] == 3


def test_pictures(tiny: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from ppma_lib.minisynapt.pictures import removal_strip, sheet, strip

    grid = sheet(tiny, "diving", n=3, frames=4)
    assert grid.dtype == np.uint8 and grid.shape == (3 * 32 + 2 * 2, 4 * 32 + 3 * 2, 3)
    fig = strip(tiny, "ucf", n=2)
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ["golf_swing", "dribble"]
    plt.close(fig)
    plt.close(removal_strip(tiny, n=2))
