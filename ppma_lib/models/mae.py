"""Masked video autoencoder: PPMA stage 1 (§3.4 "MAE Training", App. A.1.1).

References:
  He et al., "Masked Autoencoders Are Scalable Vision Learners" (MAE, arXiv:2111.06377).
  Tong et al., "VideoMAE" (arXiv:2203.12602): tube masking, per-patch normalised pixel targets.
  Girdhar et al., "OmniMAE" (arXiv:2206.08356): random space-time masking, the decoder PPMA uses.

The method, in order:
  1. embed the clip once: tubelet embedding + fixed sin-cos positions, (N, L, D);
  2. draw ``repeat_masks`` = k masks per clip (random or tube; 1 = masked) and keep the visible
     tokens of each copy (OmniMAE's 4 masks per decoded clip, without embedding the clip 4 times);
  3. encode the visible tokens only, (N*k, L_vis, D), then LayerNorm;
  4. decode: put the encoded tokens back among L shared mask tokens, add the decoder's own
     position table, project D -> D_dec, run the decoder blocks, predict every tubelet's pixels;
  5. loss: MSE against per-patch, per-channel normalised pixels, averaged over masked tokens only.

Decoder layout: OmniMAE/PPMA's (mask token, zero-initialised, and position table in encoder width,
added before the D -> D_dec projection), not VideoMAE's (384-d table after a bias-free projection).

Input convention: the model takes the **normalised** clip that every other task also gets, plus
the mean/std it was normalised with (constructor, default ImageNet); the target is computed from
the un-normalised pixels, as in OmniMAE's and VideoMAE's losses.
"""
from __future__ import annotations

import inspect
from typing import NamedTuple, Sequence

import torch
from timm.data import IMAGENET_DEFAULT_MEAN, IMAGENET_DEFAULT_STD
from timm.models.vision_transformer import Block
from torch import nn
from torch.utils.checkpoint import checkpoint

from ppma_lib.models.masking import MaskType, make_masking, visible_indices
from ppma_lib.models.patches import norm_pix_target, patchify
from ppma_lib.models.pos_embed import sincos_table
from ppma_lib.models.registry import register_model
from ppma_lib.models.vit import SIZES, LayerNorm, VideoViT, _init_weights


class MAEOutput(NamedTuple):
    loss: torch.Tensor  # scalar
    pred: torch.Tensor  # (N*k, L, u*p*p*C) predictions for every token (targets' units)
    mask: torch.Tensor  # (N*k, L) bool, 1 = masked; row i belongs to clip i // k


class MaskedVideoAutoencoder(nn.Module):
    """Video MAE around a :class:`VideoViT` encoder.

    Args:
        encoder: the trunk; its ``norm`` normalises the encoded visible tokens.
        decoder_dim: D_dec.
        decoder_depth: decoder blocks.
        decoder_heads: decoder attention heads (PPMA/OmniMAE 16, VideoMAE 6 at D_dec = 384).
        mask_type: ``random`` (PPMA/OmniMAE) or ``tube`` (VideoMAE/PMG), fixed at construction.
        mask_ratio: fraction of tokens masked.
        repeat_masks: k independent masks per clip in a batch.
        norm_pix_loss: per-patch per-channel normalised target; False = un-normalised pixels.
        pixel_mean: per-channel mean the input was normalised with.
        pixel_std: per-channel std the input was normalised with.
    """

    def __init__(
        self,
        encoder: VideoViT,
        decoder_dim: int = 384,
        decoder_depth: int = 4,
        decoder_heads: int = 16,
        mask_type: MaskType = "random",
        mask_ratio: float = 0.9,
        repeat_masks: int = 1,
        norm_pix_loss: bool = True,
        pixel_mean: Sequence[float] = IMAGENET_DEFAULT_MEAN,
        pixel_std: Sequence[float] = IMAGENET_DEFAULT_STD,
    ) -> None:
        super().__init__()
        if repeat_masks < 1:
            raise ValueError(f"repeat_masks must be >= 1, got {repeat_masks}")
        if len(pixel_mean) != encoder.in_chans or len(pixel_std) != encoder.in_chans:
            raise ValueError(f"pixel_mean/pixel_std need {encoder.in_chans} values")
        self.encoder = encoder
        self.masking = make_masking(mask_type, encoder.grid, mask_ratio)
        self.mask_type, self.mask_ratio, self.repeat_masks = mask_type, mask_ratio, repeat_masks
        self.norm_pix_loss = norm_pix_loss
        self.decoder_dim, self.decoder_heads = decoder_dim, decoder_heads
        self.grad_checkpointing = False
        D, L = encoder.embed_dim, encoder.num_tokens
        patch_dim = encoder.tubelet * encoder.patch_size**2 * encoder.in_chans

        self.mask_token = nn.Parameter(torch.zeros(1, 1, D))  # zero init, following iBOT (OmniMAE)
        self.register_buffer("decoder_pos_embed", sincos_table(L, D), persistent=False)
        self.decoder_embed = nn.Linear(D, decoder_dim)
        self.decoder_blocks = nn.ModuleList([
            Block(decoder_dim, decoder_heads, 4.0, qkv_bias=True, norm_layer=LayerNorm)
            for _ in range(decoder_depth)
        ])
        self.decoder_norm = LayerNorm(decoder_dim)
        self.decoder_pred = nn.Linear(decoder_dim, patch_dim)
        for m in (self.decoder_embed, self.decoder_blocks, self.decoder_norm):
            m.apply(_init_weights)
        nn.init.trunc_normal_(self.decoder_pred.weight, std=0.02)  # OmniMAE's MAE head
        nn.init.zeros_(self.decoder_pred.bias)
        shape = (1, encoder.in_chans, 1, 1, 1)
        self.register_buffer("pixel_mean", torch.tensor(pixel_mean).view(shape), persistent=False)
        self.register_buffer("pixel_std", torch.tensor(pixel_std).view(shape), persistent=False)

    def target(self, x: torch.Tensor) -> torch.Tensor:
        """(N, C, T, H, W) normalised clip -> (N, L, u*p*p*C) reconstruction target."""
        pixels = x.float() * self.pixel_std + self.pixel_mean  # un-normalise: targets are pixels
        patches = patchify(pixels, self.encoder.tubelet, self.encoder.patch_size)
        return norm_pix_target(patches, self.encoder.in_chans) if self.norm_pix_loss else patches

    def forward_encoder(self, tokens: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """Embedded clips (N, L, D) and masks (N*k, L) -> encoded visible tokens (N*k, L_vis, D)."""
        ids = visible_indices(mask, self.masking.num_visible)  # (N*k, L_vis)
        k = mask.shape[0] // tokens.shape[0]
        clip = torch.arange(mask.shape[0], device=tokens.device).div(k, rounding_mode="floor")
        x = tokens[clip[:, None], ids]  # each copy gathers from its clip's one embedding
        return self.encoder.norm(self.encoder.forward_blocks(x))

    def forward_decoder(self, latent: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """(N*k, L_vis, D) -> (N*k, L, u*p*p*C) predictions for all tokens."""
        B, L = mask.shape
        D = latent.shape[-1]
        ids = visible_indices(mask, self.masking.num_visible)
        x = self.mask_token.to(latent.dtype).expand(B, L, D)
        x = x.scatter(1, ids[..., None].expand(-1, -1, D), latent)  # visible tokens back in place
        x = self.decoder_embed(x + self.decoder_pos_embed.to(x.dtype))
        for blk in self.decoder_blocks:
            x = checkpoint(blk, x, use_reentrant=False) if self.grad_checkpointing and self.training else blk(x)
        return self.decoder_pred(self.decoder_norm(x))

    def forward_loss(self, target: torch.Tensor, pred: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """MSE per token, averaged over masked tokens only (MAE §3).

        target (N, L, P) is shared by the k copies of each clip in pred (N*k, L, P) and mask (N*k, L).
        """
        n = target.shape[0]
        err = (pred.float().unflatten(0, (n, -1)) - target[:, None].float()).pow(2).mean(dim=-1)  # (N, k, L)
        m = mask.unflatten(0, (n, -1)).to(err.dtype)
        return (err * m).sum() / m.sum()

    def forward(self, x: torch.Tensor, generator: torch.Generator | None = None,
                mask: torch.Tensor | None = None) -> MAEOutput:
        """Normalised clips (N, C, T, H, W); ``mask`` (N*k, L) if drawn elsewhere, else from ``generator``."""
        tokens = self.encoder.embed(x)  # once per clip, shared by its k masks
        mask = self.draw_masks(len(x), generator, x.device) if mask is None else self._checked(mask, len(x))
        pred = self.forward_decoder(self.forward_encoder(tokens, mask), mask)
        return MAEOutput(self.forward_loss(self.target(x), pred, mask), pred, mask)

    def draw_masks(self, num_clips: int, generator: torch.Generator | None = None,
                   device: torch.device | str | None = None) -> torch.Tensor:
        """(num_clips * k, L) bool, 1 = masked; rows i*k .. i*k+k-1 are clip i's independent masks."""
        return self.masking(num_clips * self.repeat_masks, generator, device)

    def _checked(self, mask: torch.Tensor, num_clips: int) -> torch.Tensor:
        want = (num_clips * self.repeat_masks, self.masking.num_tokens)
        if tuple(mask.shape) != want:
            raise ValueError(f"mask must have shape {want} (clips x repeat_masks, tokens), got {tuple(mask.shape)}")
        if not bool((mask.sum(dim=1) == self.masking.num_masked).all()):
            raise ValueError(f"every mask row must hide exactly {self.masking.num_masked} tokens")
        return mask.bool()

    def set_grad_checkpointing(self, enable: bool = True) -> None:
        self.grad_checkpointing = enable
        self.encoder.set_grad_checkpointing(enable)


# --------------------------------------------------------------------------------------------------
# sizes: encoder from vit.SIZES; decoders 4 blocks with head dim 24 (OmniMAE's 16 x 24 at ViT-B)
# --------------------------------------------------------------------------------------------------
DECODERS: dict[str, dict] = {
    "tiny_test": dict(decoder_dim=32, decoder_depth=2, decoder_heads=2),
    "t": dict(decoder_dim=96, decoder_depth=4, decoder_heads=4),
    "s": dict(decoder_dim=192, decoder_depth=4, decoder_heads=8),
    "b": dict(decoder_dim=384, decoder_depth=4, decoder_heads=16),
    "l": dict(decoder_dim=512, decoder_depth=4, decoder_heads=16),
}
_ENCODER_ARGS = set(inspect.signature(VideoViT.__init__).parameters) - {"self", "num_classes"}


def _mae(size: str, kw: dict) -> MaskedVideoAutoencoder:
    enc = {**SIZES[size], **{k: v for k, v in kw.items() if k in _ENCODER_ARGS}}
    mae = {**DECODERS[size], **{k: v for k, v in kw.items() if k not in _ENCODER_ARGS}}
    return MaskedVideoAutoencoder(VideoViT(**enc), **mae)


@register_model
def mae_vit_tiny_test(**kw) -> MaskedVideoAutoencoder:
    return _mae("tiny_test", kw)


@register_model
def mae_vit_t(**kw) -> MaskedVideoAutoencoder:
    return _mae("t", kw)


@register_model
def mae_vit_s(**kw) -> MaskedVideoAutoencoder:
    return _mae("s", kw)


@register_model
def mae_vit_b(**kw) -> MaskedVideoAutoencoder:
    return _mae("b", kw)


@register_model
def mae_vit_l(**kw) -> MaskedVideoAutoencoder:
    return _mae("l", kw)
