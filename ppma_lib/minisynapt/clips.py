"""Render one clip of a set or task: scene, props, actor, composited, with its exact actor mask.

A clip is drawn twice in one pass: the clean plate (scene + props, float) and the actor layer
(premultiplied colour + coverage). The frame is their composite, the mask is where coverage > 0,
and ``clean`` is the plate itself, so for every clip ``mask == any(frames != clean)`` holds
exactly before encoding (the privacy pipeline's oracle and audit rely on it).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ppma_lib.minisynapt import assembly, hands
from ppma_lib.minisynapt.actions import ACTIONS, DIVES, animate
from ppma_lib.minisynapt.actors import Body, actor_layer
from ppma_lib.minisynapt.canvas import Array, View, camera, to_uint8
from ppma_lib.minisynapt.props import PROPS
from ppma_lib.minisynapt.scenes import FAMILIES, aerial, arena, room, tabletop, workshop
from ppma_lib.minisynapt.tasks import TaskSpec

SETTINGS = {**FAMILIES, "room": room, "aerial": aerial}


@dataclass(frozen=True)
class Clip:
    frames: Array  # uint8 (T, H, W, 3) RGB
    mask: Array  # uint8 (T, H, W), 1 = actor pixel
    clean: Array  # uint8 (T, H, W, 3): the same clip rendered without the actor
    context: str  # the scene family / object / venue / finish this clip shows


def compose(clean: Array, colour: Array, alpha: Array, context: str) -> Clip:
    """Composite the actor over the plate; make ``mask == any(frames != clean)`` exact."""
    plate = to_uint8(clean)
    frames = to_uint8(clean * (1 - alpha[..., None]) + colour)
    mask = (alpha > 0) | (frames != plate).any(axis=-1)
    # an actor pixel that rounds to the background colour (a faint anti-aliased rim, or clothes the
    # colour of the wall) is nudged by one level: invisible, and the mask contract stays exact
    tie = mask & (frames == plate).all(axis=-1)
    frames[..., 1][tie] ^= 1
    return Clip(frames, mask.astype(np.uint8), plate, context)


def _lit(colour: Array, plate: Array) -> Array:
    """Realistic actors take the scene's light: darker in a night scene, brighter on snow."""
    return colour * float(np.clip(0.55 + 0.9 * plate.mean(), 0.6, 1.15))


def render(spec: TaskSpec, label: int, size: int, frames: int, rng: np.random.Generator, body: Body) -> Clip:
    """One clip of class ``label`` of ``spec``, at ``size`` x ``size`` x ``frames``, from ``rng``.

    The class's own context (scene family, object, venue, finish) is shown with probability
    ``spec.rho``, else one drawn from ``spec.pool``: the knob of the task's scene-object bias.
    """
    action, own = spec.classes[label]
    context = own if rng.random() < spec.rho else str(spec.pool[rng.integers(len(spec.pool))])
    v = camera(frames, size, size, rng, *spec.camera)
    draw = {"body": _body, "hand": _hand, "dive": _dive, "assembly": _assembly}[spec.kind]
    return draw(spec, action, context, v, rng, body)


def _body(spec: TaskSpec, action: str, context: str, v: View, rng: np.random.Generator, body: Body) -> Clip:
    plate = SETTINGS[context](v, rng)
    img = plate.image
    act = ACTIONS[action]
    pose = animate(act, v.shape[0], rng)
    height = rng.uniform(*spec.height)
    facing = float(rng.choice([-1.0, 1.0]))
    ground = rng.uniform(*plate.ground)
    spread = 0.35 if context == "aerial" else 0.12  # a drone sees actors anywhere; a cameraman frames them
    feet = (rng.uniform(-spread, spread), ground)
    colour, alpha, joints = actor_layer(v, pose, body, height, feet, facing, act.grounded)
    if act.prop:
        PROPS[act.prop](img, v, joints, pose["clock"], height, facing, ground, rng)
    if body.style == "real":
        colour = _lit(colour, img)
    return compose(img, colour, alpha, context)


def _hand(spec: TaskSpec, action: str, context: str, v: View, rng: np.random.Generator, body: Body) -> Clip:
    plate = tabletop(v, rng)
    colour, alpha = hands.hand_clip(v, plate.image, rng, action, context, rng.uniform(*plate.ground), body)
    return compose(plate.image, _lit(colour, plate.image), alpha, context)


def _dive(spec: TaskSpec, action: str, context: str, v: View, rng: np.random.Generator, body: Body) -> Clip:
    plate = arena(v, rng, int(context))
    pose = animate(DIVES[action], v.shape[0], rng)
    facing = 1.0 if action.startswith("forward") else -1.0  # back dives start with their back to the water
    feet = (-0.27, plate.ground[0])  # the end of the board
    colour, alpha, _ = actor_layer(v, pose, body, rng.uniform(*spec.height), feet, facing, grounded=False)
    return compose(plate.image, _lit(colour, plate.image), alpha, context)


def _assembly(spec: TaskSpec, action: str, context: str, v: View, rng: np.random.Generator, body: Body) -> Clip:
    plate = workshop(v, rng)
    ground = plate.ground[0]
    pose = animate(assembly.ACTIONS[action], v.shape[0], rng)
    colour, alpha, joints = actor_layer(v, pose, body, rng.uniform(*spec.height), (-0.3, ground), 1.0)
    assembly.furniture(plate.image, v, action, joints, pose["clock"], int(context), ground)
    return compose(plate.image, _lit(colour, plate.image), alpha, context)
