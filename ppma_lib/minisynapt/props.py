"""Objects that go with an action (balls, a club, a chair, a bike, a ladder, a mat).

Props are part of the *scene*: they are drawn into the clean plate, not the actor layer, so human
removal leaves them behind, as HAT leaves a ball or a bat behind in No-Human Kinetics. They follow
the actor's joints (a ball in the hand until its release) and the action's clock, so they carry
both an object cue (what is there) and a motion cue (where it goes).
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from ppma_lib.minisynapt.canvas import Array, View, sd_box, sd_capsule, sd_disc
from ppma_lib.minisynapt.scenes import fill

Joints = dict[str, Array]
PropFn = Callable[[Array, View, Joints, Array, float, float, float, np.random.Generator], None]


def _at(clock: Array, when: float) -> int:
    """The first frame whose clock reaches ``when`` (the last frame if none does)."""
    hit = np.flatnonzero(clock >= when)
    return int(hit[0]) if hit.size else len(clock) - 1


def _flight(start: Array, t: Array, t0: float, vel: tuple[float, float], g: float) -> Array:
    dt = np.maximum(t - t0, 0.0)[:, None]
    return start + np.asarray(vel, np.float32) * dt + np.array([0.0, g], np.float32) * dt ** 2


def ball_dribble(img: Array, v: View, j: Joints, clock: Array, h: float, facing: float, ground: float,
                 rng: np.random.Generator) -> None:
    r = 0.05 * h
    hand = j["l_hand"]
    bounce = np.abs(np.cos(np.pi * clock))  # 1 at the hand, 0 on the floor, twice per arm cycle
    y = ground - r - (ground - r - hand[:, 1]) * bounce
    fill(img, v, sd_disc(v, np.stack([hand[:, 0] + facing * 0.03 * h, y], -1), r), (0.85, 0.4, 0.1))


def ball_kick(img: Array, v: View, j: Joints, clock: Array, h: float, facing: float, ground: float,
              rng: np.random.Generator) -> None:
    r, t = 0.05 * h, v.t.ravel()
    c = _at(clock, 0.55)
    rest = np.array([j["l_foot"][c, 0] + facing * r, ground - r], np.float32)
    pos = _flight(rest, t, t[c], (facing * 2.5 * h, -1.5 * h), 3 * h)
    fill(img, v, sd_disc(v, pos, r), (0.95, 0.95, 0.95))
    fill(img, v, sd_disc(v, pos, r * 0.4), (0.1, 0.1, 0.1))


def ball_throw(img: Array, v: View, j: Joints, clock: Array, h: float, facing: float, ground: float,
               rng: np.random.Generator) -> None:
    r, t = 0.04 * h, v.t.ravel()
    c = _at(clock, 0.6)
    pos = np.where((np.arange(len(t)) < c)[:, None], j["l_hand"],
                   _flight(j["l_hand"][c], t, t[c], (facing * 2.5 * h, -1.2 * h), 3 * h))
    fill(img, v, sd_disc(v, pos, r), (0.95, 0.95, 0.98))


def club(img: Array, v: View, j: Joints, clock: Array, h: float, facing: float, ground: float,
         rng: np.random.Generator) -> None:
    hand, elbow = j["l_hand"], j["l_elbow"]
    along = (hand - elbow) / np.maximum(np.linalg.norm(hand - elbow, axis=-1, keepdims=True), 1e-6)
    head = hand + along * 0.45 * h
    fill(img, v, sd_capsule(v, hand, head, 0.012 * h), (0.6, 0.6, 0.62))
    fill(img, v, sd_disc(v, head, 0.03 * h), (0.3, 0.3, 0.32))


def chair(img: Array, v: View, j: Joints, clock: Array, h: float, facing: float, ground: float,
          rng: np.random.Generator) -> None:
    seat = j["pelvis"][int(np.argmax(j["pelvis"][:, 1]))] + np.array([0.0, 0.05 * h], np.float32)
    wood = np.clip(np.array([0.5, 0.32, 0.18]) + rng.uniform(-0.1, 0.1, 3), 0, 1)
    back_x = seat[0] - facing * 0.11 * h
    fill(img, v, sd_box(v, (back_x, seat[1] - 0.14 * h), (0.015 * h, 0.15 * h)), wood)
    fill(img, v, sd_box(v, seat, (0.12 * h, 0.02 * h)), wood)
    for dx in (-0.1, 0.1):
        leg = (ground + seat[1]) / 2
        fill(img, v, sd_box(v, (seat[0] + dx * h, leg), (0.012 * h, (ground - seat[1]) / 2)), wood * 0.8)


def bike(img: Array, v: View, j: Joints, clock: Array, h: float, facing: float, ground: float,
         rng: np.random.Generator) -> None:
    r = 0.15 * h
    hub_y = np.full(len(clock), ground - r, np.float32)
    rear = np.stack([j["pelvis"][:, 0] - facing * 0.25 * h, hub_y], -1)
    front = np.stack([j["pelvis"][:, 0] + facing * 0.32 * h, hub_y], -1)
    paint = np.clip(rng.uniform(0.1, 0.9, 3), 0, 1)
    for hub in (rear, front):
        fill(img, v, np.abs(sd_disc(v, hub, r)) - 0.012 * h, (0.1, 0.1, 0.1))
    crank = (rear + front) / 2
    for a, b in ((rear, crank), (crank, j["pelvis"]), (j["pelvis"], rear), (crank, front),
                 (front, j["l_hand"])):
        fill(img, v, sd_capsule(v, a, b, 0.014 * h), paint)


def ladder(img: Array, v: View, j: Joints, clock: Array, h: float, facing: float, ground: float,
           rng: np.random.Generator) -> None:
    x = float(j["l_hand"][:, 0].mean()) + facing * 0.04 * h
    top = ground - 3.0 * h
    for dx in (-0.12, 0.12):
        fill(img, v, sd_box(v, (x + dx * h, (ground + top) / 2), (0.012 * h, (ground - top) / 2)), (0.55, 0.55, 0.58))
    for y in np.arange(ground - 0.1 * h, top, -0.16 * h):
        fill(img, v, sd_box(v, (x, y), (0.12 * h, 0.01 * h)), (0.55, 0.55, 0.58))


def mat(img: Array, v: View, j: Joints, clock: Array, h: float, facing: float, ground: float,
        rng: np.random.Generator) -> None:
    colour = np.clip(rng.uniform(0.1, 0.8, 3), 0, 1)
    fill(img, v, sd_box(v, (float(j["pelvis"][:, 0].mean()), ground - 0.01 * h), (0.6 * h, 0.015 * h)), colour)


def pick_object(img: Array, v: View, j: Joints, clock: Array, h: float, facing: float, ground: float,
                rng: np.random.Generator) -> None:
    hand = j["l_hand"]
    g = int(np.argmax(hand[:, 1]))  # the grasp: the hand's lowest point
    s = 0.035 * h
    rest = np.array([hand[g, 0], ground - s], np.float32)
    pos = np.where((np.arange(len(clock)) < g)[:, None], rest, hand + np.array([0.0, s], np.float32))
    fill(img, v, sd_box(v, pos, (s * 1.3, s)), np.clip(rng.uniform(0.1, 0.9, 3), 0, 1))


PROPS: dict[str, PropFn] = {f.__name__: f for f in (ball_dribble, ball_kick, ball_throw, club, chair, bike, ladder,
                                                    mat, pick_object)}
