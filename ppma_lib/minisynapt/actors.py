"""Articulated 2-D humanoids: proportions, forward kinematics, and a vectorised rasteriser.

An actor is a head and ten capsules (torso, two-segment arms and legs) posed, frame by frame, by
the joint angles of :mod:`ppma_lib.minisynapt.actions`. Angles are in degrees; a limb angle is a
forward swing relative to its parent (0 = hanging straight down, 90 = pointing forward,
180 = straight up; knees flex with negative angles, elbows with positive ones); ``body`` and
``spine`` lean the whole figure / the torso forward. ``facing`` (+1 right, -1 left) mirrors the
figure; values between pass through 0 when the actor twists.

Two render styles stand in for the two kinds of pre-training humans:
- ``real``: skin, hair, shirt and trousers, soft cylindrical shading (Kinetics-like humans);
- ``synthetic``: a flat-coloured mannequin with dark outlines and ball joints (SynAPT's "virtual
  humans" look visibly rendered).
The rasteriser returns premultiplied colour and coverage, so the same actor composites over any
background and its exact pixel mask (coverage > 0) comes for free.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Mapping

import numpy as np

from ppma_lib.minisynapt.canvas import Array, View, coverage, sd_capsule

Style = Literal["real", "synthetic"]
SKIN = ((0.98, 0.82, 0.7), (0.9, 0.7, 0.55), (0.75, 0.55, 0.4), (0.55, 0.38, 0.26), (0.4, 0.27, 0.18))
HAIR = ((0.1, 0.07, 0.05), (0.35, 0.22, 0.1), (0.7, 0.55, 0.3), (0.5, 0.5, 0.5), (0.2, 0.12, 0.08))
# segment lengths and radii as fractions of the standing height (feet to crown)
PROPORTIONS = dict(torso=0.30, upper_arm=0.16, forearm=0.15, thigh=0.23, shin=0.22, neck=0.03, head=0.075,
                   torso_r=0.07, limb_r=0.032)


@dataclass(frozen=True)
class Body:
    """One actor's build and look (an identity: the same subject keeps it across clips)."""

    lengths: Mapping[str, float]  # PROPORTIONS scaled per actor (fractions of the height)
    skin: Array
    hair: Array
    shirt: Array
    trousers: Array
    style: Style


def sample_body(rng: np.random.Generator, style: Style) -> Body:
    lengths = {k: v * rng.uniform(0.9, 1.1) for k, v in PROPORTIONS.items()}
    build = rng.uniform(0.85, 1.25)  # slim .. stocky
    lengths["torso_r"] *= build
    lengths["limb_r"] *= build
    if style == "synthetic":  # one saturated hue for the whole mannequin
        hue = rng.uniform(0.2, 1.0, 3) * (rng.random(3) < 0.7)
        hue = hue if hue.max() > 0.3 else np.array([0.7, 0.7, 0.75])
        colours = [hue * 0.85, hue * 0.6, hue, hue * 0.9]
    else:
        colours = [SKIN[rng.integers(len(SKIN))], HAIR[rng.integers(len(HAIR))],
                   rng.uniform(0.05, 0.95, 3), rng.uniform(0.05, 0.6, 3)]
    skin, hair, shirt, trousers = (np.asarray(c, np.float32) for c in colours)
    return Body(lengths, skin, hair, shirt, trousers, style)


def standing_leg(body: Body) -> float:
    return body.lengths["thigh"] + body.lengths["shin"]


# --------------------------------------------------------------------------------------------------
# forward kinematics
# --------------------------------------------------------------------------------------------------
def _down(angle: Array, facing: Array) -> Array:
    """Unit vector of a limb swung ``angle`` degrees forward from straight down -> (T, 2)."""
    a = np.deg2rad(angle)
    return np.stack([facing * np.sin(a), np.cos(a)], axis=-1)


def skeleton(pose: Mapping[str, Array], body: Body, facing: Array) -> dict[str, Array]:
    """Joint positions relative to the pelvis, in units of the standing height -> {name: (T, 2)}."""
    L = body.lengths
    lean = pose["body"] + pose["spine"]
    up = -_down(-lean, facing)  # the torso's direction from pelvis to neck
    j = {"pelvis": np.zeros_like(up)}
    j["neck"] = up * L["torso"]
    j["shoulder"] = up * (L["torso"] - 0.02)
    head_up = -_down(-(lean + pose["neck"]), facing)
    j["head"] = j["neck"] + head_up * (L["neck"] + L["head"])
    j["crown"] = j["head"] + head_up * L["head"]
    for side in ("l", "r"):
        upper = pose[f"{side}_shoulder"] - lean  # limb angles are relative to the (leaning) parent
        j[f"{side}_elbow"] = j["shoulder"] + _down(upper, facing) * L["upper_arm"]
        j[f"{side}_hand"] = j[f"{side}_elbow"] + _down(upper + pose[f"{side}_elbow"], facing) * L["forearm"]
        thigh = pose[f"{side}_hip"] - pose["body"]
        j[f"{side}_knee"] = _down(thigh, facing) * L["thigh"]
        j[f"{side}_foot"] = j[f"{side}_knee"] + _down(thigh + pose[f"{side}_knee"], facing) * L["shin"]
    return j


def place(
    joints: dict[str, Array], body: Body, height: float, feet: tuple[float, float], pose: Mapping[str, Array],
    facing0: float, grounded: bool,
) -> dict[str, Array]:
    """Joints in world units: scale by ``height`` and put the actor at ``feet`` = (x, ground y).

    A grounded actor rests its lowest point on the ground every frame (squats, push-ups and
    cartwheels need no hand-tuned root height); ``lift`` raises it, ``travel`` moves it along its
    initial facing (both in standing heights).
    """
    if grounded:
        lowest = np.max([p[:, 1] for p in joints.values()], axis=0)  # the pelvis (0) included
    else:
        lowest = np.full(len(pose["lift"]), standing_leg(body), np.float32)
    root = np.stack([feet[0] + height * facing0 * pose["travel"],
                     feet[1] - height * (lowest + pose["lift"])], axis=-1)
    return {k: root + height * p for k, p in joints.items()}


# --------------------------------------------------------------------------------------------------
# rasterising
# --------------------------------------------------------------------------------------------------
def _parts(j: dict[str, Array], body: Body, height: float) -> list[tuple[Array, Array, float, Array]]:
    """Capsules (a, b, radius, colour) from back to front: far limbs, torso, head, near limbs."""
    L, s = body.lengths, height
    arm, leg = L["limb_r"] * s, L["limb_r"] * s * 1.3
    far = 0.78  # far limbs are darker: a cheap depth cue
    forearm = body.skin if body.style == "real" else body.shirt
    parts = [
        (j["shoulder"], j["r_elbow"], arm, body.shirt * far), (j["r_elbow"], j["r_hand"], arm * 0.9, forearm * far),
        (j["pelvis"], j["r_knee"], leg, body.trousers * far), (j["r_knee"], j["r_foot"], leg * 0.85, body.trousers * far),
        (j["pelvis"], j["neck"], L["torso_r"] * s, body.shirt),
        (j["head"], j["head"], L["head"] * s, body.skin),
    ]
    if body.style == "real":  # a hair cap on the top of the head
        parts.append((0.65 * j["head"] + 0.35 * j["crown"], 0.65 * j["head"] + 0.35 * j["crown"],
                      L["head"] * s * 0.8, body.hair))
    parts += [
        (j["pelvis"], j["l_knee"], leg, body.trousers), (j["l_knee"], j["l_foot"], leg * 0.85, body.trousers),
        (j["shoulder"], j["l_elbow"], arm, body.shirt), (j["l_elbow"], j["l_hand"], arm * 0.9, forearm),
    ]
    return parts


def draw(v: View, parts: list[tuple[Array, Array, float, Array]], style: Style, outline: float) -> tuple[Array, Array]:
    """Composite capsules (a, b, radius, colour) back to front -> (premultiplied colour (T, H, W, 3),
    coverage (T, H, W)). Composite over a background ``bg`` as ``bg * (1 - coverage) + colour``.

    All capsules are evaluated at once, only in the pixel window the actor can reach.
    """
    frames = v.shape[0]
    a = np.stack([np.broadcast_to(np.asarray(p[0], np.float32), (frames, 2)) for p in parts])  # (P, T, 2)
    b = np.stack([np.broadcast_to(np.asarray(p[1], np.float32), (frames, 2)) for p in parts])
    r = np.array([p[2] for p in parts], np.float32)
    rgb = np.stack([np.asarray(p[3], np.float32) for p in parts])  # (P, 3)
    colour = np.zeros(v.shape + (3,), np.float32)
    alpha = np.zeros(v.shape, np.float32)
    reach = float(r.max()) + outline + 2.0 / float(v.px.min())
    win = v.window(np.minimum(a, b).min(axis=(0, 1)) - reach, np.maximum(a, b).max(axis=(0, 1)) + reach)
    if win is None:
        return colour, alpha
    w = v.crop(*win)
    d = sd_capsule(w, a[..., None, None, :], b[..., None, None, :], r[:, None, None, None])  # (P, T, h, w)
    if style == "real":  # cylindrical shading: lit along the axis, darker at the rim
        cov = coverage(w, d)
        shade = 0.7 + 0.3 * np.sqrt(np.clip(-d / r[:, None, None, None], 0.0, 1.0))
    else:  # rendered look: a dark outline under each flat-filled capsule
        cov = np.stack([coverage(w, d - outline), coverage(w, d)], axis=1).reshape(-1, *d.shape[1:])
        shade = np.ones_like(cov)
        rgb = np.stack([np.full_like(rgb, 0.08), rgb], axis=1).reshape(-1, 3)
    # back-to-front "over": layer p keeps the part of its coverage that no later layer hides
    clear = np.cumprod((1.0 - cov)[::-1], axis=0)[::-1]  # clear[p] = prod_{q >= p} (1 - cov_q)
    weight = cov * np.concatenate([clear[1:], np.ones_like(clear[:1])])
    colour[:, win[0], win[1]] = np.tensordot(weight * shade, rgb, axes=([0], [0]))
    alpha[:, win[0], win[1]] = 1.0 - clear[0]
    return colour, alpha


def rasterise(v: View, joints: dict[str, Array], body: Body, height: float) -> tuple[Array, Array]:
    """Draw the actor -> (premultiplied colour, coverage); 1 = actor pixel wherever coverage > 0."""
    parts = _parts(joints, body, height)
    if body.style == "synthetic":  # ball joints, the mannequin's tell-tale
        r = body.lengths["limb_r"] * height * 1.15
        parts += [(joints[k], joints[k], r, body.hair) for k in ("l_elbow", "l_knee")]
    return draw(v, parts, body.style, outline=0.012 * height)


def actor_layer(
    v: View, pose: Mapping[str, Array], body: Body, height: float, feet: tuple[float, float],
    facing: float, grounded: bool = True,
) -> tuple[Array, Array, dict[str, Array]]:
    """Pose, place and draw one actor -> (colour, coverage, world joints)."""
    f = facing * pose["facing"]
    joints = place(skeleton(pose, body, f), body, height, feet, pose, facing, grounded)
    colour, alpha = rasterise(v, joints, body, height)
    return colour, alpha, joints
