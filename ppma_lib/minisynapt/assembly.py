"""The assembly task (IkeaFA-like): one person at one table, seen by a fixed camera.

Every clip shares the room, the camera, the actor's place and the table; the classes differ by
what the hands do to the furniture: screwing a leg in or out (the hand circles one way or the
other, the leg's thread runs up or down), attaching or detaching a leg (the same path, played
forwards or backwards), pushing or pulling the table, lifting or lowering its end. The two classes
of a pair are each other's time reversal, so they share the distribution of single frames: the
scene says little and the motion says it all. The furniture's finish (one of eight) is the only
context cue, correlated with the class by ``rho``.
"""
from __future__ import annotations

import numpy as np

from ppma_lib.minisynapt.actions import Action, Periodic, Scripted, reverse
from ppma_lib.minisynapt.canvas import Array, View, sd_box, sd_capsule
from ppma_lib.minisynapt.scenes import FURNITURE, fill

_ATTACH = Scripted((0.0, 0.6, 1.0), dict(spine=(5, 25, 25), l_shoulder=(20, 80, 80), l_elbow=(30, 40, 40),
                                          r_shoulder=(-8, 40, 40)), window=(0.1, 0.9))
_PUSH = Scripted((0.0, 1.0), dict(spine=(20, 20), l_shoulder=(75, 75), r_shoulder=(70, 70), l_elbow=(30, 10),
                                  r_elbow=(30, 10), l_hip=(15, -10), r_hip=(-10, 15), travel=(0.0, 0.25)))
_LIFT = Scripted((0.0, 0.3, 1.0), dict(spine=(10, 35, 15), l_shoulder=(20, 75, 95), r_shoulder=(15, 70, 90),
                                       l_elbow=(20, 20, 25), l_knee=(0, -25, 0), r_knee=(0, -25, 0), l_hip=(0, 20, 0),
                                       r_hip=(0, 20, 0)), window=(0.1, 0.9))
_SPIN = dict(spine=(25, 0, 0), l_shoulder=(70, 14, 0), r_shoulder=(55, 0, 0), r_elbow=(50, 0, 0))
ACTIONS: dict[str, Action] = {
    "spin_in": Periodic({**_SPIN, "l_elbow": (45, 18, 0.25)}, cycles=2.5),
    "spin_out": Periodic({**_SPIN, "l_elbow": (45, 18, 0.75)}, cycles=2.5),  # the hand circles the other way
    "attach_leg": _ATTACH,
    "detach_leg": reverse(_ATTACH),
    "push_table": _PUSH,
    "pull_table": reverse(_PUSH),
    "lift_table": _LIFT,
    "lower_table": reverse(_LIFT),
}
TABLE = dict(x=0.15, top=0.08, half=0.2, thick=0.018, leg_r=0.014)  # world units; the floor is at 0.36


def _rotate(p: Array, pivot: Array, angle: Array) -> Array:
    """Points (T, 2) turned by ``angle`` (T,) radians about ``pivot`` (T, 2)."""
    c, s = np.cos(angle)[:, None], np.sin(angle)[:, None]
    d = p - pivot
    return pivot + np.concatenate([c * d[:, :1] - s * d[:, 1:], s * d[:, :1] + c * d[:, 1:]], axis=1)


def furniture(img: Array, v: View, action: str, j: dict[str, Array], clock: Array, finish: int, ground: float) -> None:
    """Draw the table and the worked leg for this class, following the hands, into ``img``."""
    wood = np.asarray(FURNITURE[finish % len(FURNITURE)], np.float32)
    frames, hand, T = len(clock), j["l_hand"], TABLE
    leg_len = ground - T["top"] - T["thick"]
    x = np.full(frames, T["x"], np.float32)
    if action in ("push_table", "pull_table"):  # the table slides with the actor, centred on its mean place
        x = x + (j["pelvis"][:, 0] - j["pelvis"][:, 0].mean())
    tilt = np.zeros(frames, np.float32)
    if action in ("lift_table", "lower_table"):  # the left end rises about the right foot
        tilt = -0.3 * (clock if action == "lift_table" else 1 - clock)
    pivot = np.stack([x + T["half"] - 0.03, np.full(frames, ground, np.float32)], -1)
    top = _rotate(np.stack([x, np.full(frames, T["top"], np.float32)], -1), pivot, tilt)
    fill(img, v, sd_box(v, top, (T["half"], T["thick"]), tilt), wood)
    worked = action in ("spin_in", "spin_out", "attach_leg", "detach_leg")
    for dx in ((T["half"] - 0.03,) if worked else (-T["half"] + 0.03, T["half"] - 0.03)):
        foot = _rotate(np.stack([x + dx, np.full(frames, ground, np.float32)], -1), pivot, tilt)
        head = _rotate(np.stack([x + dx, np.full(frames, T["top"] + T["thick"], np.float32)], -1), pivot, tilt)
        fill(img, v, sd_capsule(v, head, foot, T["leg_r"]), wood * 0.85)
    if action in ("spin_in", "spin_out"):  # the leg turns on its thread, moving up (in) or down (out)
        sign = 1.0 if action == "spin_in" else -1.0
        gap = 0.03 + 0.04 * (0.5 - sign * (v.t.ravel() - 0.5))
        cx = float(hand[:, 0].mean())
        y0 = T["top"] + T["thick"] + gap
        a = np.stack([np.full(frames, cx, np.float32), y0], -1)
        fill(img, v, sd_capsule(v, a, a + np.array([0.0, leg_len], np.float32), T["leg_r"]), wood * 0.85)
        thread = np.sin(v.y * 120 + sign * 4 * np.pi * clock[:, None, None]) > 0.3  # runs up or down
        on_leg = (np.abs(v.x - cx) < T["leg_r"]) & (v.y > y0[:, None, None]) & (v.y < ground)
        img *= (1 - 0.25 * (thread & on_leg))[..., None]
    elif action in ("attach_leg", "detach_leg"):  # carried by the hand, fixed at the corner
        c = int(np.argmin(np.abs(clock - (0.6 if action == "attach_leg" else 0.4))))
        held = (clock < 0.6) if action == "attach_leg" else (clock > 0.4)
        a = np.where(held[:, None], hand, hand[c]) - np.array([0.0, 0.05], np.float32)
        fill(img, v, sd_capsule(v, a, a + np.array([0.0, leg_len], np.float32), T["leg_r"]), wood * 0.85)
