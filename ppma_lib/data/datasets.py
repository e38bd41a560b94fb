"""Datasets of videos and images, and the concatenation of several sources.

Samples are addressed by a key ``(index, seed)`` that the batch sampler draws
(:mod:`ppma_lib.data.samplers`): every random choice of a sample — its clip, its crops, a
replacement for an unreadable video — derives from that seed, so a sample is the same whichever
worker loads it and however many workers there are. A plain ``int`` key also works (notebooks).

Train samples hold ``k`` augmented views of ONE decoded clip (OmniMAE / PPMA's repeated masks:
decode once, crop ``k`` times); eval samples hold the ``N clips x M crops`` views of a video.

Bad videos: an unreadable video is logged, remembered, counted and replaced by another index of
the same source; the count travels in the sample (``bad``), so the trainer can sum it over
workers into its metrics. Once more than ``max_bad_fraction`` of a source's videos proved
unreadable, :class:`TooManyBadVideos` stops the run.
"""
from __future__ import annotations

import bisect
import logging
from pathlib import Path
from typing import Any, Callable, Literal, Sequence

import cv2
import numpy as np
import torch
from torch.utils.data import Dataset

from ppma_lib.data.clips import eval_clips, train_clip
from ppma_lib.data.decoded_cache import open_clip_video
from ppma_lib.data.lists import read_list
from ppma_lib.data.transforms import eval_views, short_side_resize, to_model_layout, to_video, train_augment
from ppma_lib.data.video import IMAGE_EXTENSIONS, VideoReadError
from ppma_lib.sections.data import DataConfig

log = logging.getLogger(__name__)
Key = int | tuple[int, int]
MAX_ATTEMPTS = 100  # replacement draws for one sample before giving up


class TooManyBadVideos(RuntimeError):
    """More than ``max_bad_fraction`` of a source's items could not be read."""


def _seed_of(key: Key, base_seed: int) -> tuple[int, int]:
    if isinstance(key, tuple):
        return int(key[0]), int(key[1])
    return int(key), int(np.random.SeedSequence([base_seed, int(key)]).generate_state(1)[0])


class _SkipBad(Dataset):
    """Retry logic shared by the datasets: replace an unreadable item by another of the same source."""

    source: int = 0
    seed: int = 0
    max_bad_fraction: float = 0.01

    def __init__(self) -> None:
        self.bad: dict[int, str] = {}  # index -> cause; this process's view (each worker has its own)

    def _load(self, index: int, rng: np.random.Generator) -> dict[str, Any]:
        raise NotImplementedError

    def _name(self, index: int) -> str:
        raise NotImplementedError

    def __getitem__(self, key: Key) -> dict[str, Any]:
        index, seed = _seed_of(key, self.seed)
        for attempt in range(MAX_ATTEMPTS):
            # one generator per attempt: a worker that already knows an item is bad draws the same
            # replacement as one that finds out now
            rng = np.random.default_rng([seed, attempt])
            if index not in self.bad:
                try:
                    # v2 transforms draw from torch's global CPU RNG: seed it per sample, restore after (not
                    # torch.manual_seed: it also queues a CUDA seed, with a stack trace, on every call)
                    with torch.random.fork_rng(devices=[]):
                        torch.default_generator.manual_seed(int(rng.integers(0, 2**62)))
                        sample = self._load(index, rng)
                    return {**sample, "index": index, "source": self.source, "bad": attempt}
                except VideoReadError as e:
                    self.bad[index] = e.cause
                    log.warning("skipping unreadable item %d of source %d: %s", index, self.source, e)
                    if len(self.bad) > self.max_bad_fraction * len(self):
                        shown = "; ".join(f"{self._name(i)}: {c}" for i, c in list(self.bad.items())[:5])
                        raise TooManyBadVideos(
                            f"source {self.source}: {len(self.bad)} of {len(self)} items unreadable, more than "
                            f"max_bad_fraction={self.max_bad_fraction} (first: {shown})"
                        ) from e
            index = int(np.random.default_rng([seed, attempt, 1]).integers(0, len(self)))
        raise TooManyBadVideos(f"source {self.source}: no readable item in {MAX_ATTEMPTS} draws")


class VideoDataset(_SkipBad):
    """Videos of one list; a sample is ``{"video", "label", "index", "source", "bad"}``.

    ``video`` is float ``(V, C, T, H, W)``: ``V = num_views`` augmented views of one random clip
    (``mode="train"``), or the ``V = num_clips x num_crops`` test views, clip-major (``mode="eval"``).
    """

    def __init__(
        self,
        items: Sequence[tuple[str, int]],
        root: str | Path,
        cfg: DataConfig,
        mode: Literal["train", "eval"] = "train",
        num_views: int = 1,
        num_clips: int = 2,
        num_crops: int = 3,
        source: int = 0,
        seed: int = 0,
    ) -> None:
        super().__init__()
        if mode not in ("train", "eval"):
            raise ValueError(f"mode must be 'train' or 'eval', got {mode!r}")
        if not items:
            raise ValueError("a VideoDataset needs at least one (path, label) item")
        self.items = list(items)[: cfg.max_samples or None]
        self.root, self.cfg, self.mode = Path(root), cfg, mode
        self.num_views, self.num_clips, self.num_crops = num_views, num_clips, num_crops
        self.source, self.seed, self.max_bad_fraction = source, seed, cfg.max_bad_fraction
        self.num_classes = max(label for _, label in self.items) + 1
        self._resize = short_side_resize(cfg.short_side)
        self._augment = train_augment(cfg)

    @classmethod
    def from_list(cls, path: str | Path, root: str | Path, cfg: DataConfig, **kwargs: Any) -> "VideoDataset":
        return cls(read_list(path, cfg.list_format), root, cfg, **kwargs)

    def __len__(self) -> int:
        return len(self.items)

    def _name(self, index: int) -> str:
        return str(self.root / self.items[index][0])

    def _load(self, index: int, rng: np.random.Generator) -> dict[str, Any]:
        rel, label = self.items[index]
        cfg = self.cfg
        reader = open_clip_video(self.root / rel, cfg.cache_mb, backend=cfg.backend, fps=cfg.frame_folder_fps,
                                 num_threads=cfg.decode_threads)
        with reader as r:
            if self.mode == "train":
                clip = self._resize(to_video(r.get(train_clip(len(r), r.fps, cfg, rng))))  # decode + resize once
                views = torch.stack([to_model_layout(self._augment(clip)) for _ in range(self.num_views)])
            else:
                idx = eval_clips(len(r), r.fps, cfg, self.num_clips)  # (N, T)
                frames = r.get(idx.reshape(-1))  # one decode for all clips
                frames = frames.reshape(*idx.shape, *frames.shape[1:])  # (N, T, H, W, C)
                views = eval_views(frames, cfg, self.num_crops)
        return {"video": views, "label": label}


class ImageFolderDataset(_SkipBad):
    """Images of a folder (PASS style: one flat folder, label 0) or of class subfolders (ImageNet style).

    A sample is ``{"image", "label", "index", "source", "bad"}``; ``image`` is uint8 ``(C, H, W)``
    RGB, or whatever ``transform`` makes of it.
    """

    def __init__(
        self,
        root: str | Path,
        transform: Callable[[torch.Tensor], Any] | None = None,
        max_bad_fraction: float = 0.01,
        max_samples: int = 0,
        source: int = 0,
        seed: int = 0,
    ) -> None:
        super().__init__()
        self.root = Path(root)
        if not self.root.is_dir():
            raise FileNotFoundError(f"image folder not found: {root}")
        self.classes = sorted(p.name for p in self.root.iterdir() if p.is_dir())
        if self.classes:
            files = [(p, c) for c, d in enumerate(self.classes) for p in sorted((self.root / d).rglob("*"))]
        else:
            files = [(p, 0) for p in sorted(self.root.iterdir())]
        self.items = [(p, c) for p, c in files if p.suffix.lower() in IMAGE_EXTENSIONS][: max_samples or None]
        if not self.items:
            raise ValueError(f"no images ({', '.join(IMAGE_EXTENSIONS)}) under {root}")
        self.transform, self.max_bad_fraction, self.source, self.seed = transform, max_bad_fraction, source, seed

    def __len__(self) -> int:
        return len(self.items)

    def _name(self, index: int) -> str:
        return str(self.items[index][0])

    def _load(self, index: int, rng: np.random.Generator) -> dict[str, Any]:
        path, label = self.items[index]
        bgr = cv2.imread(str(path), cv2.IMREAD_COLOR)
        if bgr is None:
            raise VideoReadError(path, "not a decodable image")
        image = torch.from_numpy(np.ascontiguousarray(bgr[..., ::-1])).permute(2, 0, 1)
        return {"image": self.transform(image) if self.transform else image, "label": label}


class MultiSourceDataset(Dataset):
    """Sources side by side: global index ``offsets[s] + i`` is item ``i`` of source ``s``."""

    def __init__(self, sources: Sequence[Dataset], names: Sequence[str] | None = None) -> None:
        if not sources:
            raise ValueError("MultiSourceDataset needs at least one source")
        self.sources = list(sources)
        self.names = list(names) if names else [f"source{i}" for i in range(len(self.sources))]
        self.sizes = [len(s) for s in self.sources]
        self.offsets = np.concatenate([[0], np.cumsum(self.sizes)]).tolist()

    def __len__(self) -> int:
        return self.offsets[-1]

    def __getitem__(self, key: Key) -> dict[str, Any]:
        index, seed = _seed_of(key, 0)
        s = bisect.bisect_right(self.offsets, index) - 1
        sample = self.sources[s][(index - self.offsets[s], seed)]
        return {**sample, "index": index}  # global index; "source" comes from the source itself


def flatten_views(batch: dict[str, Any]) -> tuple[torch.Tensor, torch.Tensor]:
    """Collated ``video (N, V, C, T, H, W)`` + ``label (N,)`` -> ``(N*V, C, T, H, W)`` + ``(N*V,)``."""
    video = batch["video"]
    return video.flatten(0, 1), batch["label"].repeat_interleave(video.shape[1])
