"""MiniSynAPT section: the procedural embedded benchmark (``ppma make-data mini``)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

SetName = Literal["real", "synthetic", "ucf", "hmdb", "ssv2", "diving", "ikea", "uav"]


@dataclass(frozen=True)
class MiniSynAPTConfig:
    scale: Literal["tiny", "small"] = "tiny"  # tiny: 32x32x8, 4 classes (tests, smoke); small: 64x64x16 (mini)
    out: str = "data/mini"  # output root: manifest.json, bias.json and one folder per set / task
    seed: int = 0  # each clip is seeded from (seed, set, index): same seed -> same videos
    workers: int = 2  # render + encode processes; the output does not depend on it
    sets: tuple[SetName, ...] = ()  # generate only these sets / tasks; () = all eight
    bias: bool = True  # measure static vs motion baselines per task into bias.json
    force: bool = False  # regenerate even when a manifest with the same version, seed and scale exists

    def __post_init__(self) -> None:
        if self.workers < 1:
            raise ValueError(f"workers must be >= 1, got {self.workers}")
        if len(set(self.sets)) != len(self.sets):
            raise ValueError(f"sets lists a name twice: {list(self.sets)}")
        if not self.out:
            raise ValueError("out must name a folder")
