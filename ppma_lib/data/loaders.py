"""DataLoaders built from the data section, in one place.

:func:`make_loader` is the only place where DataLoader settings (workers, pinned memory,
persistent workers, prefetch) are read from :class:`~ppma_lib.sections.data.DataConfig`;
:func:`train_loader` and :func:`eval_loader` assemble lists -> datasets -> sampler -> loader.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import cv2
import torch
from torch.utils.data import DataLoader, Dataset

from ppma_lib.data.datasets import MultiSourceDataset, VideoDataset
from ppma_lib.data.samplers import SourceBatchSampler
from ppma_lib.sections.data import DataConfig


def _worker_init(_: int) -> None:
    # each worker decodes one clip at a time; library thread pools would only oversubscribe the cores
    cv2.setNumThreads(1)
    torch.set_num_threads(1)


def make_loader(dataset: Dataset, batch_sampler: SourceBatchSampler, cfg: DataConfig) -> DataLoader:
    """A DataLoader over ``dataset`` with the loading settings of ``cfg``.

    Randomness lives in the sampler's keys (see :mod:`ppma_lib.data.datasets`), not in worker
    seeds, so results do not depend on ``num_workers``.
    """
    workers = cfg.num_workers
    return DataLoader(
        dataset,
        batch_sampler=batch_sampler,
        num_workers=workers,
        pin_memory=cfg.pin_memory and torch.cuda.is_available(),
        persistent_workers=cfg.persistent_workers and workers > 0,
        prefetch_factor=cfg.prefetch_factor if workers > 0 else None,
        worker_init_fn=_worker_init if workers > 0 else None,
    )


SPLIT_STEMS = ("train", "val", "test", "trainlist", "testlist")


def source_names(cfg: DataConfig, lists: tuple[str, ...]) -> list[str]:
    """``data.source_names``, else each list's stem, or its folder for ``<set>/train.csv`` layouts."""
    if cfg.source_names:
        return list(cfg.source_names)
    return [Path(p).parent.name if Path(p).stem in SPLIT_STEMS else Path(p).stem for p in lists]


def train_loader(
    cfg: DataConfig,
    batch_size: int,
    num_views: int = 1,
    seed: int = 0,
    rank: int = 0,
    world_size: int = 1,
    drop_last: bool = True,
    **dataset_kwargs: Any,
) -> DataLoader:
    """Loader over ``cfg.train_lists`` (one source each), one source per batch.

    ``batch_size`` counts videos per rank; each brings ``num_views`` views (MAE repeated masks).
    Call ``loader.batch_sampler.set_epoch(epoch)`` before each epoch;
    ``loader.dataset.names`` / ``.sources[s].num_classes`` describe the sources.
    """
    if not cfg.train_lists:
        raise ValueError("data.train_lists is empty: nothing to train on")
    sources = [
        VideoDataset.from_list(p, cfg.root, cfg, num_views=num_views, source=s, seed=seed, **dataset_kwargs)
        for s, p in enumerate(cfg.train_lists)
    ]
    dataset = MultiSourceDataset(sources, source_names(cfg, cfg.train_lists))
    sampler = SourceBatchSampler(dataset.sizes, batch_size, drop_last, True, seed, rank, world_size)
    return make_loader(dataset, sampler, cfg)


def eval_loader(
    cfg: DataConfig,
    list_path: str | Path,
    batch_size: int,
    num_clips: int = 2,
    num_crops: int = 3,
    rank: int = 0,
    world_size: int = 1,
    source: int = 0,
) -> DataLoader:
    """Loader over one validation list: every video once, in list order, ``N x M`` views each.

    Ranks get disjoint shares (not padded: no video counts twice) of possibly unequal length.
    """
    dataset = VideoDataset.from_list(
        list_path, cfg.root, cfg, mode="eval", num_clips=num_clips, num_crops=num_crops, source=source
    )
    sampler = SourceBatchSampler([len(dataset)], batch_size, False, False, 0, rank, world_size)
    return make_loader(dataset, sampler, cfg)
