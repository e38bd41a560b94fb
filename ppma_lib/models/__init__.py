"""Video ViT, video MAE, heads, soups and checkpoints (PPMA §3.4-3.5, App. A; PMG §3-4).

    model = create_model("mae_vit_b", mask_type="random", mask_ratio=0.9, repeat_masks=4)
    loss, pred, mask = model(clips, generator=torch.Generator().manual_seed(0))
"""
from ppma_lib.models.build import build_model
from ppma_lib.models.checkpoints import (
    LoadReport,
    detect_source,
    encoder_state,
    load_checkpoint,
    load_encoder,
    read_checkpoint,
    save_checkpoint,
    unwrap,
)
from ppma_lib.models.convert import to_omnimae, to_videomae
from ppma_lib.models.flops import count_flops
from ppma_lib.models.heads import LinearProbe, MultiSourceClassifier
from ppma_lib.models.mae import MAEOutput, MaskedVideoAutoencoder
from ppma_lib.models.masking import RandomMasking, TubeMasking, make_masking
from ppma_lib.models.param_groups import param_groups
from ppma_lib.models.patches import patchify, unpatchify
from ppma_lib.models.pos_embed import sincos_table
from ppma_lib.models.reconstruct import Reconstruction, render_reconstruction
from ppma_lib.models.registry import create_model, list_models, register_model
from ppma_lib.models.soup import LearnedMixture, average_state_dicts
from ppma_lib.models.vit import VideoViT

__all__ = [
    "LearnedMixture", "LinearProbe", "LoadReport", "MAEOutput", "MaskedVideoAutoencoder", "MultiSourceClassifier",
    "RandomMasking", "Reconstruction", "TubeMasking", "VideoViT", "average_state_dicts", "build_model",
    "count_flops", "create_model", "detect_source", "encoder_state", "list_models", "load_checkpoint",
    "load_encoder", "make_masking", "param_groups", "patchify", "read_checkpoint", "register_model",
    "render_reconstruction", "save_checkpoint", "sincos_table", "to_omnimae", "to_videomae", "unpatchify", "unwrap",
]
