"""Training: one engine and one fit loop for every task (PPMA stages 1-2, downstream FT/LP, PMG).

    from ppma_lib.config import resolve
    from ppma_lib.train import fit, launch_torchrun
    summary = fit(resolve("params/mini/finetune.yaml", ["train.epochs=2"]))            # in-process
    summary = launch_torchrun("params/paper/mae.yaml", ["train.epochs=1"], nproc=8)   # DDP, from a notebook

Modules: :mod:`~ppma_lib.train.loop` (``fit``), :mod:`~ppma_lib.train.engine` (one epoch),
:mod:`~ppma_lib.train.steps` (the loss per task), :mod:`~ppma_lib.train.tasks` (model + data per task),
:mod:`~ppma_lib.train.schedule` (warmup + cosine), :mod:`~ppma_lib.train.evaluation` and
:mod:`~ppma_lib.train.metrics` (multi-view accuracy), :mod:`~ppma_lib.train.state` (checkpoints, RNG,
metrics files), :mod:`~ppma_lib.train.distributed` (torchrun / DDP), :mod:`~ppma_lib.train.launch`.
This package imports nothing heavy until a name is used, so ``ppma --help`` stays fast.
"""
from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "fit": "loop", "amp_dtype": "loop", "launch_torchrun": "launch", "torchrun_command": "launch",
    "lr_at": "schedule", "train_one_epoch": "engine", "NonFiniteLoss": "engine", "evaluate": "evaluation",
    "build_task": "tasks", "resolve_init": "state",
}


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(f"ppma_lib.train.{_EXPORTS[name]}"), name)
    raise AttributeError(f"module 'ppma_lib.train' has no attribute {name!r}")


__all__ = list(_EXPORTS)
