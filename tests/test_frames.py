"""``ppma make-data frames``: seeded random frames of a list's videos, in the layout PMG's folder source reads."""
from __future__ import annotations

from pathlib import Path

import cv2
import pytest

from ppma_lib.cli import main
from ppma_lib.data.frames import extract_frames, frame_index
from ppma_lib.data.lists import write_list
from ppma_lib.data.synthetic import decode_index, index_frames
from ppma_lib.data.video import write_frames, write_video
from ppma_lib.pmg.sources import build_image_source


@pytest.fixture(scope="module")
def videos(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("frames_src")
    write_video(d / "a.mp4", index_frames(20, 32, 64), fps=10)
    write_video(d / "b.mp4", index_frames(12, 32, 64, offset=100), fps=10)
    write_frames(d / "c", index_frames(8, 32, 64, offset=200))  # a frame folder, listed without extension
    (d / "broken.mp4").write_bytes(b"not a video")
    write_list(d / "train.csv", [("a.mp4", 0), ("b.mp4", 1), ("c", 1), ("broken.mp4", 0)])
    return d


def shown_index(png: Path) -> int:
    rgb = cv2.imread(str(png))[None, ..., ::-1]
    return int(decode_index(rgb)[0])


def test_one_seeded_frame_per_video_skips_unreadable(videos: Path, tmp_path: Path) -> None:
    out = extract_frames(videos / "train.csv", tmp_path / "f", seed=3, progress=False)
    lines = out.read_text().splitlines()
    assert [ln.split()[1] for ln in lines] == ["0", "1", "1"]  # broken.mp4 skipped
    firsts = [frame_index(n, 3, i)[0] + off for i, (n, off) in enumerate([(20, 0), (12, 100), (8, 200)])]
    assert [shown_index(out.parent / ln.split()[0]) for ln in lines] == firsts  # the very frame drawn
    again = extract_frames(videos / "train.csv", tmp_path / "g", seed=3, progress=False)
    assert again.read_text() == out.read_text()
    # the images feed PMG through the folder source
    images = build_image_source(f"folder:{out}", num_images=3, num_classes=2, size=32)
    assert len(images) == 3 and images[0][0].shape == (3, 32, 32)


def test_several_frames_per_video_and_the_cli(videos: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["make-data", "frames", str(videos / "train.csv"), "--out", str(tmp_path / "k"),
                 "--per-video", "3", "--seed", "1", "--workers", "2"]) == 0
    printed = capsys.readouterr().out
    assert "9 frames" in printed and "(1 unreadable" in printed and "skipped broken.mp4" in printed
    lines = (tmp_path / "k" / "list.txt").read_text().splitlines()
    shown = [shown_index(tmp_path / "k" / ln.split()[0]) for ln in lines[:3]]
    assert shown == frame_index(20, 1, 0, 3) and len(set(shown)) == 3  # distinct frames of a.mp4
    with pytest.raises(ValueError, match="per_video"):
        extract_frames(videos / "train.csv", tmp_path / "x", per_video=0)


def test_profiles_extract_frame_folders_on_demand(videos: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil

    from ppma_lib.jobs import data as jobs

    root = tmp_path / "mini"
    shutil.copytree(videos, root / "hmdb")
    monkeypatch.setitem(jobs.PROFILE_DATA, "smoke", (str(root), "tiny"))
    monkeypatch.setattr(jobs, "ensure_minisynapt", lambda *a, **k: root)  # the set is already there
    made = jobs.ensure_frames("smoke", f"{root}/frames/hmdb_like/list.txt", progress=False)
    assert made == root / "frames/hmdb_like/list.txt" and len(made.read_text().splitlines()) == 3
    with pytest.raises(ValueError, match="frames"):
        jobs.ensure_frames("smoke", tmp_path / "elsewhere")
