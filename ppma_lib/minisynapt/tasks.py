"""What MiniSynAPT holds: two pre-training sets and six downstream tasks, and what each varies.

The structure copies the benchmark of PPMA (NeurIPS'23 §3.1-3.3) at toy scale:

- ``real`` (Kinetics-150-like): people in realistic style; the scene family matches the action in
  80% of clips (Kinetics is scene-biased). Every clip is exported with its actor mask and clean
  background, from which the privacy pipeline builds the No-Human set (``nohuman``).
- ``synthetic`` (SynAPT Sim150-like): the same kind of actions by flat-shaded mannequins, on
  backgrounds drawn independently of the action (half of them "rendered" rooms).
- six downstream tasks in the papers' order of decreasing scene-object bias: ``ucf`` (UCF101),
  ``hmdb`` (HMDB51), ``ssv2`` (Mini-SSV2: a hand moving an object; direction matters), ``diving``
  (Diving48: one pool, fine-grained dives), ``ikea`` (IkeaFA: fixed camera, assembly motions),
  ``uav`` (UAV-Human: small actors seen from a drone over random ground).

The bias of a task is set by one knob, ``rho``: the probability that a clip shows its class's own
context (scene family, object, venue or furniture) rather than one drawn at random. Everything
else a single frame could tell (pose, object positions) is made as class-neutral as the motions
allow. ``bias.json`` measures the result instead of trusting the knob.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ppma_lib.minisynapt.scenes import FAMILIES

Kind = Literal["body", "hand", "dive", "assembly"]


@dataclass(frozen=True)
class TaskSpec:
    name: str
    like: str  # the paper's dataset this stands in for
    kind: Kind  # which clip renderer draws it
    classes: tuple[tuple[str, str], ...]  # (action, its own context), most distinct first: a scale takes the first K
    rho: float  # P(a clip shows its class's context); else a context drawn from `pool`
    pool: tuple[str, ...]  # contexts drawn when the class's own is not used (repeats weight a draw)
    style: Literal["real", "synthetic"] = "real"
    height: tuple[float, float] = (0.45, 0.62)  # actor standing height (frame heights)
    camera: tuple[float, float, float] = (0.2, 0.15, 0.004)  # pan, zoom, shake (canvas.camera)
    pretrain: bool = False  # a pre-training set (its own label space, bigger)
    masks: bool = False  # export actor masks + clean plates (the human-removal input)


_EVERYDAY = tuple(FAMILIES)

SETS: tuple[TaskSpec, ...] = (
    TaskSpec("real", "Kinetics-150", "body",
             (("walk", "street"), ("run", "forest"), ("dribble", "court"), ("dance", "stage"), ("kick", "field"),
              ("throw", "snow"), ("sit_down", "office"), ("jumping_jack", "gym"), ("bend_pick", "kitchen"),
              ("wave", "beach")),
             rho=0.8, pool=_EVERYDAY, height=(0.4, 0.65), camera=(0.3, 0.25, 0.006), pretrain=True, masks=True),
    TaskSpec("synthetic", "SynAPT Sim150", "body",
             (("walk", ""), ("run", ""), ("jump", ""), ("wave", ""), ("squat", ""), ("punch", ""),
              ("arm_circle", ""), ("clap", ""), ("jumping_jack", ""), ("kick", "")),
             rho=0.0, pool=_EVERYDAY + ("room",) * len(_EVERYDAY), style="synthetic", height=(0.45, 0.6),
             camera=(0.2, 0.1, 0.0), pretrain=True),
    TaskSpec("ucf", "UCF101", "body",
             (("golf_swing", "field"), ("dribble", "court"), ("cartwheel", "beach"), ("dance", "stage"),
              ("jumping_jack", "gym"), ("cycle", "street"), ("climb", "forest"), ("pushup", "night")),
             rho=0.95, pool=_EVERYDAY, camera=(0.3, 0.2, 0.004)),
    TaskSpec("hmdb", "HMDB51", "body",
             (("walk", "street"), ("sit_down", "office"), ("stand_up", "kitchen"), ("wave", "beach"),
              ("punch", "gym"), ("kick", "field"), ("fall", "night"), ("bow", "stage")),
             rho=0.8, pool=_EVERYDAY, height=(0.4, 0.7), camera=(0.2, 0.3, 0.008)),
    TaskSpec("ssv2", "Mini-SSV2", "hand",
             (("push_left_to_right", "box"), ("push_right_to_left", "ball"), ("lift_up", "bottle"),
              ("put_down", "cup"), ("push_away", "book"), ("pull_closer", "can"), ("rotate", "phone"),
              ("poke", "lid")),
             rho=0.75, pool=("box", "ball", "bottle", "cup", "book", "can", "phone", "lid"), camera=(0.05, 0.05, 0.004)),
    TaskSpec("diving", "Diving48", "dive",
             (("forward_tuck", "0"), ("back_tuck", "1"), ("forward_straight", "2"), ("back_straight", "3"),
              ("forward_tuck_twist", "4"), ("back_tuck_twist", "5"), ("forward_pike", "6"), ("back_pike", "7")),
             rho=0.5, pool=tuple("01234567"), height=(0.29, 0.33), camera=(0.05, 0.05, 0.002)),
    TaskSpec("ikea", "IkeaFA", "assembly",
             (("spin_in", "0"), ("spin_out", "1"), ("attach_leg", "2"), ("detach_leg", "3"), ("push_table", "4"),
              ("pull_table", "5"), ("lift_table", "6"), ("lower_table", "7")),
             rho=0.0, pool=tuple("01234567"), height=(0.55, 0.62), camera=(0.0, 0.0, 0.0)),
    TaskSpec("uav", "UAV-Human", "body",
             (("walk", ""), ("run", ""), ("jump", ""), ("wave", ""), ("squat", ""), ("punch", ""), ("kick", ""),
              ("fall", "")),
             rho=0.0, pool=("aerial",), height=(0.22, 0.3), camera=(0.1, 0.05, 0.003)),
)
SPECS: dict[str, TaskSpec] = {s.name: s for s in SETS}
DOWNSTREAM: tuple[str, ...] = tuple(s.name for s in SETS if not s.pretrain)  # in decreasing scene bias


@dataclass(frozen=True)
class Scale:
    size: int  # H = W
    frames: int  # T
    fps: int
    classes: int  # downstream classes per task
    train: int  # downstream train clips per class
    val: int
    pretrain_classes: int
    pretrain_train: int  # pre-training clips per class
    pretrain_val: int
    subjects: tuple[int, int]  # actor identities in train / val (disjoint, as UAV-Human and IkeaFA splits)


SCALES: dict[str, Scale] = {
    # the book's `mini` profile: ~2,000 clips, generated in about a minute on 2 cores
    "small": Scale(size=64, frames=16, fps=8, classes=8, train=20, val=6, pretrain_classes=10, pretrain_train=36,
                   pretrain_val=8, subjects=(24, 8)),
    # tests and the `smoke` profile: seconds
    "tiny": Scale(size=32, frames=8, fps=8, classes=4, train=6, val=2, pretrain_classes=4, pretrain_train=6,
                  pretrain_val=2, subjects=(6, 2)),
}


def class_names(spec: TaskSpec, scale: Scale) -> list[str]:
    k = scale.pretrain_classes if spec.pretrain else scale.classes
    return [a for a, _ in spec.classes[:k]]


def split_sizes(spec: TaskSpec, scale: Scale) -> dict[str, int]:
    """Clips per class in each split."""
    if spec.pretrain:
        return {"train": scale.pretrain_train, "val": scale.pretrain_val}
    return {"train": scale.train, "val": scale.val}
