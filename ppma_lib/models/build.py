"""Build a model from the ``model`` config section plus what the data decides (frames, crop, classes)."""
from __future__ import annotations

from typing import Mapping, Sequence

from timm.data import IMAGENET_DEFAULT_MEAN, IMAGENET_DEFAULT_STD
from torch import nn

from ppma_lib.models.heads import MultiSourceClassifier
from ppma_lib.models.registry import create_model
from ppma_lib.sections import ModelConfig


def build_model(
    cfg: ModelConfig,
    *,
    num_frames: int,
    img_size: int,
    num_classes: int | Mapping[str, int] = 0,
    mean: Sequence[float] = IMAGENET_DEFAULT_MEAN,
    std: Sequence[float] = IMAGENET_DEFAULT_STD,
) -> nn.Module:
    """``mae_*`` names give the MAE; other names a VideoViT with ``num_classes`` outputs, or a
    :class:`MultiSourceClassifier` when ``num_classes`` maps source names to class counts.

    ``mean``/``std``: the normalisation of the input clips (the data section's), from which the
    MAE recovers pixels for its target. Weights are random: use ``load_encoder`` / ``load_checkpoint``.
    """
    common = dict(img_size=img_size, num_frames=num_frames, patch_size=cfg.patch_size, tubelet=cfg.tubelet,
                  in_chans=len(mean), drop_path_rate=cfg.drop_path)
    if cfg.name.startswith("mae_"):
        decoder = dict(decoder_depth=cfg.decoder_depth, decoder_dim=cfg.decoder_dim, decoder_heads=cfg.decoder_heads)
        return create_model(cfg.name, **common, mask_type=cfg.mask_type, mask_ratio=cfg.mask_ratio,
                            repeat_masks=cfg.repeat_masks, norm_pix_loss=cfg.norm_pix_loss, pixel_mean=tuple(mean),
                            pixel_std=tuple(std), **{k: v for k, v in decoder.items() if v is not None})
    if isinstance(num_classes, Mapping):
        return MultiSourceClassifier(create_model(cfg.name, **common), num_classes, shared=cfg.head == "shared")
    return create_model(cfg.name, **common, num_classes=num_classes, head_drop_rate=cfg.head_drop)
