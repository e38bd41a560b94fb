"""One-source-per-batch sampling (PPMA stage 2; omnivision ``ConcatDataset`` ``use_one``).

Every step draws a whole batch from ONE source, so a batch meets one classification head and one
label space. Each epoch, each source's items are shuffled and cut into global batches of
``batch_size x world_size``; the list of (source, batch) pairs is shuffled, so sources come up in
proportion to their size and every item is seen once per epoch. All ranks build the same plan
from ``(seed, epoch)`` and take disjoint slices of each global batch: they step through the same
source at the same time, as DDP needs.
"""
from __future__ import annotations

from typing import Iterator, Sequence

import numpy as np
from torch.utils.data import Sampler


class SourceBatchSampler(Sampler[list[tuple[int, int]]]):
    """Batches of sample keys ``(global index, seed)``, every batch from a single source.

    Args:
        sizes: items per source; global index = offset of the source + local index.
        batch_size: items per batch and rank.
        drop_last: drop each source's last incomplete global batch. ``False`` keeps every item
            but gives ranks unequal step counts: use it for evaluation, not for DDP training.
        shuffle: shuffle items and the order of batches (train); ``False``: sources in order.
        seed, rank, world_size: the plan is a function of ``(seed, epoch)``; rank takes its share.
    """

    def __init__(
        self,
        sizes: Sequence[int],
        batch_size: int,
        drop_last: bool = True,
        shuffle: bool = True,
        seed: int = 0,
        rank: int = 0,
        world_size: int = 1,
    ) -> None:
        if batch_size < 1 or world_size < 1 or not 0 <= rank < world_size:
            raise ValueError(
                f"need batch_size >= 1 and 0 <= rank < world_size, got {batch_size}, {rank}, {world_size}"
            )
        if not sizes or min(sizes) < 0:
            raise ValueError(f"sizes must be a non-empty list of item counts, got {sizes}")
        self.sizes, self.batch_size, self.drop_last, self.shuffle = list(sizes), batch_size, drop_last, shuffle
        self.seed, self.rank, self.world_size = seed, rank, world_size
        self.offsets = np.concatenate([[0], np.cumsum(self.sizes)]).astype(np.int64)
        self.epoch = 0
        if drop_last and all(n < batch_size * world_size for n in self.sizes):
            raise ValueError(
                f"every source is smaller than one global batch ({batch_size} x {world_size} ranks): "
                f"sizes {self.sizes}; lower the batch size or set drop_last=False"
            )

    def set_epoch(self, epoch: int) -> None:
        """Call before each epoch (as with ``DistributedSampler``) for a new shuffle."""
        self.epoch = epoch

    def _global_batches(self, n: int) -> int:
        g = self.batch_size * self.world_size
        return n // g if self.drop_last else -(-n // g)

    def __len__(self) -> int:
        return sum(self._global_batches(n) for n in self.sizes)

    def __iter__(self) -> Iterator[list[tuple[int, int]]]:
        rng = np.random.default_rng([self.seed, self.epoch])
        g = self.batch_size * self.world_size
        perms = [rng.permutation(n) if self.shuffle else np.arange(n) for n in self.sizes]
        seeds = [rng.integers(0, 2**63, size=n) for n in self.sizes]  # one per item, shared by all ranks
        plan = np.concatenate([np.full(self._global_batches(n), s) for s, n in enumerate(self.sizes)]).astype(int)
        if self.shuffle:
            plan = rng.permutation(plan)
        cursor = [0] * len(self.sizes)
        for s in plan.tolist():
            part = perms[s][cursor[s] : cursor[s] + g]  # one global batch
            cursor[s] += g
            mine = part[self.rank :: self.world_size]  # disjoint across ranks
            if len(mine):
                yield [(int(self.offsets[s] + i), int(seeds[s][i])) for i in mine]
