"""The hand-object task (Mini-SSV2-like): a forearm and hand move an object across a table.

Something-Something classes are defined by what the hand does to the object, so that left-to-right
and right-to-left pushes share every single frame's content and differ only in direction. Each
class is a keyframed script of the object (offset, scale for depth, rotation) and of the hand,
which is placed relative to the object's side (hx = -1: touching its left side). The object's
average position over the clip is randomised *after* the script, so where the object sits in a
frame tells nothing about the class; only its identity may (``rho`` in tasks.py).
"""
from __future__ import annotations

import numpy as np

from ppma_lib.minisynapt.actions import keyframes
from ppma_lib.minisynapt.actors import Body, draw
from ppma_lib.minisynapt.canvas import Array, View, sd_box, sd_disc
from ppma_lib.minisynapt.scenes import fill

# kind -> (shape, half width, half height, colour): saturated colours, so an object is recognisable
OBJECTS: dict[str, tuple[str, float, float, tuple[float, float, float]]] = {
    "box": ("box", 0.09, 0.08, (0.95, 0.55, 0.1)), "ball": ("disc", 0.08, 0.08, (0.9, 0.1, 0.1)),
    "bottle": ("box", 0.04, 0.13, (0.1, 0.7, 0.2)), "cup": ("box", 0.06, 0.07, (0.97, 0.97, 0.97)),
    "book": ("box", 0.13, 0.03, (0.1, 0.2, 0.85)), "can": ("box", 0.05, 0.08, (0.6, 0.2, 0.8)),
    "phone": ("box", 0.07, 0.02, (0.05, 0.05, 0.05)), "lid": ("box", 0.09, 0.015, (0.95, 0.9, 0.1)),
}

# class -> (keyframe times, channels): ox, oy object offset; os scale; oa angle (deg); hx, hy hand
# position relative to the object's centre in units of (half size + hand radius)
_LIFT = ((0.0, 0.35, 1.0), dict(hx=(2.5, 1, 1), hy=(0.5, 0, 0), oy=(0, 0, -0.3)))
_AWAY = ((0.0, 0.3, 1.0), dict(hy=(3, 1, 1), os=(1, 1, 0.55), oy=(0, 0, -0.15)))
SCRIPTS: dict[str, tuple[tuple[float, ...], dict[str, tuple[float, ...]]]] = {
    "push_left_to_right": ((0.0, 0.3, 1.0), dict(hx=(-3, -1, -1), hy=(0.3, 0, 0), ox=(0, 0, 0.35))),
    "push_right_to_left": ((0.0, 0.3, 1.0), dict(hx=(3, 1, 1), hy=(0.3, 0, 0), ox=(0, 0, -0.35))),
    "lift_up": _LIFT,
    "put_down": (tuple(1 - t for t in reversed(_LIFT[0])), {k: v[::-1] for k, v in _LIFT[1].items()}),
    "push_away": _AWAY,
    "pull_closer": (tuple(1 - t for t in reversed(_AWAY[0])), {k: v[::-1] for k, v in _AWAY[1].items()}),
    "rotate": ((0.0, 0.3, 1.0), dict(hx=(1.5, 1, 0.3), hy=(-1, -1, -0.7), oa=(0, 0, 90))),
    "poke": ((0.0, 0.25, 0.37, 0.5, 0.62, 0.75, 1.0),
             dict(hx=(3, 1, 1.6, 1, 1.6, 1, 3), hy=(0.5, 0, 0, 0, 0, 0, 0.5), ox=(0, 0.01, 0, 0.01, 0, 0.01, 0))),
}
DEFAULTS = dict(ox=0.0, oy=0.0, os=1.0, oa=0.0, hx=3.0, hy=1.0)


def hand_clip(v: View, img: Array, rng: np.random.Generator, action: str, kind: str, table: float,
              body: Body) -> tuple[Array, Array]:
    """Draw the object into the scene ``img`` (in place) -> the hand layer (colour, coverage)."""
    frames = v.shape[0]
    times, keys = SCRIPTS[action]
    t = v.t.ravel()
    start, end = rng.uniform(0.0, 0.2), rng.uniform(0.8, 1.0)
    clock = np.clip((t - start) / (end - start), 0.0, 1.0)
    ch = {k: keyframes(clock, times, keys[k]) if k in keys else np.full(frames, d, np.float32)
          for k, d in DEFAULTS.items()}
    shape, hw, hh, colour = OBJECTS[kind]
    size = 1.4 * rng.uniform(0.85, 1.2)  # a close-up: the object fills a good part of the frame
    hw, hh = hw * size, hh * size
    colour = np.clip(np.asarray(colour) + rng.uniform(-0.05, 0.05, 3), 0, 1)
    # centre the motion on a random spot: position in a frame says nothing about the class
    x = rng.uniform(-0.15, 0.15) + ch["ox"] - ch["ox"].mean()
    y = table - hh + rng.uniform(-0.03, 0.03) + ch["oy"] - ch["oy"].mean()
    centre = np.stack([x, y], -1)
    s, a = ch["os"], np.deg2rad(ch["oa"])
    if shape == "disc":
        d = sd_disc(v, centre, hw * s)
    else:
        d = sd_box(v, centre, np.stack([hw * s, hh * s], -1), a)
    fill(img, v, d, colour)
    fill(img, v, d + 0.35 * min(hw, hh), colour * 1.15)  # a highlight: the object reads as solid

    r = 0.075 * rng.uniform(0.9, 1.1)
    hand = centre + np.stack([ch["hx"] * (hw * s + r), ch["hy"] * (hh * s + r)], -1)
    side = rng.choice([-1.0, 1.0])  # left or right arm: the elbow is off-screen below
    elbow = hand + np.array([side * 0.3, 0.7], np.float32)
    along = (hand - elbow) / np.linalg.norm(hand - elbow, axis=-1, keepdims=True)
    sleeve = elbow + 0.5 * (hand - elbow)
    parts = [(elbow, sleeve, r * 1.0, body.shirt), (sleeve, hand - along * r, r * 0.8, body.skin),
             (hand, hand, r, body.skin), (hand, hand + along * r * 1.3, r * 0.55, body.skin)]
    return draw(v, parts, "real", outline=0.0)
