"""Video ViT encoder: tubelet embedding, fixed sin-cos positions, transformer blocks, global pooling.

References:
  Dosovitskiy et al., "An Image is Worth 16x16 Words" (ViT, arXiv:2010.11929).
  Tong et al., "VideoMAE" (arXiv:2203.12602), §3.3: joint space-time attention over 2x16x16 cubes.
  Girdhar et al., "OmniMAE" (arXiv:2206.08356): the trunk PPMA trains.
  PPMA (NeurIPS 2023 D&B) §4.1 / App. A.1.1: patches 2x16x16, non-learnable sinusoidal positions,
  global average pooling instead of a class token.

Shapes: N batch, C channels, T,H,W frames/height/width, (t, h, w) = (T/u, H/p, W/p) the token
grid, L = t*h*w tokens, D width.
"""
from __future__ import annotations

from functools import partial

import torch
from timm.models.vision_transformer import Block
from torch import nn
from torch.utils.checkpoint import checkpoint

from ppma_lib.models.pos_embed import sincos_table
from ppma_lib.models.registry import register_model

LayerNorm = partial(nn.LayerNorm, eps=1e-6)  # eps of VideoMAE and OmniMAE


class TubeletEmbed(nn.Module):
    """Non-overlapping u x p x p cubes -> tokens: one Conv3d with kernel = stride (VideoMAE §3.3)."""

    def __init__(self, in_chans: int, embed_dim: int, patch_size: int, tubelet: int) -> None:
        super().__init__()
        self.proj = nn.Conv3d(in_chans, embed_dim, kernel_size=(tubelet, patch_size, patch_size),
                              stride=(tubelet, patch_size, patch_size))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(N, C, T, H, W) -> (N, L, D), tokens in t-major (t, h, w) order."""
        return self.proj(x).flatten(2).transpose(1, 2)


class VideoViT(nn.Module):
    """ViT over space-time tokens; ``forward`` = ``forward_head(forward_features(x))``.

    Args:
        img_size: H = W of the input; with ``num_frames`` it sizes the position table.
        num_frames: T of the input.
        patch_size: spatial patch p.
        tubelet: temporal patch u.
        in_chans: C.
        embed_dim: D.
        depth: number of transformer blocks.
        num_heads: attention heads per block.
        mlp_ratio: MLP hidden width / D.
        drop_path_rate: stochastic depth, rising linearly from 0 to this over the blocks.
        num_classes: width of the linear head; 0 = no head (``forward`` returns pooled features).
        head_drop_rate: dropout before the head.
    """

    def __init__(
        self,
        img_size: int = 224,
        num_frames: int = 16,
        patch_size: int = 16,
        tubelet: int = 2,
        in_chans: int = 3,
        embed_dim: int = 768,
        depth: int = 12,
        num_heads: int = 12,
        mlp_ratio: float = 4.0,
        drop_path_rate: float = 0.0,
        num_classes: int = 0,
        head_drop_rate: float = 0.0,
    ) -> None:
        super().__init__()
        if img_size % patch_size or num_frames % tubelet:
            raise ValueError(f"input {num_frames}x{img_size}x{img_size} is not divisible into "
                             f"{tubelet}x{patch_size}x{patch_size} tubelets")
        self.img_size, self.num_frames = img_size, num_frames
        self.patch_size, self.tubelet, self.in_chans = patch_size, tubelet, in_chans
        self.embed_dim, self.num_heads, self.mlp_ratio = embed_dim, num_heads, mlp_ratio
        self.num_classes = num_classes
        self.grid = (num_frames // tubelet, img_size // patch_size, img_size // patch_size)  # (t, h, w)
        self.num_tokens = self.grid[0] * self.grid[1] * self.grid[2]
        self.grad_checkpointing = False

        self.patch_embed = TubeletEmbed(in_chans, embed_dim, patch_size, tubelet)
        # fixed, so not saved: a checkpoint loads into any num_frames / img_size
        self.register_buffer("pos_embed", sincos_table(self.num_tokens, embed_dim), persistent=False)
        dpr = [drop_path_rate * i / max(depth - 1, 1) for i in range(depth)]  # stochastic depth, linear rule
        self.blocks = nn.ModuleList([
            Block(embed_dim, num_heads, mlp_ratio, qkv_bias=True, drop_path=dpr[i], norm_layer=LayerNorm)
            for i in range(depth)
        ])
        # one LayerNorm: on the pooled feature here (VideoMAE's fc_norm), on the visible tokens in
        # the MAE encoder (OmniMAE's trunk.norm plays both roles)
        self.norm = LayerNorm(embed_dim)
        self.head_drop = nn.Dropout(head_drop_rate)
        self.head = nn.Linear(embed_dim, num_classes) if num_classes > 0 else nn.Identity()
        self.apply(_init_weights)
        w = self.patch_embed.proj.weight.data
        nn.init.xavier_uniform_(w.view(w.shape[0], -1))  # as a linear layer (MAE, OmniMAE)
        if num_classes > 0:
            init_head(self.head)

    @property
    def depth(self) -> int:
        return len(self.blocks)

    def embed(self, x: torch.Tensor) -> torch.Tensor:
        """(N, C, T, H, W) -> (N, L, D): patch embedding plus position table."""
        if tuple(x.shape[2:]) != (self.num_frames, self.img_size, self.img_size):
            raise ValueError(f"expected input (N, {self.in_chans}, {self.num_frames}, {self.img_size}, "
                             f"{self.img_size}), got {tuple(x.shape)}; the position table is sized at construction")
        return self.patch_embed(x) + self.pos_embed.to(x.dtype)

    def forward_blocks(self, x: torch.Tensor) -> torch.Tensor:
        """(N, L', D) -> (N, L', D) for any token subset (the MAE encoder feeds visible tokens)."""
        for blk in self.blocks:
            x = checkpoint(blk, x, use_reentrant=False) if self.grad_checkpointing and self.training else blk(x)
        return x

    def forward_features(self, x: torch.Tensor) -> torch.Tensor:
        """(N, C, T, H, W) -> (N, L, D) tokens after the last block."""
        return self.forward_blocks(self.embed(x))

    def forward_head(self, x: torch.Tensor, pre_logits: bool = False) -> torch.Tensor:
        """(N, L, D) -> (N, num_classes), or the pooled, normalised (N, D) if ``pre_logits``."""
        x = self.norm(x.mean(dim=1))  # global average pool, no class token (PPMA App. A.1.1)
        return x if pre_logits else self.head(self.head_drop(x))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.forward_head(self.forward_features(x))

    def reset_classifier(self, num_classes: int) -> None:
        self.num_classes = num_classes
        self.head = nn.Linear(self.embed_dim, num_classes) if num_classes > 0 else nn.Identity()
        if num_classes > 0:
            init_head(self.head)

    def set_grad_checkpointing(self, enable: bool = True) -> None:
        """Recompute block activations in backward (PPMA pre-trains this way)."""
        self.grad_checkpointing = enable


def _init_weights(m: nn.Module) -> None:
    # xavier for every linear layer, zero biases, unit norms: MAE and OmniMAE with patch dropping
    if isinstance(m, nn.Linear):
        nn.init.xavier_uniform_(m.weight)
        if m.bias is not None:
            nn.init.zeros_(m.bias)
    elif isinstance(m, nn.LayerNorm):
        nn.init.ones_(m.weight)
        nn.init.zeros_(m.bias)


def init_head(head: nn.Linear, std: float = 0.01) -> None:
    """Classification heads start at N(0, 0.01), bias 0 (PPMA's released align/FT configs)."""
    nn.init.normal_(head.weight, std=std)
    nn.init.zeros_(head.bias)


# --------------------------------------------------------------------------------------------------
# sizes (DeiT names: T/S/B/L); the tiny one exists for tests and smoke runs
# --------------------------------------------------------------------------------------------------
SIZES: dict[str, dict] = {
    "tiny_test": dict(embed_dim=64, depth=2, num_heads=2, img_size=32, num_frames=4, patch_size=8),
    "t": dict(embed_dim=192, depth=12, num_heads=3),
    "s": dict(embed_dim=384, depth=12, num_heads=6),
    "b": dict(embed_dim=768, depth=12, num_heads=12),
    "l": dict(embed_dim=1024, depth=24, num_heads=16),
}


@register_model
def vit_tiny_test(**kw) -> VideoViT:
    return VideoViT(**{**SIZES["tiny_test"], **kw})


@register_model
def vit_t(**kw) -> VideoViT:
    return VideoViT(**{**SIZES["t"], **kw})


@register_model
def vit_s(**kw) -> VideoViT:
    return VideoViT(**{**SIZES["s"], **kw})


@register_model
def vit_b(**kw) -> VideoViT:
    return VideoViT(**{**SIZES["b"], **kw})


@register_model
def vit_l(**kw) -> VideoViT:
    return VideoViT(**{**SIZES["l"], **kw})
