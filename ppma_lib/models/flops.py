"""Analytic FLOPs of one forward pass (FLOPs = 2 x multiply-accumulates), for MFU.

Counted: the patch-embedding Conv3d, every linear layer and the two attention matmuls
(QK^T and AV). A transformer block over L tokens of width D with MLP ratio r costs
2 * ((4 + 2r) * L * D^2 + 2 * L^2 * D), i.e. 24 L D^2 + 4 L^2 D at r = 4 (Kaplan et al.,
arXiv:2001.08361, §2.1). Norms, softmax, GELU, pooling and the MAE target are left out
(a few percent). The MAE encoder runs on the visible tokens of each of the k masked copies, the
decoder on all L tokens; the patch embedding runs once per clip.
At 16x224x224, ViT-B is ~360 GFLOPs per clip (VideoMAE's "180 G" MACs).
"""
from __future__ import annotations

from torch import nn

from ppma_lib.models.checkpoints import unwrap
from ppma_lib.models.heads import LinearProbe, MultiSourceClassifier
from ppma_lib.models.mae import MaskedVideoAutoencoder
from ppma_lib.models.soup import LearnedMixture
from ppma_lib.models.vit import VideoViT


def block_flops(tokens: int, dim: int, mlp_ratio: float = 4.0) -> int:
    """One transformer block: qkv, proj and the MLP (linear), QK^T and AV (attention)."""
    hidden = int(dim * mlp_ratio)
    return 2 * (4 * tokens * dim * dim + 2 * tokens * dim * hidden + 2 * tokens * tokens * dim)


def _grid(vit: VideoViT, input_shape: tuple[int, ...]) -> tuple[int, int]:
    n, c, T, H, W = input_shape
    return n, (T // vit.tubelet) * (H // vit.patch_size) * (W // vit.patch_size)


def _embed_flops(vit: VideoViT, tokens: int) -> int:
    return 2 * tokens * vit.embed_dim * vit.in_chans * vit.tubelet * vit.patch_size**2


def _trunk_flops(vit: VideoViT, input_shape: tuple[int, ...]) -> int:
    """Embedding + blocks of N clips of L tokens (pooling and norm not counted)."""
    n, L = _grid(vit, input_shape)
    return n * (_embed_flops(vit, L) + len(vit.blocks) * block_flops(L, vit.embed_dim, vit.mlp_ratio))


def count_flops(model: nn.Module, input_shape: tuple[int, int, int, int, int]) -> int:
    """FLOPs of ``model(x)`` for ``x`` of shape (N, C, T, H, W).

    Supports VideoViT, MaskedVideoAutoencoder, MultiSourceClassifier (one head: one source per
    batch), LinearProbe and LearnedMixture (plus mixing the K trunks once per forward).
    """
    m = unwrap(model)
    if isinstance(m, MaskedVideoAutoencoder):
        enc, n, L = m.encoder, *_grid(m.encoder, input_shape)
        samples, lv, D, Dd = n * m.repeat_masks, m.masking.num_visible, m.encoder.embed_dim, m.decoder_dim
        patch_dim = m.decoder_pred.out_features
        encoder = len(enc.blocks) * block_flops(lv, D, enc.mlp_ratio)
        decoder = 2 * L * D * Dd + len(m.decoder_blocks) * block_flops(L, Dd) + 2 * L * Dd * patch_dim
        return n * _embed_flops(enc, L) + samples * (encoder + decoder)
    if isinstance(m, VideoViT):
        head = m.head.out_features if isinstance(m.head, nn.Linear) else 0
        return _trunk_flops(m, input_shape) + 2 * input_shape[0] * m.embed_dim * head
    if isinstance(m, MultiSourceClassifier):
        head = next(iter(m.heads.values())).out_features
        return _trunk_flops(m.trunk, input_shape) + 2 * input_shape[0] * m.trunk.embed_dim * head
    if isinstance(m, (LinearProbe, LearnedMixture)):
        flops = _trunk_flops(m.trunk, input_shape) + 2 * input_shape[0] * m.trunk.embed_dim * m.head.out_features
        if isinstance(m, LearnedMixture):
            flops += 2 * m.mixing_logits.shape[1] * sum(p.numel() for p in m.trunk.parameters())
        return flops
    raise TypeError(f"no FLOP model for {type(m).__name__}")
