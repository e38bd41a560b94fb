"""Datasets, the one-source-per-batch sampler, the bad-video policy and the loader."""
from __future__ import annotations

from collections import Counter
from pathlib import Path

import cv2
import numpy as np
import pytest
import torch

from ppma_lib.data.datasets import ImageFolderDataset, TooManyBadVideos, VideoDataset, flatten_views
from ppma_lib.data.lists import write_list
from ppma_lib.data.loaders import eval_loader, make_loader, train_loader
from ppma_lib.data.samplers import SourceBatchSampler
from ppma_lib.data.synthetic import decode_index, index_frames
from ppma_lib.data.video import write_frames, write_video
from ppma_lib.sections.data import DataConfig

BITS = 6
# scale 1 and the frame's own aspect: the crop is the whole frame, so frame codes stay readable
CFG = DataConfig(num_frames=4, stride=2, short_side=48, crop_size=48, scale=(1.0, 1.0), ratio=(2.0, 2.0))


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("ds")
    for i in range(4):
        write_video(d / f"v{i}.mp4", index_frames(20 + 10 * i, 48, 96, bits=BITS), gop=6)
    write_frames(d / "frames0", index_frames(30, 48, 96, bits=BITS))
    write_video(d / "square.mp4", index_frames(30, 48, 48, bits=BITS))  # eval crops keep all of it
    write_list(d / "a.csv", [(f"v{i}.mp4", i) for i in range(4)])
    write_list(d / "b.csv", [("frames0", 1), ("v1", 0)])  # a frame folder; an entry without extension
    write_list(d / "square.csv", [("square.mp4", 0)])
    write_list(d / "bad.csv", [("v0.mp4", 0), ("missing.mp4", 1), ("v2.mp4", 2), ("v3.mp4", 3)])
    return d


def _codes(views: torch.Tensor, cfg: DataConfig = CFG) -> np.ndarray:
    """Normalised (V, C, T, H, W) views -> the frame index shown by each (V, T)."""
    mean, std = torch.tensor(cfg.mean).view(3, 1, 1, 1), torch.tensor(cfg.std).view(3, 1, 1, 1)
    pixels = ((views * std + mean) * 255).round().clamp(0, 255).to(torch.uint8)  # (V, C, T, H, W)
    return np.stack([decode_index(v.permute(1, 2, 3, 0), bits=BITS) for v in pixels])


# --------------------------------------------------------------------------------------------------
# sampler
# --------------------------------------------------------------------------------------------------
def test_sampler_one_source_per_batch_and_proportions() -> None:
    sizes = [300, 100]
    sampler = SourceBatchSampler(sizes, batch_size=10, seed=0)
    batches = list(sampler)
    assert len(batches) == len(sampler) == 40
    per_batch = [{0 if i < 300 else 1 for i, _ in b} for b in batches]
    assert all(len(s) == 1 for s in per_batch)  # one source per batch
    assert Counter(s.pop() for s in per_batch) == {0: 30, 1: 10}  # in proportion to size
    seen = [i for b in batches for i, _ in b]
    assert sorted(seen) == list(range(400))  # every sample once
    sources = [b[0][0] >= 300 for b in batches]
    assert 0 < sum(sources[:20]) < 10  # interleaved, not source after source


def test_sampler_epochs_and_seeds() -> None:
    sampler = SourceBatchSampler([50, 30], batch_size=8, seed=1)
    first = list(sampler)
    assert list(sampler) == first  # a function of (seed, epoch)
    sampler.set_epoch(1)
    assert list(sampler) != first
    assert list(SourceBatchSampler([50, 30], batch_size=8, seed=2)) != first


def test_sampler_ddp_shards_disjoint_and_in_step() -> None:
    sizes, world = [53, 27], 3
    shards = [list(SourceBatchSampler(sizes, 4, seed=5, rank=r, world_size=world)) for r in range(world)]
    assert len({len(s) for s in shards}) == 1  # same number of steps on every rank
    for step in zip(*shards):  # every rank on the same source at the same step
        assert len({b[0][0] >= 53 for b in step}) == 1
    flat = [i for s in shards for b in s for i, _ in b]
    assert len(flat) == len(set(flat))  # disjoint
    assert len(flat) == (53 // 12 + 27 // 12) * 12  # drop_last: whole global batches only


def test_sampler_keep_all_for_eval() -> None:
    shards = [list(SourceBatchSampler([10], 3, drop_last=False, shuffle=False, rank=r, world_size=2)) for r in range(2)]
    flat = sorted(i for s in shards for b in s for i, _ in b)
    assert flat == list(range(10))
    with pytest.raises(ValueError, match="smaller than one global batch"):
        SourceBatchSampler([5], batch_size=4, world_size=2)


# --------------------------------------------------------------------------------------------------
# video dataset
# --------------------------------------------------------------------------------------------------
def test_train_views_share_one_decoded_clip(root: Path) -> None:
    ds = VideoDataset.from_list(root / "a.csv", root, CFG, num_views=3)
    sample = ds[(3, 123)]
    assert sample["video"].shape == (3, 3, 4, 48, 48) and sample["label"] == 3 and sample["bad"] == 0
    codes = _codes(sample["video"])
    assert (codes == codes[:1]).all()  # three views, one clip
    assert (np.diff(codes[0]) == 2).all() and 0 <= codes[0, 0] and codes[0, -1] < 50
    assert torch.equal(ds[(3, 123)]["video"], sample["video"])  # a function of the key
    assert not torch.equal(ds[(3, 124)]["video"], sample["video"])


def test_eval_views_cover_the_video(root: Path) -> None:
    ds = VideoDataset.from_list(root / "square.csv", root, CFG, mode="eval", num_clips=2, num_crops=3)
    views = ds[0]["video"]
    assert views.shape == (6, 3, 4, 48, 48)
    codes = _codes(views)
    assert codes[0].tolist() == [0, 2, 4, 6] and codes[3].tolist() == [23, 25, 27, 29]  # 30 frames, 2 clips


def test_frame_folder_and_extensionless_entries(root: Path) -> None:
    ds = VideoDataset.from_list(root / "b.csv", root, CFG)
    assert [ds[i]["label"] for i in range(2)] == [1, 0] and ds.num_classes == 2


def test_bad_video_is_skipped_counted_and_replaced(root: Path, caplog: pytest.LogCaptureFixture) -> None:
    ds = VideoDataset.from_list(root / "bad.csv", root, DataConfig(**{**CFG.__dict__, "max_bad_fraction": 0.3}))
    sample = ds[(1, 7)]
    assert sample["bad"] == 1 and sample["index"] != 1 and sample["label"] == sample["index"]
    assert list(ds.bad) == [1] and "missing.mp4" in caplog.text
    again = ds[(1, 8)]
    assert again["bad"] >= 1 and again["index"] != 1
    assert caplog.text.count("missing.mp4") == 1  # known bad: skipped without a second read


def test_bad_fraction_threshold_raises(root: Path) -> None:
    ds = VideoDataset.from_list(root / "bad.csv", root, CFG)  # default 1%: one bad video of four is too many
    with pytest.raises(TooManyBadVideos, match=r"1 of 4 items unreadable.*missing.mp4"):
        ds[1]


def test_loader_multi_source_and_workers(root: Path) -> None:
    cfg = DataConfig(
        **{**CFG.__dict__, "root": str(root), "train_lists": (str(root / "a.csv"), str(root / "bad.csv")),
           "max_bad_fraction": 0.3}
    )
    loader = train_loader(cfg, batch_size=2, num_views=2, seed=3)
    assert loader.dataset.names == ["a", "bad"] and len(loader) == 4
    batches = list(loader)
    for b in batches:
        assert b["video"].shape == (2, 2, 3, 4, 48, 48)
        assert len(set(b["source"].tolist())) == 1
    video, labels = flatten_views(batches[0])
    assert video.shape == (4, 3, 4, 48, 48) and labels.tolist() == batches[0]["label"].repeat_interleave(2).tolist()
    assert sum(int(b["bad"].sum()) for b in batches) >= 1  # the missing video was met and counted
    parallel = make_loader(loader.dataset, loader.batch_sampler, DataConfig(**{**cfg.__dict__, "num_workers": 2}))
    for a, b in zip(batches, parallel):  # same samples whichever worker loads them
        assert torch.equal(a["video"], b["video"]) and torch.equal(a["bad"], b["bad"])


def test_eval_loader_sees_every_video_once(root: Path) -> None:
    cfg = DataConfig(**{**CFG.__dict__, "root": str(root)})
    shards = [eval_loader(cfg, root / "a.csv", batch_size=3, num_clips=1, num_crops=1, rank=r, world_size=2)
              for r in range(2)]
    seen = sorted(i for dl in shards for b in dl for i in b["index"].tolist())
    assert seen == [0, 1, 2, 3]


# --------------------------------------------------------------------------------------------------
# images
# --------------------------------------------------------------------------------------------------
def test_image_folder_flat_and_classes(tmp_path: Path) -> None:
    img = np.zeros((8, 10, 3), np.uint8)
    img[..., 2] = 255  # BGR red
    (tmp_path / "flat").mkdir()
    for name in ["b.png", "a.jpg"]:
        cv2.imwrite(str(tmp_path / "flat" / name), img)
    flat = ImageFolderDataset(tmp_path / "flat")
    sample = flat[0]
    assert sample["image"].shape == (3, 8, 10) and sample["label"] == 0
    assert sample["image"][0].float().mean() > 200 and sample["image"][2].float().mean() < 50  # RGB
    for c in ["dog", "cat"]:
        (tmp_path / "cls" / c).mkdir(parents=True)
        cv2.imwrite(str(tmp_path / "cls" / c / "x.png"), img)
    (tmp_path / "cls" / "dog" / "broken.jpg").write_bytes(b"nope")
    ds = ImageFolderDataset(tmp_path / "cls", max_bad_fraction=0.5)
    assert ds.classes == ["cat", "dog"] and len(ds) == 3
    labels = sorted(ds[i]["label"] for i in range(3))
    assert labels[0] == 0 and sum(ds[i]["bad"] for i in range(3)) == 1
