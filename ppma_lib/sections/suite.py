"""Downstream-suite section: which (eval, task) pairs a pre-trained model is evaluated on (PPMA §4, App. A.2).

A suite run (``run.task: job``, notebook ``book/04_downstream.ipynb``) starts one training run per pair,
named ``<model>__<eval>__<task>``, from ``model.init`` (``model.mix_inits`` for ``mix_probe``).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

EVALS = ("finetune", "linear_probe", "scratch", "mix_probe")
TASK_KEYS = ("ucf_like", "hmdb_like", "ssv2_like", "diving_like", "ikea_like", "uav_like")


@dataclass(frozen=True)
class SuiteConfig:
    model: str = ""  # the pre-trained model's name in run names (experiments.yaml); "" = model.init's run name
    tasks: tuple[str, ...] = ()  # report task keys (ucf_like, ...); MiniSynAPT folder = key without "_like"
    evals: tuple[str, ...] = ()  # finetune | linear_probe | scratch | mix_probe
    params: dict[str, str] = field(default_factory=dict)  # eval -> its params file (the recipe of that protocol)
    overrides: dict[str, Any] = field(default_factory=dict)  # dotted key -> value, applied to every job
    # PMG Fig. 4: each (eval, task) also trained on N train videos per class (a seeded subset), named __vpc<N>
    videos_per_class: tuple[int, ...] = ()
    # PMG Fig. 3a: each pair also fine-tuned from model.init's checkpoint of epoch N (its train.ckpt_every), __ep<N>
    init_epochs: tuple[int, ...] = ()
    # PMG Fig. 3c: model.init was pre-trained on images of N categories; every run is named __cat<N> (a suite per N)
    categories: int = 0

    def __post_init__(self) -> None:
        unknown = set(self.evals) - set(EVALS)
        if unknown:
            raise ValueError(f"suite.evals: unknown {sorted(unknown)}; choose from {EVALS}")
        if len(set(self.tasks)) != len(self.tasks):
            raise ValueError(f"suite.tasks lists a task twice: {list(self.tasks)}")
        for name in ("videos_per_class", "init_epochs"):
            if any(n < 1 for n in getattr(self, name)):
                raise ValueError(f"suite.{name} must be >= 1, got {list(getattr(self, name))}")
        if self.categories < 0 or (self.categories and (self.videos_per_class or self.init_epochs)):
            raise ValueError("suite.categories is >= 1 (0 = off) and names a suite of its own: without "
                             "suite.videos_per_class or suite.init_epochs (a run name holds one sweep)")
        missing = [e for e in self.evals if e not in self.params]
        if missing:
            raise ValueError(f"suite.params names no params file for {missing}")
