"""Actions as joint-angle trajectories: periodic tables and scripted keyframes.

A periodic action (walk, wave, squat, ...) gives every joint ``(mean, amplitude, phase[, ramp])``:
``angle(t) = mean + amplitude * sin(2 pi (cycles t + phase)) + ramp * cycles t`` in degrees, with t the
clip time in [0, 1). A scripted action (sit down, throw, a dive, ...) gives keyframe values that are
eased (cosine) between keyframe times of the action's progress. Besides the joints of
:mod:`ppma_lib.minisynapt.actors`, three root channels move the actor as a whole: ``lift`` and
``travel`` (standing heights, up and along the facing) and ``facing`` (1 -> -1 = a half twist).

Every clip draws its own speed, phase, amplitude, timing and small per-joint offsets from its
generator, so two clips of one action are never the same motion.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Union

import numpy as np

from ppma_lib.minisynapt.canvas import Array

NEUTRAL = dict(body=0.0, spine=0.0, neck=0.0, l_shoulder=8.0, l_elbow=12.0, r_shoulder=-8.0, r_elbow=12.0,
               l_hip=0.0, l_knee=0.0, r_hip=0.0, r_knee=0.0, lift=0.0, travel=0.0, facing=1.0)
ROOT = ("lift", "travel", "facing")


@dataclass(frozen=True)
class Periodic:
    joints: Mapping[str, tuple[float, ...]]  # channel -> (mean, amplitude, phase[, ramp per cycle])
    cycles: float = 2.0  # cycles per clip at speed 1
    travel: float = 0.0  # forward travel over the clip at speed 1 (standing heights)
    lift: tuple[float, int, float] = (0.0, 1, 0.0)  # (height, harmonic, phase): airborne part of the cycle
    grounded: bool = True  # rest the lowest point on the ground each frame
    prop: str = ""  # an object of the scene that goes with the action (props.py)


@dataclass(frozen=True)
class Scripted:
    times: tuple[float, ...]  # keyframe times in the action's progress [0, 1]
    joints: Mapping[str, tuple[float, ...]]  # channel -> one value per keyframe
    grounded: bool = True
    prop: str = ""
    window: tuple[float, float] = (0.2, 0.8)  # latest start / earliest end of the action in the clip


Action = Union[Periodic, Scripted]


def reverse(a: Scripted) -> Scripted:
    """The same script played backwards (sit down -> stand up)."""
    return Scripted(tuple(1 - t for t in reversed(a.times)), {k: tuple(reversed(v)) for k, v in a.joints.items()},
                    a.grounded, a.prop, a.window)


def keyframes(clock: Array, times: tuple[float, ...], values: tuple[float, ...]) -> Array:
    """Values at keyframe ``times``, eased (cosine) in between, sampled at ``clock`` (T,) -> (T,)."""
    u = np.interp(clock, times, np.arange(len(times)))
    i = np.minimum(u.astype(int), len(times) - 2)
    ease = (1 - np.cos(np.pi * (u - i))) / 2
    v = np.asarray(values, np.float32)
    return (v[i] + ease * (v[i + 1] - v[i])).astype(np.float32)


def animate(action: Action, frames: int, rng: np.random.Generator) -> dict[str, Array]:
    """Channel trajectories for one clip -> {channel: (T,)}, plus ``clock`` (T,): the cycle count
    (periodic) or the progress in [0, 1] (scripted), which props synchronise with."""
    t = np.arange(frames, dtype=np.float32) / frames
    amp = rng.uniform(0.8, 1.15)
    pose = {k: np.full(frames, v, np.float32) for k, v in NEUTRAL.items()}
    if isinstance(action, Periodic):
        speed, phase = rng.uniform(0.8, 1.25), rng.random()
        clock = (action.cycles * speed * t + phase).astype(np.float32)
        for k, (mean, a, ph, *ramp) in action.joints.items():
            pose[k] = (mean + amp * a * np.sin(2 * np.pi * (clock + ph)) + (ramp[0] if ramp else 0) * clock)
        h, k, ph = action.lift
        pose["lift"] = pose["lift"] + amp * h * np.maximum(0, np.sin(2 * np.pi * (k * clock + ph)))
        pose["travel"] = action.travel * speed * (t - 0.5)
    else:
        start = rng.uniform(0.0, action.window[0])
        end = rng.uniform(action.window[1], 1.0)
        clock = np.clip((t - start) / (end - start), 0.0, 1.0).astype(np.float32)
        for k, keys in action.joints.items():
            scale = 1.0 if k in ROOT or k == "body" else amp  # soften or exaggerate limbs, not the root path
            pose[k] = NEUTRAL[k] + scale * (keyframes(clock, action.times, keys) - NEUTRAL[k])
    for k in NEUTRAL:
        if k not in ROOT:  # each clip holds its joints a little differently
            pose[k] = (pose[k] + rng.normal(0, 3)).astype(np.float32)
    pose["clock"] = clock
    return {k: np.asarray(v, np.float32) for k, v in pose.items()}


def _legs(hip: tuple, knee: tuple, other: float = 0.5) -> dict[str, tuple]:
    """The same leg motion on both legs, the far leg shifted by ``other`` of a cycle."""
    shift = lambda s: (s[0], s[1], (s[2] + other) % 1, *s[3:])  # noqa: E731
    return dict(l_hip=hip, r_hip=shift(hip), l_knee=knee, r_knee=shift(knee))


def _arms(shoulder: tuple, elbow: tuple, other: float = 0.5) -> dict[str, tuple]:
    shift = lambda s: (s[0], s[1], (s[2] + other) % 1, *s[3:])  # noqa: E731
    return dict(l_shoulder=shoulder, r_shoulder=shift(shoulder), l_elbow=elbow, r_elbow=shift(elbow))


_SIT = Scripted((0.0, 1.0), dict(l_hip=(0, 90), r_hip=(0, 90), l_knee=(0, -90), r_knee=(0, -90), spine=(0, 10),
                                 l_shoulder=(8, 35), r_shoulder=(-8, 25), l_elbow=(12, 30)), prop="chair")

ACTIONS: dict[str, Action] = {
    # locomotion
    "walk": Periodic({"spine": (4, 0, 0), **_legs((0, 25, 0), (-20, 18, 0.75)), **_arms((0, 22, 0.5), (20, 10, 0.5))},
                     cycles=2.0, travel=1.0, lift=(0.015, 2, 0.25)),
    "run": Periodic({"spine": (15, 0, 0), **_legs((15, 40, 0), (-55, 35, 0.75)), **_arms((10, 45, 0.5), (90, 10, 0.5))},
                    cycles=3.0, travel=2.2, lift=(0.05, 2, 0.0)),
    "jump": Periodic({**_legs((15, -15, 0), (-30, 30, 0), 0), **_arms((90, 80, 0), (20, 0, 0), 0)},
                     cycles=2.0, lift=(0.25, 1, 0.0)),
    "cycle": Periodic({"spine": (25, 0, 0), **_legs((55, 20, 0), (-70, 25, 0.25)),
                       **_arms((70, 0, 0), (10, 0, 0), 0)}, cycles=2.0, travel=1.5, lift=(0.0, 1, 0.0),
                      grounded=False, prop="bike"),
    "climb": Periodic({**_legs((40, 40, 0.5), (-60, 50, 0.5)), **_arms((160, 20, 0), (30, 30, 0)),
                       "lift": (0, 0, 0, 0.12)}, cycles=2.0, prop="ladder"),
    # exercise and gesture
    "jumping_jack": Periodic(dict(l_shoulder=(80, 75, 0), r_shoulder=(-80, -75, 0), l_hip=(12, 12, 0),
                                  r_hip=(-12, -12, 0), l_elbow=(10, 0, 0), r_elbow=(10, 0, 0)),
                             cycles=2.0, lift=(0.04, 2, 0.25)),
    "wave": Periodic(dict(l_shoulder=(150, 6, 0), l_elbow=(35, 35, 0)), cycles=3.0),
    "clap": Periodic(dict(l_shoulder=(50, 10, 0), l_elbow=(85, 25, 0), r_shoulder=(-50, -10, 0),
                          r_elbow=(-85, -25, 0)), cycles=3.0),
    "punch": Periodic({"spine": (8, 0, 0), **_arms((85, 8, 0), (70, -65, 0)), "l_hip": (18, 0, 0),
                       "r_hip": (-15, 0, 0), "l_knee": (-15, 0, 0), "r_knee": (-10, 0, 0)}, cycles=2.5),
    "squat": Periodic({"spine": (20, 20, 0.75), **_legs((50, 50, 0.75), (-60, 60, 0.25), 0),
                       **_arms((80, 10, 0.75), (10, 0, 0), 0)}, cycles=1.5),
    "arm_circle": Periodic(dict(l_shoulder=(0, 0, 0, 360), r_shoulder=(180, 0, 0, 360), l_elbow=(5, 0, 0),
                                r_elbow=(5, 0, 0)), cycles=2.0),
    "dance": Periodic({"body": (0, 8, 0), "spine": (0, 10, 0.5), **_legs((8, 10, 0), (-15, 15, 0.25)),
                       "l_shoulder": (110, 50, 0), "r_shoulder": (-110, -50, 0.5), "l_elbow": (40, 30, 0),
                       "r_elbow": (40, 30, 0.5)}, cycles=2.0, lift=(0.03, 2, 0.0)),
    "pushup": Periodic({"body": (78, 0, 0), **_arms((88, 12, 0), (30, 30, 0), 0)}, cycles=2.0, prop="mat"),
    # sports with objects
    "dribble": Periodic({"spine": (20, 0, 0), "l_shoulder": (45, 15, 0), "l_elbow": (35, 30, 0), "l_hip": (20, 0, 0),
                         "r_hip": (10, 0, 0), "l_knee": (-25, 0, 0), "r_knee": (-25, 0, 0)}, cycles=3.0,
                        prop="ball_dribble"),
    "kick": Scripted((0.0, 0.3, 0.55, 1.0), dict(l_hip=(0, -30, 80, 0), l_knee=(0, -70, -5, 0), spine=(0, -5, -15, 0),
                                                 l_shoulder=(8, 30, -30, 8), r_shoulder=(-8, -30, 40, -8)),
                     prop="ball_kick"),
    "throw": Scripted((0.0, 0.35, 0.6, 1.0), dict(l_shoulder=(8, 200, 60, 8), l_elbow=(12, 100, 10, 12),
                                                  spine=(0, -10, 25, 0), l_hip=(0, -15, 25, 0), r_hip=(0, 15, -10, 0)),
                      prop="ball_throw"),
    "golf_swing": Scripted((0.0, 0.4, 0.6, 1.0), dict(l_shoulder=(20, -140, 20, 140), r_shoulder=(20, -140, 20, 140),
                                                      l_elbow=(10, 40, 0, 40), r_elbow=(10, 40, 0, 40),
                                                      spine=(25, 20, 25, 10)), prop="club"),
    # everyday
    "sit_down": _SIT,
    "stand_up": reverse(_SIT),
    "bend_pick": Scripted((0.0, 0.45, 0.6, 1.0), dict(spine=(0, 75, 75, 0), l_shoulder=(8, 75, 75, 8),
                                                      l_hip=(0, 40, 40, 0), l_knee=(0, -40, -40, 0),
                                                      r_hip=(0, 40, 40, 0), r_knee=(0, -40, -40, 0)),
                          prop="pick_object"),
    "bow": Scripted((0.0, 0.4, 0.6, 1.0), dict(spine=(0, 60, 60, 0), neck=(0, 20, 20, 0), l_shoulder=(8, 60, 60, 8),
                                               r_shoulder=(-8, 55, 55, -8))),
    "fall": Scripted((0.0, 0.3, 1.0), dict(body=(0, 10, 88), l_shoulder=(8, 60, 160), r_shoulder=(-8, 40, 150),
                                           l_knee=(0, -20, 0), r_knee=(0, -30, -10))),
    "cartwheel": Scripted((0.0, 1.0), dict(body=(0, 360), l_shoulder=(170, 170), r_shoulder=(-170, -170),
                                           l_hip=(30, 30), r_hip=(-30, -30), travel=(-0.6, 0.6))),
    "stretch": Scripted((0.0, 0.5, 1.0), dict(l_shoulder=(8, 175, 8), r_shoulder=(-8, -175, -8), lift=(0, 0.02, 0))),
    "turn": Scripted((0.0, 1.0), dict(facing=(1, -1), l_shoulder=(8, 20), r_shoulder=(-8, -20))),
}


def dive(direction: int, position: str, twist: bool) -> Scripted:
    """A dive from the board: take-off, 1.5 somersaults (forward: direction 1, facing the water;
    backward: -1, back to the water) in a ``tuck``, ``pike`` or ``straight`` position, with or
    without a half twist, head-first entry."""
    d = float(direction)
    hip, knee, arm, elbow = {"tuck": (120, -130, 60, 70), "pike": (115, 0, 110, 0), "straight": (0, 0, 175, 0)}[position]
    times = (0.0, 0.12, 0.25, 0.45, 0.7, 0.85, 1.0)
    joints = dict(
        body=(0, 0, 0, d * 200, d * 420, d * 540, d * 545),
        lift=(0, 0, 0.25, 0.4, 0.0, -0.8, -1.3),
        travel=(0, 0, 0.2 * d, 0.6 * d, 0.9 * d, 1.1 * d, 1.15 * d),
        l_hip=(0, 30, 0, hip, hip, 0, 0), r_hip=(0, 30, 0, hip, hip, 0, 0),
        l_knee=(0, -60, 0, knee, knee, 0, 0), r_knee=(0, -60, 0, knee, knee, 0, 0),
        l_shoulder=(8, -40, 175, arm, arm, 180, 180), r_shoulder=(-8, -40, 175, arm, arm, 180, 180),
        l_elbow=(12, 10, 0, elbow, elbow, 0, 0), r_elbow=(12, 10, 0, elbow, elbow, 0, 0),
    )
    if twist:
        joints["facing"] = (1, 1, 1, 1, -1, -1, -1)
    return Scripted(times, joints, grounded=False, window=(0.08, 0.92))


DIVES: dict[str, Scripted] = {
    f"{'forward' if d > 0 else 'back'}_{p}{'_twist' if tw else ''}": dive(d, p, tw)
    for tw in (False, True) for p in ("tuck", "straight", "pike") for d in (1, -1)
}
