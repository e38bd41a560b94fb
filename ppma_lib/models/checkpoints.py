"""Checkpoints: atomic saving; loading ours, VideoMAE's and OmniMAE/PPMA's into any of our models.

``load_checkpoint`` converts a checkpoint to :class:`~ppma_lib.models.convert.Parts` (trunk,
heads, MAE decoder) and places them into the target - a VideoViT, an MAE, a multi-source
classifier or a linear probe - raising on a shape mismatch and reporting what was missing or
left unused. ``load_encoder`` is PPMA's stage-2 / downstream initialisation
(``no_heads_no_decoder``): trunk only - decoder, mask token and heads dropped, and the final
LayerNorm re-initialised, as both PPMA and VideoMAE effectively do.
"""
from __future__ import annotations

import argparse
import contextlib
import os
import pickle
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Mapping

import torch
from torch import nn

from ppma_lib.atomic import atomic_path
from ppma_lib.models.convert import Parts, from_native, from_omnimae, from_videomae, strip_wrappers
from ppma_lib.models.heads import LinearProbe, MultiSourceClassifier
from ppma_lib.models.mae import MaskedVideoAutoencoder
from ppma_lib.models.soup import LearnedMixture
from ppma_lib.models.vit import VideoViT

Source = Literal["auto", "native", "ppma", "omnimae", "videomae"]
FORMAT = "ppma_lib"  # marks checkpoints written by save_checkpoint
Checkpoint = str | Path | Mapping[str, Any]


def unwrap(model: nn.Module) -> nn.Module:
    """The module inside DDP (``.module``) and torch.compile (``._orig_mod``) wrappers."""
    while isinstance(getattr(model, "module", None), nn.Module) or hasattr(model, "_orig_mod"):
        model = getattr(model, "_orig_mod", None) or model.module
    return model


def save_checkpoint(path: str | Path, model: nn.Module | None = None, **extra: Any) -> Path:
    """Write ``{"format", "model": state_dict, **extra}`` atomically: temp file, fsync, os.replace.

    A run killed mid-write leaves the previous checkpoint intact (resumable runs rely on it).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    payload: dict[str, Any] = {"format": FORMAT, **extra}
    if model is not None:
        payload["model"] = unwrap(model).state_dict()
        payload["model_class"] = type(unwrap(model)).__name__
    with atomic_path(path) as tmp, open(tmp, "wb") as f:
        torch.save(payload, f)
        f.flush()
        os.fsync(f.fileno())
    return path


def read_checkpoint(path: str | Path, trusted: bool = False) -> dict[str, Any]:
    """``torch.load`` on CPU; tensors and plain data only unless ``trusted`` (upstream files pickle
    an ``argparse.Namespace``, which is allowed)."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"checkpoint not found: {path}")
    if trusted:
        return torch.load(path, map_location="cpu", weights_only=False)
    allow = getattr(torch.serialization, "safe_globals", None)  # torch >= 2.5
    if allow is None:
        torch.serialization.add_safe_globals([argparse.Namespace])
    try:
        with allow([argparse.Namespace]) if allow else contextlib.nullcontext():
            return torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as e:
        raise ValueError(f"{path}: holds Python objects beyond tensors ({e}); "
                         "pass trusted=True only if you trust the file") from None


def _state_dict_of(ckpt: Mapping[str, Any]) -> dict[str, torch.Tensor]:
    if ckpt and all(isinstance(v, torch.Tensor) for v in ckpt.values()):
        return dict(ckpt)
    for key in ("model", "module", "state_dict", "model_state"):
        if isinstance(ckpt.get(key), Mapping):
            return _state_dict_of(ckpt[key])
    if "ensemble_weights" in ckpt:
        raise ValueError("a PPMA ensemble checkpoint (K state dicts): pass each of ckpt['ensemble_weights'] "
                         "to encoder_state() and build a LearnedMixture")
    raise ValueError(f"no state dict found in the checkpoint (top-level keys: {sorted(ckpt)[:10]})")


def detect_source(ckpt: Mapping[str, Any]) -> str:
    """'native', 'videomae' or 'ppma' from the format marker or the key names."""
    if ckpt.get("format") == FORMAT:
        return "native"
    keys = set(strip_wrappers(_state_dict_of(ckpt)))
    if any(k.startswith(("trunk.decoder.", "trunk.patch_embed.proj.1.")) or k == "trunk.pos_embed" for k in keys):
        return "ppma"
    if any(k.endswith(("attn.q_bias", "encoder_to_decoder.weight")) or k.startswith("fc_norm.") for k in keys):
        return "videomae"
    return "native"


def parts_of(checkpoint: Checkpoint, source: Source = "auto", trusted: bool = False) -> tuple[Parts, str]:
    """Read a checkpoint (path, checkpoint dict or state dict) into :class:`Parts`; also the source used."""
    ckpt = read_checkpoint(checkpoint, trusted) if isinstance(checkpoint, (str, Path)) else checkpoint
    source = detect_source(ckpt) if source == "auto" else source
    convert = {"native": from_native, "ppma": from_omnimae, "omnimae": from_omnimae, "videomae": from_videomae}
    if source not in convert:
        raise ValueError(f"source must be one of auto, {', '.join(convert)}; got '{source}'")
    return convert[source](_state_dict_of(ckpt)), source


def encoder_state(checkpoint: Checkpoint, source: Source = "auto", trusted: bool = False) -> dict[str, torch.Tensor]:
    """The trunk of a checkpoint in :class:`VideoViT` names (no head): what soups average."""
    return parts_of(checkpoint, source, trusted)[0].trunk


@dataclass
class LoadReport:
    source: str
    loaded: int = 0
    missing: list[str] = field(default_factory=list)  # model entries left at their initial values
    unexpected: list[str] = field(default_factory=list)  # checkpoint entries not loaded
    notes: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        lines = [f"loaded {self.loaded} tensors ({self.source} checkpoint)"]
        lines += [f"missing ({len(self.missing)}): {', '.join(self.missing)}"] if self.missing else []
        lines += [f"unexpected ({len(self.unexpected)}): {', '.join(self.unexpected)}"] if self.unexpected else []
        return "\n".join(lines + [f"note: {n}" for n in self.notes])


def _place_heads(parts: Parts, model: nn.Module, out: dict, report: LoadReport) -> list[str]:
    """Copy classifier heads by name, else by position; returns the checkpoint heads not used."""
    src = ([("head", parts.head)] if parts.head else []) + list(parts.heads.items())
    if isinstance(model, MultiSourceClassifier):
        tgt = [(f"heads.{n}.", n) for n in model.heads]
    elif isinstance(model, LinearProbe) or (isinstance(model, VideoViT) and isinstance(model.head, nn.Linear)):
        tgt = [("head.", "head")]
    else:
        tgt = []
    names = {n for n, _ in src}
    if len(tgt) == 1 and len(src) == 1:
        pairs = [(tgt[0][0], src[0][1])]
    elif any(n in names for _, n in tgt):
        pairs = [(prefix, dict(src)[n]) for prefix, n in tgt if n in names]
    elif tgt and len(src) == len(tgt):
        pairs = [(prefix, h) for (prefix, _), (_, h) in zip(tgt, src)]
        report.notes.append(f"heads {[n for n, _ in src]} mapped by position to {[n for _, n in tgt]}")
    else:
        pairs = []
    for prefix, h in pairs:
        out.update({prefix + k: v for k, v in h.items()})
    used = {id(h) for _, h in pairs}
    return [f"heads.{n}" for n, h in src if id(h) not in used]


def load_checkpoint(model: nn.Module, checkpoint: Checkpoint, source: Source = "auto", *, heads: bool = True,
                    decoder: bool = True, norm: bool = True, trusted: bool = False) -> LoadReport:
    """Load ``checkpoint`` into ``model`` (VideoViT, MAE, MultiSourceClassifier or LinearProbe).

    Args:
        model: the target; DDP / compiled wrappers are looked through.
        checkpoint: a path, a checkpoint dict or a bare state dict.
        source: ``auto`` detects ours ('native'), 'videomae' or 'ppma' (= 'omnimae').
        heads: load classifier heads (matched by source name, else by position).
        decoder: load the MAE decoder and mask token (MAE targets only).
        norm: load the trunk's final LayerNorm.
        trusted: allow arbitrary pickled objects in the file.
    Raises:
        ValueError: a tensor's shape differs between checkpoint and model.
    """
    model = unwrap(model)
    if isinstance(model, LearnedMixture):
        raise TypeError("build a LearnedMixture from encoder_state() of each checkpoint instead")
    parts, used_source = parts_of(checkpoint, source, trusted)
    report = LoadReport(used_source, notes=list(parts.notes))
    all_heads = [f"heads.{n}" for n in parts.heads] + (["head"] if parts.head else [])
    trunk = {k: v for k, v in parts.trunk.items() if norm or not k.startswith("norm.")}
    unused = list(parts.unused) + [k for k in parts.trunk if k not in trunk]
    if isinstance(model, MaskedVideoAutoencoder):  # trunk + decoder; heads have no place
        out = {"encoder." + k: v for k, v in trunk.items()} | (parts.decoder if decoder else {})
        unused += all_heads + ([] if decoder else list(parts.decoder))
    elif isinstance(model, (MultiSourceClassifier, LinearProbe, VideoViT)):  # trunk + heads
        prefix = "" if isinstance(model, VideoViT) else "trunk."
        out = {prefix + k: v for k, v in trunk.items()}
        unused += list(parts.decoder) + (_place_heads(parts, model, out, report) if heads else all_heads)
    else:
        raise TypeError(f"cannot load into {type(model).__name__}")

    own = model.state_dict()
    bad = [f"{k}: checkpoint {tuple(v.shape)} vs model {tuple(own[k].shape)}"
           for k, v in out.items() if k in own and own[k].shape != v.shape]
    if bad:
        hint = " (heads=False re-initialises the heads)" if any("head" in b for b in bad) else ""
        raise ValueError("shape mismatch" + hint + ":\n  " + "\n  ".join(bad))
    result = model.load_state_dict(out, strict=False)
    report.loaded = len(out) - len(result.unexpected_keys)
    report.missing = sorted(result.missing_keys)
    report.unexpected = sorted(result.unexpected_keys) + unused
    return report


def load_encoder(model: nn.Module, checkpoint: Checkpoint, source: Source = "auto", keep_norm: bool = False,
                 trusted: bool = False) -> LoadReport:
    """Initialise the trunk only: no heads, no decoder or mask token, fresh final norm unless ``keep_norm``."""
    return load_checkpoint(model, checkpoint, source, heads=False, decoder=False, norm=keep_norm, trusted=trusted)
