"""MAE reconstructions for pictures: the clip, what the encoder saw, and what the decoder filled in.

With ``norm_pix_loss`` the decoder predicts each patch normalised by its own mean and std; to show
pixels, predictions are mapped back with the true patch's statistics - the convention of the
MAE and VideoMAE visualisation demos (the colours of masked patches are thereby borrowed from
the ground truth; their structure is the model's). Visible patches are pasted from the input.
"""
from __future__ import annotations

from typing import NamedTuple

import torch

from ppma_lib.models.mae import MaskedVideoAutoencoder
from ppma_lib.models.patches import patch_stats, patchify, unpatchify


class Reconstruction(NamedTuple):
    original: torch.Tensor  # (N*k, C, T, H, W) pixels in [0, 1]
    masked: torch.Tensor  # the original with masked tubelets set to ``fill``
    reconstruction: torch.Tensor  # visible tubelets from the input, masked ones predicted
    mask: torch.Tensor  # (N*k, L) bool, 1 = masked


@torch.no_grad()
def render_reconstruction(mae: MaskedVideoAutoencoder, x: torch.Tensor, generator: torch.Generator | None = None,
                          mask: torch.Tensor | None = None, fill: float = 0.5) -> Reconstruction:
    """Run ``mae`` in eval mode on normalised clips (N, C, T, H, W); return videos in pixel units.

    With ``repeat_masks`` = k every clip appears k times, once per mask.
    """
    was_training = mae.training
    mae.eval()
    try:
        out = mae(x, mask=mask, generator=generator)
    finally:
        mae.train(was_training)
    enc = mae.encoder
    u, p, c = enc.tubelet, enc.patch_size, enc.in_chans
    k = out.mask.shape[0] // x.shape[0]
    pixels = (x.float() * mae.pixel_std + mae.pixel_mean).repeat_interleave(k, dim=0)
    patches = patchify(pixels, u, p)  # (N*k, L, u*p*p*C)
    pred = out.pred.float()
    if mae.norm_pix_loss:
        mean, std = patch_stats(patches, c)
        pred = (pred.unflatten(-1, (-1, c)) * std + mean).flatten(2)
    m = out.mask[..., None]  # (N*k, L, 1)
    masked = torch.where(m, torch.full_like(patches, fill), patches)
    recon = torch.where(m, pred, patches)

    def video(t: torch.Tensor) -> torch.Tensor:
        return unpatchify(t, enc.grid, u, p).clamp(0, 1)

    return Reconstruction(video(patches), video(masked), video(recon), out.mask)
