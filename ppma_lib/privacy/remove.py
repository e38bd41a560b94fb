"""One clip through the human-removal pipeline (PPMA §3.1): segment -> hole -> inpaint."""
from __future__ import annotations

import numpy as np

from ppma_lib.privacy.inpaint import inpaint_video
from ppma_lib.privacy.masks import person_hole
from ppma_lib.privacy.segment import Segmenter
from ppma_lib.sections.privacy import PrivacyConfig


def inpaint_kwargs(cfg: PrivacyConfig) -> dict:
    """The inpainter's keyword arguments from the privacy section."""
    return dict(flow_preset=cfg.flow_preset, flow_margin=cfg.flow_margin, fb_tol=cfg.fb_tol,
                sweeps=cfg.sweeps, max_keyframes=cfg.max_keyframes, spatial=cfg.spatial,
                radius=cfg.inpaint_radius)


def remove_humans(frames: np.ndarray, segmenter: Segmenter, cfg: PrivacyConfig = PrivacyConfig(),
                  video: str | None = None) -> tuple[np.ndarray, np.ndarray]:
    """frames uint8 (T,H,W,3) RGB -> (no-human frames uint8 (T,H,W,3), hole uint8 (T,H,W) 1 = masked).

    Pixels outside the hole are returned unchanged, bit for bit.
    """
    prob = segmenter(frames, video=video)
    hole = person_hole(prob, cfg.threshold, cfg.dilation_iters)
    return inpaint_video(frames, hole, **inpaint_kwargs(cfg)), hole
