"""MiniSynAPT: a procedural stand-in for the PPMA/SynAPT benchmark that runs on a laptop.

Pre-training sets ``real`` (Kinetics-like, with actor masks for human removal) and ``synthetic``
(SynAPT-like virtual humans), and six downstream tasks ordered by scene-object bias like UCF101,
HMDB51, Mini-SSV2, Diving48, IkeaFA and UAV-Human. See :mod:`ppma_lib.minisynapt.tasks`.

    from ppma_lib.minisynapt import generate
    manifest = generate(out="data/mini", scale="small", seed=0)
"""
from __future__ import annotations

from typing import Any

__all__ = ["VERSION", "generate", "load_manifest", "strip"]


def __getattr__(name: str) -> Any:
    # lazy: `ppma --help` finds the CLI module without importing numpy and friends
    if name in ("VERSION", "generate", "load_manifest"):
        from ppma_lib.minisynapt import writer

        return getattr(writer, name)
    if name == "strip":
        from ppma_lib.minisynapt.pictures import strip

        return strip
    raise AttributeError(f"module 'ppma_lib.minisynapt' has no attribute {name!r}")
