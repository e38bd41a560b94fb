"""Jobs the experiment notebooks run besides training: the data a profile needs, No-Human videos,
weight-averaged checkpoints (soups), and views of finished runs for the book.

    from ppma_lib.jobs import ensure_minisynapt, remove_humans_job, make_soup
    root = ensure_minisynapt("smoke")       # data/smoke, generated on first use
    summary = remove_humans_job(cfg)        # cfg.run.task == "job": real -> nohuman + audit

Every job reads its own config sections (``minisynapt``, ``privacy``, ``model``) and writes into its
run directory ``outputs/<profile>/<run>/`` like a training run (``params.resolved.yaml``, ``summary.json``).
"""
from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "PROFILE_DATA": "data", "data_root": "data", "task_folder": "data", "ensure_minisynapt": "data",
    "ensure_nohuman": "data", "make_data": "data", "bias_table": "data", "sets_table": "data",
    "remove_humans_job": "nohuman", "audit_table": "nohuman", "quality_table": "nohuman",
    "removal_figure": "nohuman",
    "make_soup": "soup", "soup_recipe": "soup",
    "read_metrics": "views", "loss_figure": "views", "reconstruction_figure": "views", "summary_table": "views",
}


def __getattr__(name: str) -> Any:  # lazy: importing the package loads neither torch nor OpenCV
    if name in _EXPORTS:
        return getattr(importlib.import_module(f"ppma_lib.jobs.{_EXPORTS[name]}"), name)
    raise AttributeError(f"module 'ppma_lib.jobs' has no attribute {name!r}")


__all__ = list(_EXPORTS)
