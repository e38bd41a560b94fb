"""State-dict layouts: ours, VideoMAE's and OmniMAE/PPMA's, through one neutral form (:class:`Parts`).

Key facts of the upstream layouts (read from their model definitions, MCG-NJU/VideoMAE
``modeling_{pretrain,finetune}.py`` and facebookresearch/omnivore ``omnivision``, which PPMA forks):

VideoMAE: pre-training checkpoints prefix the encoder with ``encoder.`` and hold a decoder
(``encoder_to_decoder``, ``mask_token``, ``decoder.*``); fine-tuning ones have no prefix, a
``fc_norm`` after mean pooling and a ``head``. Attention has ``qkv.weight`` and separate
``q_bias``/``v_bias`` and no k bias. The sin-cos position table is not saved.

OmniMAE/PPMA: ``trunk.`` (the ViT) and ``heads.<i>.`` (MIMOHeadWrapper); the Conv3d sits at
``trunk.patch_embed.proj.1`` (after a padding op), the tables are saved buffers
(``trunk.pos_embed``, ``trunk.decoder.pos_embed``), ``trunk.mask_token`` is (1, D), the decoder is
``trunk.decoder.{decoder_embed,decoder_blocks,norm}`` and the pixel head ``heads.0.projector``;
classification heads are ``heads.<i>.0`` (a Linear inside a Sequential).

A k bias never changes attention (softmax is invariant to the constant q . b_k added to every
logit of a row), so dropping ours on export and zero-filling it on import is exact.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Mapping

import torch
from torch import nn

from ppma_lib.models.pos_embed import sincos_table

Tensors = dict[str, torch.Tensor]


@dataclass
class Parts:
    """A checkpoint split by role; ``trunk`` uses :class:`VideoViT` names, ``decoder`` the MAE's."""

    trunk: Tensors = field(default_factory=dict)
    head: Tensors = field(default_factory=dict)  # {"weight", "bias"} of a single classifier
    heads: dict[str, Tensors] = field(default_factory=dict)  # source name (or upstream index) -> head
    decoder: Tensors = field(default_factory=dict)  # mask_token, decoder_embed.*, ..., decoder_pred.*
    unused: list[str] = field(default_factory=list)  # checkpoint keys that map to nothing here
    notes: list[str] = field(default_factory=list)


def strip_wrappers(state: Mapping[str, torch.Tensor]) -> Tensors:
    """Remove DDP (``module.``) and torch.compile (``_orig_mod.``) prefixes."""
    out = {}
    for k, v in state.items():
        while k.startswith(("module.", "_orig_mod.")):
            k = k.split(".", 1)[1]
        out[k] = v
    return out


def _take(state: Tensors, prefix: str) -> Tensors:
    return {k[len(prefix):]: v for k, v in state.items() if k.startswith(prefix)}


def _check_fixed_table(name: str, table: torch.Tensor) -> str:
    """Accept a saved position table only if it is the sin-cos one we compute ourselves."""
    t = table.reshape(-1, table.shape[-1]).float()
    if not torch.allclose(t, sincos_table(*t.shape)[0], atol=1e-4):
        raise ValueError(f"'{name}' is a learned position table; only the fixed sin-cos table is supported")
    return f"'{name}': fixed sin-cos table, recomputed (not loaded)"


# --------------------------------------------------------------------------------------------------
# import
# --------------------------------------------------------------------------------------------------
def from_native(state: Mapping[str, torch.Tensor]) -> Parts:
    """Our models: VideoViT (no prefix), MAE (``encoder.``), heads/probe wrappers (``trunk.``)."""
    state, p = strip_wrappers(state), Parts()
    if any(k.startswith(("stacks.", "mixing_logits")) for k in state):
        raise ValueError("a LearnedMixture state dict: restore it with LearnedMixture.load_state_dict")
    if any(k.startswith("encoder.") for k in state):
        p.trunk = _take(state, "encoder.")
        p.decoder = {k: v for k, v in state.items() if k.startswith(("mask_token", "decoder_"))}
    elif any(k.startswith("trunk.") for k in state):
        p.trunk = _take(state, "trunk.")
        for k, v in _take(state, "heads.").items():
            name, param = k.rsplit(".", 1)
            p.heads.setdefault(name, {})[param] = v
    else:
        p.trunk = {k: v for k, v in state.items() if not k.startswith("head.")}
    p.head = _take(state, "head.") or _take(p.trunk, "head.")
    p.trunk = {k: v for k, v in p.trunk.items() if not k.startswith("head.")}
    return p


def from_videomae(state: Mapping[str, torch.Tensor]) -> Parts:
    """VideoMAE pre-training (``encoder.``) or fine-tuning checkpoints."""
    state, p = strip_wrappers(state), Parts()
    if any(k.startswith("encoder.") for k in state):
        rest = [k for k in state if not k.startswith("encoder.")]
        p.unused += rest
        if rest:
            p.notes.append("VideoMAE decoder not imported: its layout (384-d table after a bias-free "
                           "projection, mask token in decoder width) differs from ours (OmniMAE's)")
        state = _take(state, "encoder.")
    for k, v in state.items():
        if re.search(r"\.gamma_[12]$", k):
            raise ValueError(f"'{k}': layer scale (init_values > 0) is not supported")
        if k == "pos_embed":
            p.notes.append(_check_fixed_table(k, v))
        elif k.endswith("attn.q_bias"):
            q, vb = v, state[k.replace("q_bias", "v_bias")]
            p.trunk[k.replace("q_bias", "qkv.bias")] = torch.cat([q, torch.zeros_like(q), vb])
        elif k.endswith("attn.v_bias"):
            continue
        elif k.startswith("fc_norm."):
            p.trunk["norm." + k[len("fc_norm."):]] = v
        elif k.startswith("norm.") and not any(x.startswith("fc_norm.") for x in state):
            p.trunk[k] = v
        elif k.startswith("head."):
            p.head[k[len("head."):]] = v
        elif k.startswith(("patch_embed.", "blocks.")):
            p.trunk[k] = v
        else:
            p.unused.append(k)
    return p


def from_omnimae(state: Mapping[str, torch.Tensor]) -> Parts:
    """OmniMAE / PPMA (omnivision) checkpoints: ``trunk.*`` and ``heads.<i>.*``."""
    state, p = strip_wrappers(state), Parts()
    for k, v in state.items():
        if re.search(r"layer_scale_gamma[12]$", k) or k == "trunk.cls_token":
            raise ValueError(f"'{k}': layer scale / class token are not supported")
        if k in ("trunk.pos_embed", "trunk.decoder.pos_embed"):
            p.notes.append(_check_fixed_table(k, v))
        elif k == "trunk.mask_token":
            p.decoder["mask_token"] = v.reshape(1, 1, -1)
        elif k.startswith("trunk.decoder."):
            sub = k[len("trunk.decoder."):]
            sub = re.sub(r"^norm\.", "decoder_norm.", sub)
            if sub.startswith(("decoder_embed.", "decoder_blocks.", "decoder_norm.")):
                p.decoder[sub] = v
            else:
                p.unused.append(k)
        elif k.startswith("trunk."):
            p.trunk[re.sub(r"^patch_embed\.proj\.1\.", "patch_embed.proj.", k[len("trunk."):])] = v
        elif m := re.match(r"heads\.(\d+)\.projector\.(weight|bias)$", k):
            p.decoder[f"decoder_pred.{m.group(2)}"] = v
        elif m := re.match(r"heads\.(\d+)\.(?:0\.)?(weight|bias)$", k):
            p.heads.setdefault(m.group(1), {})[m.group(2)] = v
        else:
            p.unused.append(k)
    return p


# --------------------------------------------------------------------------------------------------
# export (for sharing weights with the upstream code bases, and for round-trip tests)
# --------------------------------------------------------------------------------------------------
def _trunk_and_heads(model: nn.Module) -> tuple[nn.Module, Parts]:
    p = from_native(model.state_dict())
    for attr in ("encoder", "trunk"):  # MAE, heads/probe wrappers
        if isinstance(getattr(model, attr, None), nn.Module):
            return getattr(model, attr), p
    return model, p


def to_videomae(model: nn.Module) -> Tensors:
    """VideoMAE layout: fine-tuning keys (``fc_norm``, ``head``), or ``encoder.*`` for an MAE.

    The MAE decoder and multi-source heads have no VideoMAE counterpart and are left out.
    """
    _, p = _trunk_and_heads(model)
    out: Tensors = {}
    for k, v in p.trunk.items():
        if k.endswith("attn.qkv.bias"):
            q, _, vb = v.chunk(3)
            out[k.replace("qkv.bias", "q_bias")], out[k.replace("qkv.bias", "v_bias")] = q, vb
        elif k.startswith("norm.") and not p.decoder:
            out["fc_norm." + k[len("norm."):]] = v
        else:
            out[k] = v
    out.update({f"head.{k}": v for k, v in p.head.items()})
    return {f"encoder.{k}": v for k, v in out.items()} if p.decoder else out


def to_omnimae(model: nn.Module) -> Tensors:
    """OmniMAE/PPMA layout; multi-source heads become ``heads.<i>.0`` in the model's source order."""
    trunk, p = _trunk_and_heads(model)
    out: Tensors = {"trunk.pos_embed": trunk.pos_embed.clone()}
    for k, v in p.trunk.items():
        out["trunk." + re.sub(r"^patch_embed\.proj\.", "patch_embed.proj.1.", k)] = v
    if p.decoder:
        out["trunk.mask_token"] = p.decoder["mask_token"].reshape(1, -1)
        out["trunk.decoder.pos_embed"] = model.decoder_pos_embed.clone()
        for k, v in p.decoder.items():
            if k.startswith(("decoder_embed.", "decoder_blocks.")):
                out["trunk.decoder." + k] = v
            elif k.startswith("decoder_norm."):
                out["trunk.decoder.norm." + k[len("decoder_norm."):]] = v
            elif k.startswith("decoder_pred."):
                out["heads.0.projector." + k[len("decoder_pred."):]] = v
    heads = [p.head] if p.head else [p.heads[n] for n in p.heads]
    for i, h in enumerate(heads):
        out.update({f"heads.{i}.0.{k}": v for k, v in h.items()})
    return out
