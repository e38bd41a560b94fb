"""Model section: which registered model, its masking, heads and where its weights come from."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class ModelConfig:
    name: str = "vit_t"  # a name from ppma_lib.models.list_models(); mae_* = the masked autoencoder
    patch_size: int = 16  # spatial patch p
    tubelet: int = 2  # temporal patch u
    drop_path: float = 0.0  # stochastic depth rate (stage 2 / FT: 0.1)
    head_drop: float = 0.0  # dropout before a single linear head (VideoMAE UCF101 FT: 0.5; PPMA: 0)
    # MAE (task=mae)
    mask_type: Literal["random", "tube"] = "random"  # PPMA/OmniMAE: random; VideoMAE/PMG: tube
    mask_ratio: float = 0.9  # fraction of tokens masked (1 = masked)
    repeat_masks: int = 1  # k independent masks per decoded clip (OmniMAE: 4)
    decoder_depth: int | None = None  # None = the registered model's (4 blocks)
    decoder_dim: int | None = None  # None = the registered model's (mae_vit_b: 384)
    decoder_heads: int | None = None  # None = the registered model's (mae_vit_b: 16 as PPMA/OmniMAE; VideoMAE 6)
    norm_pix_loss: bool = True  # per-patch per-channel normalised target
    # heads (align / finetune / probes)
    head: Literal["separate", "shared"] = "separate"  # stage-2 heads; "shared" = released PPMA config
    init: str = ""  # checkpoint path, or "run:<name>" for another run of the same profile; "" = random
    init_source: Literal["auto", "native", "ppma", "omnimae", "videomae"] = "auto"  # checkpoint layout
    mix_inits: tuple[str, ...] = ()  # mix_probe: the K trunks to mix (paths or run:<name>)
    mix_mode: Literal["global", "per_tensor"] = "global"  # learned beta: one set, or one per tensor

    def __post_init__(self) -> None:
        if not 0.0 <= self.mask_ratio < 1.0:
            raise ValueError(f"mask_ratio must be in [0, 1), got {self.mask_ratio}")
        if self.repeat_masks < 1:
            raise ValueError(f"repeat_masks must be >= 1, got {self.repeat_masks}")
        if self.patch_size < 1 or self.tubelet < 1:
            raise ValueError(f"patch_size and tubelet must be >= 1, got {self.patch_size}, {self.tubelet}")
        if not 0.0 <= self.drop_path < 1.0 or not 0.0 <= self.head_drop < 1.0:
            raise ValueError(f"drop_path and head_drop must be in [0, 1), got {self.drop_path}, {self.head_drop}")
        for name in ("decoder_depth", "decoder_dim", "decoder_heads"):
            value = getattr(self, name)
            if value is not None and value < 1:
                raise ValueError(f"{name} must be >= 1 (or null for the model's default), got {value}")
        if self.decoder_dim and self.decoder_heads and self.decoder_dim % self.decoder_heads:
            raise ValueError(f"decoder_dim {self.decoder_dim} is not divisible by decoder_heads {self.decoder_heads}")
