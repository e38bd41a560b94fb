"""PMG Tab. 13's subsets: videos ranked by mean frame difference, split at the 25th / 50th / 75th percentile."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from ppma_lib.cli import main
from ppma_lib.data.lists import read_list, write_list
from ppma_lib.data.motion_subsets import frame_difference, percentile_subsets, write_motion_subsets
from ppma_lib.data.video import write_frames

STEP = 3  # video i brightens by i * STEP grey levels per frame: its mean frame difference is i * STEP


@pytest.fixture(scope="module")
def videos(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("fd_src")
    order = [5, 0, 7, 2, 6, 1, 4, 3]  # listed out of motion order
    for i in order:
        frames = np.stack([np.full((16, 24, 3), 10 + t * i * STEP, np.uint8) for t in range(6)])
        write_frames(d / "videos" / f"v{i}", frames, ext="png")  # PNG: the differences are exact
    (d / "videos" / "broken.mp4").write_bytes(b"not a video")
    write_list(d / "train.csv", [(f"videos/v{i}", i % 2) for i in order] + [("videos/broken.mp4", 0)])
    return d


def test_frame_difference_is_the_mean_absolute_step() -> None:
    frames = torch.stack([torch.full((8, 8, 3), 4 * t, dtype=torch.uint8) for t in range(5)])
    assert frame_difference(frames) == pytest.approx(4.0)
    assert frame_difference(frames[:1]) == 0.0
    assert frame_difference(torch.zeros(3, 256, 128, 3, dtype=torch.uint8), side=32) == 0.0


def test_percentiles_by_rank() -> None:
    subsets = percentile_subsets(np.array([7.0, 0.0, 5.0, 1.0, 6.0, 2.0, 4.0, 3.0]))
    assert subsets["small"].tolist() == [1, 3, 5, 7]  # scores 0-3
    assert subsets["medium"].tolist() == [2, 5, 6, 7]  # scores 2-5
    assert subsets["large"].tolist() == [0, 2, 4, 6]  # scores 4-7


def test_subset_lists_split_by_motion_and_resolve(videos: Path, tmp_path: Path) -> None:
    out = write_motion_subsets(videos / "train.csv", tmp_path / "fd" / "hmdb_like", progress=False)
    named = {name: {Path(p).name for p, _ in read_list(out / f"{name}.csv")} for name in ("large", "medium", "small")}
    assert named == {"small": {"v0", "v1", "v2", "v3"}, "medium": {"v2", "v3", "v4", "v5"},
                     "large": {"v4", "v5", "v6", "v7"}}  # the broken video is in none
    for p, label in read_list(out / "large.csv"):  # paths relative to the list's folder, labels kept
        assert (out / p).is_dir() and label == int(Path(p).name[1:]) % 2
    scores = (out / "scores.csv").read_text().splitlines()
    assert len(scores) == 9 and scores[0] == "path;label;frame_difference"
    assert {ln.split(";")[0].rsplit("/", 1)[-1]: float(ln.split(";")[2]) for ln in scores[1:]}["v7"] == pytest.approx(7 * STEP)


def test_cli_and_profiles_make_them_on_demand(videos: Path, tmp_path: Path, capsys: pytest.CaptureFixture,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil

    from ppma_lib.jobs import data as jobs

    assert main(["make-data", "fd-subsets", str(videos / "train.csv"), "--out", str(tmp_path / "cli"),
                 "--workers", "2"]) == 0
    printed = capsys.readouterr().out
    assert "medium (percentiles 25-75): 4 videos" in printed and "1 unreadable" in printed
    root = tmp_path / "mini"
    shutil.copytree(videos, root / "hmdb")
    monkeypatch.setitem(jobs.PROFILE_DATA, "smoke", (str(root), "tiny"))
    monkeypatch.setattr(jobs, "ensure_minisynapt", lambda *a, **k: root)  # the set is already there
    made = jobs.ensure_motion_subsets(root / "fd/hmdb_like/medium.csv", "smoke", progress=False)
    assert made == root / "fd/hmdb_like/medium.csv" and len(read_list(made)) == 4
    assert jobs.ensure_motion_subsets(root / "hmdb/train.csv", "smoke") is None  # not a subset list
