"""Human-removal section (PPMA §3.1, App. B): segment people, inpaint them away, audit the result."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class PrivacyConfig:
    segmenter: Literal["oracle", "torchvision", "mediapipe", "opencv"] = "oracle"
    masks: str = ""  # oracle mask folder: <masks>/<video relpath without extension>.npz
    torchvision_model: str = "deeplabv3_mobilenet_v3_large"  # weights from the local torch hub cache only
    threshold: float = 0.5  # HAT: mask prob > 0.5
    dilation_iters: int = 4  # HAT: 3x3 cross, 4 iterations
    flow_preset: Literal["ultrafast", "fast", "medium"] = "medium"  # OpenCV DIS preset
    flow_margin: int = 8  # px around the hole where DIS flow is distrusted and completed
    fb_tol: float = 5.0  # forward-backward consistency, px^2 (ProPainter's epsilon)
    sweeps: int = 2  # bidirectional propagation rounds before the spatial fill
    max_keyframes: int = 8  # spatially filled keyframes propagated to the rest; then per-frame fill
    spatial: Literal["telea", "ns"] = "telea"  # OpenCV inpainting for never-seen pixels
    inpaint_radius: int = 5  # px, OpenCV inpainting neighbourhood
    audit_tol: float = 0.002  # a frame fails when more than this fraction of its pixels is still person
    audit_diff: int = 40  # clean-plate audit: the person stood out by this much; residual within half of it
    audit_faces: bool = True  # also run OpenCV's Haar face cascades on every audited frame
    audit_stride: int = 4  # audit every k-th frame: a person who survives persists; Haar is costly
    fail_closed: bool = True  # keep videos that fail the audit out of the output list
    workers: int = 1

    def __post_init__(self) -> None:
        if not 0.0 < self.threshold < 1.0:
            raise ValueError(f"privacy.threshold must be in (0, 1), got {self.threshold}")
        for name in ("dilation_iters", "flow_margin", "sweeps", "max_keyframes"):
            if getattr(self, name) < 0:
                raise ValueError(f"privacy.{name} must be >= 0, got {getattr(self, name)}")
        for name in ("inpaint_radius", "audit_stride", "workers"):
            if getattr(self, name) < 1:
                raise ValueError(f"privacy.{name} must be >= 1, got {getattr(self, name)}")
        if self.fb_tol <= 0:
            raise ValueError(f"privacy.fb_tol must be > 0, got {self.fb_tol}")
        if not 0.0 <= self.audit_tol < 1.0:
            raise ValueError(f"privacy.audit_tol must be in [0, 1), got {self.audit_tol}")
