"""Video readers and writers: frame-exact across backends and containers; broken input raises."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from ppma_lib.data.synthetic import decode_index, index_frames
from ppma_lib.data.video import (
    VideoReadError,
    find_video,
    list_frames,
    open_video,
    write_frames,
    write_video,
)

T = 60
FILES = ["clip.mp4", "clip.avi", "clip.webm", "gop.mp4", "clip.MP4", "jpg", "png", "img_prefixed"]


@pytest.fixture(scope="module")
def videos(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("videos")
    x = index_frames(T, 48, 64)
    write_video(d / "clip.mp4", x, fps=30)  # x264 defaults: B-frames, one long GOP
    write_video(d / "clip.avi", x, fps=25)
    write_video(d / "clip.webm", x, fps=12)
    write_video(d / "gop.mp4", x, fps=25, gop=8)  # many keyframes: exercises seeking
    write_video(d / "clip.MP4", x, fps=25)
    write_frames(d / "jpg", x)
    write_frames(d / "png", x, ext="png")
    img = d / "img_prefixed"  # HAT/mmaction style names, 6 digits, starting at 1
    write_frames(img, x, digits=6)
    for p in img.iterdir():
        p.rename(p.with_name("img_" + p.name))
    (d / "empty.mp4").write_bytes(b"")
    data = (d / "clip.mp4").read_bytes()
    (d / "truncated.mp4").write_bytes(data[: len(data) // 2])
    data = (d / "clip.webm").read_bytes()
    (d / "cut.webm").write_bytes(data[: len(data) // 2])  # no index: reads as a shorter video
    (d / "garbage.avi").write_bytes(np.random.default_rng(0).integers(0, 256, 4000, dtype=np.uint8).tobytes())
    (d / "empty_dir").mkdir()
    (d / "bad_frames").mkdir()
    (d / "bad_frames" / "00001.jpg").write_bytes(b"not a jpeg")
    return d


@pytest.mark.parametrize("name", FILES)
@pytest.mark.parametrize("backend", ["decord", "pyav", "auto"])
def test_reads_are_frame_exact(videos: Path, name: str, backend: str) -> None:
    indices = [0, 5, 5, 59, 17, 30, 31, 2]  # unsorted, repeated, both ends
    with open_video(videos / name, backend=backend) as r:
        assert len(r) == T
        clip = r.get(indices)
        assert clip.dtype == torch.uint8 and clip.shape == (len(indices), 48, 64, 3)
        assert decode_index(clip).tolist() == indices  # -1 would flag a BGR swap
        assert decode_index(r.get(range(T))).tolist() == list(range(T))


def test_backends_agree_pixelwise(videos: Path) -> None:
    idx = [3, 11, 12, 40, 59]
    with open_video(videos / "clip.mp4", "decord") as a, open_video(videos / "clip.mp4", "pyav") as b:
        diff = (a.get(idx).int() - b.get(idx).int()).abs()
    assert diff.float().mean() < 2.0  # same frames; only the YUV->RGB conversion may differ


def test_fps(videos: Path) -> None:
    assert open_video(videos / "clip.mp4").fps == pytest.approx(30)
    assert open_video(videos / "clip.webm", "pyav").fps == pytest.approx(12)
    assert open_video(videos / "jpg").fps == 25  # PPMA's frame-folder assumption
    assert open_video(videos / "jpg", fps=30).fps == 30


def test_frame_folder_order_is_numeric(tmp_path: Path) -> None:
    for name in ["img_10.jpg", "img_9.jpg", "img_100.jpg", "notes.txt"]:
        (tmp_path / name).write_bytes(b"")
    assert [p.name for p in list_frames(tmp_path)] == ["img_9.jpg", "img_10.jpg", "img_100.jpg"]


def test_find_video_adds_extension(videos: Path) -> None:
    assert find_video(videos / "clip") == videos / "clip.mp4"  # list entries without extension
    assert open_video(videos / "gop").path == videos / "gop.mp4"


@pytest.mark.parametrize("name", ["missing.mp4", "empty.mp4", "truncated.mp4", "garbage.avi", "empty_dir"])
@pytest.mark.parametrize("backend", ["decord", "pyav", "auto"])
def test_broken_inputs_raise(videos: Path, name: str, backend: str) -> None:
    with pytest.raises(VideoReadError, match=name):
        with open_video(videos / name, backend=backend) as r:
            r.get(range(len(r)))


def test_undecodable_frame_raises(videos: Path) -> None:
    with pytest.raises(VideoReadError, match="00001.jpg"):
        open_video(videos / "bad_frames").get([0])


def test_out_of_range_index(videos: Path) -> None:
    with pytest.raises(IndexError, match=r"\[0, 60\)"):
        open_video(videos / "clip.mp4").get([60])


def test_write_video_is_atomic_and_checks_input(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="even"):
        write_video(tmp_path / "odd.mp4", np.zeros((2, 9, 16, 3), np.uint8))
    with pytest.raises(ValueError, match="uint8"):
        write_video(tmp_path / "f.mp4", np.zeros((2, 8, 16, 3), np.float32))
    assert list(tmp_path.iterdir()) == []  # nothing half-written left behind
    x = torch.from_numpy(index_frames(4, 16, 32, bits=2))
    out = write_video(tmp_path / "sub" / "t.mp4", x)
    assert [p.name for p in out.parent.iterdir()] == ["t.mp4"]


def test_write_frames_overwrites_folder(tmp_path: Path) -> None:
    write_frames(tmp_path / "f", index_frames(5, 16, 32, bits=4))
    write_frames(tmp_path / "f", index_frames(3, 16, 32, bits=2), ext="png")
    assert sorted(p.name for p in (tmp_path / "f").iterdir()) == ["00001.png", "00002.png", "00003.png"]
    assert (open_video(tmp_path / "f").get([0, 1, 2]).numpy() == index_frames(3, 16, 32, bits=2)).all()


def test_data_check_command(videos: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    from ppma_lib.cli import main
    from ppma_lib.data.lists import write_list

    lst = write_list(tmp_path / "l.csv", [("clip.mp4", 0), ("clip", 1), ("jpg", 2), ("missing.mp4", 0),
                                          ("truncated.mp4", 1), ("cut.webm", 1)])
    assert main(["data", "check", str(lst), "--root", str(videos), "--json", str(tmp_path / "r.json")]) == 1
    out = capsys.readouterr().out
    assert "ok               3" in out and "missing          1" in out and "unreadable       2" in out
    assert "truncated.mp4" in out and "missing.mp4" in out and "cut.webm (truncated:" in out
    lst = write_list(tmp_path / "good.csv", [("clip.webm", 0), ("png", 1)])
    assert main(["data", "check", str(lst), "--root", str(videos), "--deep"]) == 0


def test_bench_data_command(tmp_path: Path) -> None:
    import json

    from ppma_lib.cli import main

    args = ["bench", "data", "--clips", "1", "--video-frames", "40", "--size", "64x48", "--json", str(tmp_path / "b.json")]
    assert main(args) == 0
    rows = json.loads((tmp_path / "b.json").read_text())["results"]
    assert {(r["storage"], r["backend"]) for r in rows} >= {("jpg frame folder", "opencv"), ("mp4 h264 (gop 16)", "pyav")}
    assert all(r["clips_per_s"] > 0 for r in rows)
