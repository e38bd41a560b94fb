"""Model section: which registered model, its masking, heads and where its weights come from."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class ModelConfig:
    name: str = "vit_t"  # a name from ppma_lib.models.list_models()
    patch_size: int = 16  # spatial patch p
    tubelet: int = 2  # temporal patch u
    drop_path: float = 0.0  # stochastic depth rate (stage 2 / FT: 0.1)
    # MAE (task=mae)
    mask_type: Literal["random", "tube"] = "random"  # PPMA/OmniMAE: random; VideoMAE/PMG: tube
    mask_ratio: float = 0.9  # fraction of tokens masked (1 = masked)
    repeat_masks: int = 1  # k independent masks per decoded clip (OmniMAE: 4)
    decoder_depth: int = 4
    decoder_dim: int = 384
    decoder_heads: int = 16  # PPMA/OmniMAE 16 (head dim 24); VideoMAE 6
    norm_pix_loss: bool = True  # per-patch per-channel normalised target
    # heads (align / finetune / probes)
    head: Literal["separate", "shared"] = "separate"  # stage-2 heads; "shared" = released PPMA config
    init: str = ""  # checkpoint path, or "run:<name>" for another run of the same profile; "" = random
    init_source: Literal["auto", "ppma", "omnimae", "videomae"] = "auto"
    mix_inits: tuple[str, ...] = ()  # mix_probe: the K trunks to mix (paths or run:<name>)
    mix_mode: Literal["global", "per_tensor"] = "global"  # learned beta: one set, or one per tensor

    def __post_init__(self) -> None:
        if not 0.0 <= self.mask_ratio < 1.0:
            raise ValueError(f"mask_ratio must be in [0, 1), got {self.mask_ratio}")
        if self.repeat_masks < 1:
            raise ValueError(f"repeat_masks must be >= 1, got {self.repeat_masks}")
