"""Procedural scenes: the backgrounds that carry (or do not carry) a task's scene bias.

A scene family is a recipe of bands (sky, wall, ground, water), textures (value noise, stripes,
tiles) and props (trees, buildings, goal posts, lamps), some moving (clouds, cars, waves,
spotlights). Base colours are jittered per clip, so a family is recognisable by its layout and
palette but no two clips are identical. Every recipe draws all T frames at once through a
:class:`~ppma_lib.minisynapt.canvas.View` and returns the image and where actors may stand.

``FAMILIES`` are the everyday scenes that tasks correlate with their labels (UCF-like strongly,
HMDB-like moderately, the synthetic set not at all). ``aerial``, ``room``, ``arena``, ``workshop`` and
``tabletop`` are the special settings of the UAV-like, synthetic, diving, assembly and
hand-object tasks.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from ppma_lib.minisynapt.canvas import (
    Array,
    View,
    coverage,
    gradient,
    noise,
    over,
    sd_below,
    sd_box,
    sd_disc,
)

Rng = np.random.Generator


@dataclass(frozen=True)
class Backdrop:
    image: Array  # (T, H, W, 3) float in [0, 1]
    ground: tuple[float, float]  # range of world y where an actor's feet may rest


def jit(rng: Rng, rgb: tuple[float, float, float], s: float = 0.06) -> Array:
    """A base colour jittered per clip."""
    return np.clip(np.asarray(rgb, np.float32) + rng.uniform(-s, s, 3), 0.0, 1.0).astype(np.float32)


def fill(img: Array, v: View, d: Array, colour: Array, tex: Array | None = None, amount: float = 0.3) -> None:
    """Paint a shape (signed distance d) with a colour, optionally modulated by a texture in [0, 1]."""
    col = np.asarray(colour, np.float32)
    if tex is not None:
        col = col * (1.0 + amount * (tex - 0.5))[..., None]
    over(img, coverage(v, d), col)


def _tree(img: Array, v: View, rng: Rng, x: float, y: float, size: float, leaf: Array) -> None:
    fill(img, v, sd_box(v, (x, y - size * 0.4), (size * 0.08, size * 0.4)), (0.35, 0.24, 0.14))
    for dx, dy, r in ((0, -1.0, 0.42), (-0.25, -0.75, 0.3), (0.25, -0.75, 0.3)):
        fill(img, v, sd_disc(v, (x + dx * size, y + dy * size), r * size), leaf * rng.uniform(0.85, 1.1))


# --------------------------------------------------------------------------------------------------
# everyday families
# --------------------------------------------------------------------------------------------------
def field(v: View, rng: Rng) -> Backdrop:
    horizon = rng.uniform(-0.15, -0.02)
    img = gradient(v, -0.6, horizon, jit(rng, (0.3, 0.55, 0.95)), jit(rng, (0.75, 0.85, 0.98)))
    clouds = noise(v, rng, 3.0, drift=(rng.uniform(0.05, 0.2), 0))
    over(img, np.clip((clouds - 0.55) * 4, 0, 1) * (v.y < horizon), (0.97, 0.97, 0.97))
    mow = (np.sin(v.x * rng.uniform(8, 14) * np.pi) > 0).astype(np.float32)  # mowing stripes
    fill(img, v, sd_below(v, horizon), jit(rng, (0.25, 0.58, 0.2)), 0.6 * mow + 0.4 * noise(v, rng, 20), 0.35)
    gx = rng.choice([-1, 1]) * rng.uniform(0.45, 0.8)
    for x in (gx - 0.15, gx + 0.15):
        fill(img, v, sd_box(v, (x, horizon + 0.02), (0.008, 0.12)), (0.98, 0.98, 0.98))
    fill(img, v, sd_box(v, (gx, horizon - 0.1), (0.158, 0.008)), (0.98, 0.98, 0.98))
    return Backdrop(img, (0.28, 0.42))


def beach(v: View, rng: Rng) -> Backdrop:
    horizon, shore = rng.uniform(-0.2, -0.08), rng.uniform(0.05, 0.15)
    img = gradient(v, -0.6, horizon, jit(rng, (0.35, 0.65, 0.95)), jit(rng, (0.85, 0.92, 1.0)))
    fill(img, v, sd_disc(v, (rng.uniform(-0.6, 0.6), rng.uniform(-0.45, -0.3)), 0.06), (1.0, 0.95, 0.6))
    waves = noise(v, rng, 12, drift=(0.0, rng.uniform(0.05, 0.15)))
    fill(img, v, sd_below(v, horizon), jit(rng, (0.1, 0.4, 0.7)), waves, 0.6)
    fill(img, v, sd_below(v, shore), jit(rng, (0.9, 0.8, 0.55)), noise(v, rng, 30), 0.25)
    return Backdrop(img, (0.3, 0.42))


def snow(v: View, rng: Rng) -> Backdrop:
    horizon = rng.uniform(-0.12, 0.0)
    img = gradient(v, -0.6, horizon, jit(rng, (0.7, 0.75, 0.82)), jit(rng, (0.88, 0.9, 0.93)))
    for x in rng.uniform(-1.0, 1.0, 4):
        _tree(img, v, rng, x, horizon + 0.02, rng.uniform(0.15, 0.3), jit(rng, (0.1, 0.28, 0.18)))
    fill(img, v, sd_below(v, horizon), jit(rng, (0.93, 0.95, 1.0), 0.03), noise(v, rng, 15), 0.15)
    flakes = noise(v, rng, 40, drift=(0.05, -0.4))
    over(img, np.clip((flakes - 0.85) * 8, 0, 1), (1.0, 1.0, 1.0))
    return Backdrop(img, (0.28, 0.42))


def street(v: View, rng: Rng) -> Backdrop:
    img = gradient(v, -0.6, 0.0, jit(rng, (0.5, 0.65, 0.85)), jit(rng, (0.8, 0.82, 0.85)))
    for x in np.arange(-1.2, 1.2, 0.3) + rng.uniform(0, 0.3):
        top = rng.uniform(-0.55, -0.2)
        d = sd_box(v, (x, 0.05 + top / 2), (0.14, (0.05 - top) / 2 + 0.02))
        windows = ((np.sin(v.x * 90) > 0.2) & (np.sin(v.y * 90) > 0.2)).astype(np.float32)
        fill(img, v, d, jit(rng, (0.55, 0.45, 0.4), 0.15), windows, 0.5)
    fill(img, v, sd_below(v, 0.05), jit(rng, (0.3, 0.3, 0.32)), noise(v, rng, 25), 0.25)
    dash = (np.sin(v.x * 25) > 0).astype(np.float32)
    fill(img, v, sd_box(v, (0.0, 0.2), (3.0, 0.006)), (0.95, 0.9, 0.4), dash, 1.8)
    car_x = rng.uniform(-1.2, 1.2) + rng.choice([-1, 1]) * rng.uniform(0.5, 1.5) * (v.t.ravel() - 0.5)
    car = np.stack([car_x, np.full_like(car_x, 0.1)], axis=-1)
    fill(img, v, sd_box(v, car, (0.12, 0.035)), jit(rng, (0.7, 0.1, 0.1), 0.3))
    for dx in (-0.07, 0.07):
        fill(img, v, sd_disc(v, car + (dx, 0.035), 0.022), (0.08, 0.08, 0.08))
    return Backdrop(img, (0.3, 0.42))


def gym(v: View, rng: Rng) -> Backdrop:
    floor = rng.uniform(0.0, 0.12)
    img = np.broadcast_to(jit(rng, (0.85, 0.85, 0.78)), v.shape + (3,)).copy()
    fill(img, v, sd_box(v, (0, floor - 0.15), (5, 0.03)), jit(rng, (0.2, 0.35, 0.7)))
    for x in np.arange(-1.0, 1.0, rng.uniform(0.25, 0.4)):  # wall bars
        fill(img, v, sd_box(v, (x, floor - 0.25), (0.012, 0.25)), (0.6, 0.45, 0.25))
    planks = 0.5 + 0.5 * np.sin(v.x * 60 + 3 * noise(v, rng, 6))
    fill(img, v, sd_below(v, floor), jit(rng, (0.75, 0.52, 0.28)), planks, 0.3)
    return Backdrop(img, (0.3, 0.42))


def court(v: View, rng: Rng) -> Backdrop:
    floor = rng.uniform(-0.05, 0.08)
    img = gradient(v, -0.5, floor, jit(rng, (0.15, 0.15, 0.25)), jit(rng, (0.3, 0.3, 0.4)))
    hx = rng.choice([-1, 1]) * rng.uniform(0.3, 0.6)
    fill(img, v, sd_box(v, (hx, -0.3), (0.1, 0.07)), (0.95, 0.95, 0.95))
    fill(img, v, np.abs(sd_disc(v, (hx, -0.2), 0.05)) - 0.006, (0.95, 0.4, 0.1))
    fill(img, v, sd_below(v, floor), jit(rng, (0.85, 0.5, 0.25)), noise(v, rng, 20), 0.2)
    for y in (floor + 0.08, floor + 0.3):
        fill(img, v, sd_box(v, (0, y), (5, 0.006)), (0.97, 0.97, 0.97))
    return Backdrop(img, (0.3, 0.42))


def pool(v: View, rng: Rng) -> Backdrop:
    water = rng.uniform(-0.15, -0.05)
    tiles = ((np.sin(v.x * 80) > 0.9) | (np.sin(v.y * 80) > 0.9)).astype(np.float32)
    img = np.broadcast_to(jit(rng, (0.8, 0.9, 0.95)), v.shape + (3,)).copy()
    img *= (1.0 - 0.2 * tiles)[..., None]
    ripples = noise(v, rng, 14, drift=(rng.uniform(-0.2, 0.2), 0.05))
    fill(img, v, sd_below(v, water), jit(rng, (0.1, 0.55, 0.8)), ripples, 0.7)
    fill(img, v, sd_below(v, 0.22), jit(rng, (0.9, 0.88, 0.82)), noise(v, rng, 30), 0.1)
    return Backdrop(img, (0.32, 0.42))


def stage(v: View, rng: Rng) -> Backdrop:
    floor = rng.uniform(0.05, 0.15)
    img = gradient(v, -0.5, floor, jit(rng, (0.05, 0.02, 0.1), 0.04), jit(rng, (0.25, 0.1, 0.3)))
    t = v.t.ravel()
    for k in range(3):  # sweeping spotlights
        c = np.stack([rng.uniform(-0.6, 0.6) + 0.4 * np.sin(2 * np.pi * (t + k / 3)), np.full_like(t, floor)], -1)
        glow = np.exp(-np.maximum(sd_disc(v, c, 0.0), 0) ** 2 / 0.02)
        over(img, 0.7 * glow, jit(rng, (1.0, 0.9, 0.6), 0.2))
    fill(img, v, sd_below(v, floor), jit(rng, (0.3, 0.2, 0.15)), noise(v, rng, 10), 0.3)
    return Backdrop(img, (0.3, 0.42))


def kitchen(v: View, rng: Rng) -> Backdrop:
    counter = rng.uniform(-0.05, 0.05)
    tiles = ((np.sin(v.x * 50) > 0.92) | (np.sin(v.y * 50) > 0.92)).astype(np.float32)
    img = np.broadcast_to(jit(rng, (0.92, 0.9, 0.8)), v.shape + (3,)).copy()
    img *= (1.0 - 0.15 * tiles)[..., None]
    wood = jit(rng, (0.55, 0.35, 0.2), 0.1)
    for x in np.arange(-1.0, 1.0, 0.3) + rng.uniform(0, 0.3):  # wall cabinets
        fill(img, v, sd_box(v, (x, -0.38), (0.13, 0.1)), wood)
    fill(img, v, sd_box(v, (0, counter + 0.1), (5, 0.1)), wood * 0.8)
    fill(img, v, sd_box(v, (0, counter), (5, 0.012)), (0.3, 0.3, 0.3))
    checker = ((np.floor(v.x * 10) + np.floor(v.y * 10)) % 2).astype(np.float32)
    fill(img, v, sd_below(v, counter + 0.2), jit(rng, (0.7, 0.7, 0.7)), checker, 0.3)
    return Backdrop(img, (0.33, 0.42))


def office(v: View, rng: Rng) -> Backdrop:
    floor = rng.uniform(0.05, 0.15)
    img = np.broadcast_to(jit(rng, (0.82, 0.78, 0.68)), v.shape + (3,)).copy()
    wx = rng.uniform(-0.6, 0.6)
    fill(img, v, sd_box(v, (wx, -0.2), (0.22, 0.16)), (0.4, 0.4, 0.42))
    fill(img, v, sd_box(v, (wx, -0.2), (0.2, 0.14)), jit(rng, (0.55, 0.75, 0.95)))
    dx = rng.uniform(-0.7, 0.7)
    fill(img, v, sd_box(v, (dx, floor - 0.1), (0.22, 0.012)), jit(rng, (0.45, 0.3, 0.2)))
    fill(img, v, sd_box(v, (dx + 0.05, floor - 0.15), (0.06, 0.04)), (0.15, 0.15, 0.18))
    fill(img, v, sd_below(v, floor), jit(rng, (0.4, 0.42, 0.45)), noise(v, rng, 40), 0.3)
    return Backdrop(img, (0.3, 0.42))


def forest(v: View, rng: Rng) -> Backdrop:
    horizon = rng.uniform(-0.05, 0.05)
    img = gradient(v, -0.6, horizon, jit(rng, (0.55, 0.7, 0.8)), jit(rng, (0.7, 0.8, 0.75)))
    leaf = jit(rng, (0.15, 0.4, 0.12))
    for x in np.sort(rng.uniform(-1.2, 1.2, 7)):
        _tree(img, v, rng, x, horizon + rng.uniform(0.0, 0.05), rng.uniform(0.35, 0.6), leaf)
    sway = noise(v, rng, 8, drift=(0.1, 0.0))
    fill(img, v, sd_below(v, horizon), jit(rng, (0.35, 0.3, 0.15)), 0.5 * sway + 0.5 * noise(v, rng, 25), 0.4)
    return Backdrop(img, (0.3, 0.42))


def night(v: View, rng: Rng) -> Backdrop:
    horizon = rng.uniform(-0.05, 0.1)
    img = gradient(v, -0.6, horizon, jit(rng, (0.02, 0.03, 0.12), 0.03), jit(rng, (0.1, 0.12, 0.3)))
    over(img, np.clip((noise(v, rng, 60) - 0.9) * 10, 0, 1) * (v.y < horizon), (1.0, 1.0, 0.9))  # stars
    for x in np.arange(-1.2, 1.2, 0.45) + rng.uniform(0, 0.45):  # street lamps
        fill(img, v, sd_box(v, (x, horizon - 0.15), (0.008, 0.17)), (0.2, 0.2, 0.2))
        glow = np.exp(-np.maximum(sd_disc(v, (x, horizon - 0.32), 0.0), 0) ** 2 / 0.004)
        over(img, glow, (1.0, 0.85, 0.5))
    fill(img, v, sd_below(v, horizon), jit(rng, (0.12, 0.12, 0.15), 0.04), noise(v, rng, 20), 0.4)
    return Backdrop(img, (0.3, 0.42))


FAMILIES: dict[str, Callable[[View, Rng], Backdrop]] = {
    f.__name__: f for f in (field, beach, snow, street, gym, court, pool, stage, kitchen, office, forest, night)
}


# --------------------------------------------------------------------------------------------------
# special settings
# --------------------------------------------------------------------------------------------------
def room(v: View, rng: Rng) -> Backdrop:
    """A "rendered" room (synthetic set): flat wall of a random hue over a checkerboard floor."""
    floor = rng.uniform(-0.05, 0.15)
    img = np.broadcast_to(rng.uniform(0.2, 0.95, 3).astype(np.float32), v.shape + (3,)).copy()
    f = rng.uniform(4, 12)
    checker = ((np.floor(v.x * f) + np.floor((v.y - floor) * f * 2)) % 2).astype(np.float32)
    a, b = rng.uniform(0.1, 0.9, 3), rng.uniform(0.1, 0.9, 3)
    over(img, coverage(v, sd_below(v, floor)), a * checker[..., None] + b * (1 - checker[..., None]))
    return Backdrop(img, (0.3, 0.42))


AERIAL_GROUNDS = ((0.3, 0.5, 0.22), (0.42, 0.42, 0.43), (0.55, 0.45, 0.3), (0.8, 0.75, 0.6), (0.5, 0.55, 0.35))


def aerial(v: View, rng: Rng) -> Backdrop:
    """Top-down ground seen from a drone: one random material, a path, trees and parked cars."""
    img = np.empty(v.shape + (3,), np.float32)
    img[:] = jit(rng, AERIAL_GROUNDS[rng.integers(len(AERIAL_GROUNDS))], 0.08)
    img *= (1.0 + 0.4 * (noise(v, rng, rng.uniform(8, 30)) - 0.5))[..., None]
    angle = rng.uniform(0, np.pi)
    fill(img, v, sd_box(v, rng.uniform(-0.4, 0.4, 2), (3.0, rng.uniform(0.03, 0.08)), angle),
         jit(rng, AERIAL_GROUNDS[rng.integers(len(AERIAL_GROUNDS))], 0.08))
    for c in rng.uniform(-0.9, 0.9, (rng.integers(2, 6), 2)):
        fill(img, v, sd_disc(v, c, rng.uniform(0.04, 0.09)), jit(rng, (0.12, 0.3, 0.1)), noise(v, rng, 40), 0.5)
    for c in rng.uniform(-0.9, 0.9, (rng.integers(0, 4), 2)):
        fill(img, v, sd_box(v, c, (0.04, 0.02), rng.uniform(0, np.pi)), rng.uniform(0.1, 0.9, 3).astype(np.float32))
    return Backdrop(img, (-0.2, 0.3))


ARENA_WATER = ((0.1, 0.55, 0.8), (0.05, 0.4, 0.55), (0.25, 0.65, 0.7), (0.1, 0.35, 0.85),
               (0.15, 0.55, 0.5), (0.05, 0.3, 0.65), (0.3, 0.55, 0.9), (0.1, 0.65, 0.65))
ARENA_WALL = ((0.8, 0.82, 0.86), (0.85, 0.7, 0.6), (0.65, 0.8, 0.7), (0.6, 0.6, 0.62),
              (0.7, 0.7, 0.9), (0.9, 0.85, 0.6), (0.5, 0.6, 0.7), (0.85, 0.65, 0.75))


def arena(v: View, rng: Rng, venue: int) -> Backdrop:
    """The diving pool: the same layout in every clip (wall, stands, board, water); only the
    venue's water tint and wall colour change (8 venues)."""
    wall = np.asarray(ARENA_WALL[venue % len(ARENA_WALL)], np.float32)
    img = gradient(v, -0.6, 0.1, wall * 0.8, wall)
    crowd = noise(v, rng, 50)
    fill(img, v, sd_box(v, (0, -0.42), (5, 0.1)), (0.45, 0.4, 0.45), crowd, 0.8)
    water = np.asarray(ARENA_WATER[venue % len(ARENA_WATER)], np.float32)
    fill(img, v, sd_below(v, 0.4), jit(rng, tuple(water), 0.02), noise(v, rng, 16, drift=(0.1, 0.05)), 0.5)
    fill(img, v, sd_box(v, (-0.47, 0.032), (0.22, 0.012)), (0.92, 0.92, 0.9))  # the board, its end at -0.25
    fill(img, v, sd_box(v, (-0.6, 0.22), (0.03, 0.18)), (0.5, 0.5, 0.52))
    return Backdrop(img, (0.02, 0.02))


FURNITURE = ((0.85, 0.75, 0.55), (0.95, 0.95, 0.93), (0.25, 0.2, 0.18), (0.6, 0.4, 0.25),
             (0.7, 0.72, 0.75), (0.55, 0.6, 0.45), (0.8, 0.6, 0.6), (0.5, 0.55, 0.7))


def workshop(v: View, rng: Rng) -> Backdrop:
    """The assembly room: fixed camera, fixed layout (wall, floor mat, shelf); only lighting varies."""
    img = np.empty(v.shape + (3,), np.float32)
    img[:] = (0.78, 0.76, 0.72)
    fill(img, v, sd_box(v, (0.55, -0.3), (0.2, 0.012)), (0.45, 0.35, 0.25))
    fill(img, v, sd_below(v, 0.05), (0.45, 0.47, 0.5), noise(v, rng, 20), 0.15)
    fill(img, v, sd_box(v, (0.0, 0.3), (0.6, 0.08)), (0.3, 0.45, 0.35))  # the floor mat
    img *= rng.uniform(0.93, 1.07)
    return Backdrop(img, (0.36, 0.36))


TABLES = ((0.55, 0.38, 0.22), (0.7, 0.55, 0.38), (0.35, 0.25, 0.18), (0.6, 0.6, 0.58), (0.8, 0.78, 0.72),
          (0.3, 0.3, 0.32))


def tabletop(v: View, rng: Rng) -> Backdrop:
    """A close-up of a table against a wall (the hand-object task): muted wood or laminate, so
    that the objects' colours stand out as in Something-Something's close-ups."""
    edge = rng.uniform(-0.35, -0.2)
    img = np.empty(v.shape + (3,), np.float32)
    img[:] = jit(rng, (0.75, 0.73, 0.7), 0.15)
    grain = np.sin(v.x * rng.uniform(20, 60) + 4 * noise(v, rng, 5))
    fill(img, v, sd_below(v, edge), jit(rng, TABLES[rng.integers(len(TABLES))], 0.05), 0.5 + 0.5 * grain,
         rng.uniform(0.0, 0.3))
    return Backdrop(img, (0.1, 0.3))

