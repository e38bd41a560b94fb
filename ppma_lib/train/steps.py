"""The loss of one batch, per task: what ``engine.train_one_epoch`` calls between data and backward.

- MAE (PPMA stage 1, PMG §3.3): a batch of clips -> masks (1 = masked) drawn from the loop's own
  generator on the device -> the masked-autoencoder loss. With ``pmg`` the loader brings still images
  and the clips are made here, on the training device, by the Pseudo Motion Generator.
- Classification (align, finetune, probes; PPMA App. A.1.2/A.2): MixUp/CutMix + label smoothing on
  the batch, then soft-target cross-entropy. A multi-source model gets the batch's source name, which
  picks its head; every batch holds ONE source (``ppma_lib.data.samplers``).

Shapes: N clips, V views per clip, C, T, H, W; K classes.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Mapping, Sequence

import torch
import torch.nn.functional as F
from torch import nn

from ppma_lib.models.checkpoints import unwrap


@dataclass
class Generators:
    """The loop's random streams: ``cpu`` (mixing, PMG parameters) and ``device`` (masks, on-device draws)."""

    cpu: torch.Generator
    device: torch.Generator

    @classmethod
    def seeded(cls, seed: int, device: torch.device) -> "Generators":
        cpu = torch.Generator().manual_seed(seed)
        dev = cpu if device.type == "cpu" else torch.Generator(device).manual_seed(seed + 1)
        return cls(cpu, dev)

    def state(self) -> dict[str, torch.Tensor]:
        return {"cpu": self.cpu.get_state(), "device": self.device.get_state()}

    def set_state(self, state: Mapping[str, torch.Tensor]) -> None:
        self.cpu.set_state(state["cpu"])
        if self.device is not self.cpu:
            self.device.set_state(state["device"])


@dataclass
class StepOutput:
    loss: torch.Tensor  # scalar, the mean over the batch
    clips: int  # decoded clips in the batch
    samples: int  # samples the loss averaged over (MAE: clips x masks)
    source: str  # data source of the batch ("" for single-source tasks)


def _views(batch: Mapping[str, Any]) -> tuple[torch.Tensor, torch.Tensor]:
    """``video (N, V, C, T, H, W)`` + ``label (N,)`` -> ``(N*V, C, T, H, W)`` + ``(N*V,)``."""
    video = batch["video"]
    return video.flatten(0, 1), batch["label"].repeat_interleave(video.shape[1])


class MAEStep:
    """Masked-autoencoder loss of a batch of clips (or of images turned into clips by PMG).

    Args:
        pmg: a ``PseudoMotionGenerator``: batches are ``{"image": uint8 (N, C, H, W)}``.
        pmg_aug_ratio: PMG-Aug, the fraction of real clips replaced by pseudo-motion clips.
        mean, std: the normalisation the model expects (clips from PMG are normalised here).
        num_frames: T of the generated clips.
        aug_banks: PMG-Aug's still sources (``ppma_lib.pmg.stills``): ``None`` = the clip's own frames;
            empty = own frames only.
    """

    def __init__(self, pmg: Any = None, pmg_aug_ratio: float = 0.0, mean: Sequence[float] = (0.485, 0.456, 0.406),
                 std: Sequence[float] = (0.229, 0.224, 0.225), num_frames: int = 16,
                 aug_banks: Sequence[torch.Tensor | None] = ()) -> None:
        self.pmg, self.aug_ratio, self.num_frames = pmg, pmg_aug_ratio, num_frames
        self.aug_banks = list(aug_banks) or [None]
        self.mean = torch.tensor(mean).view(1, -1, 1, 1, 1)
        self.std = torch.tensor(std).view(1, -1, 1, 1, 1)

    def clips(self, batch: Mapping[str, Any], gens: Generators) -> torch.Tensor:
        """The normalised clips (N, C, T, H, W) the MAE sees."""
        if "image" in batch:  # PMG: uint8 stills -> motion made on the training device
            images = batch["image"]
            if images.is_cuda:  # grid_sample works in float: skip a uint8 round trip
                images = images.float().div_(255)
            videos = self.pmg(images, gens.cpu, self.num_frames)
            return self._normalise(videos.float().div_(255) if videos.dtype == torch.uint8 else videos)
        x = batch["video"].flatten(0, 1)  # the V views of a clip: own crop each (OmniMAE / PPMA)
        if x.dtype == torch.uint8:  # pseudo-motion clips made in the loader's workers
            x = self._normalise(x.float().div_(255))
        if self.aug_ratio > 0:
            from ppma_lib.pmg import pmg_augment

            pixels = (x * self.std.to(x.device) + self.mean.to(x.device)).clamp_(0, 1)
            x = self._normalise(pmg_augment(pixels, self.aug_ratio, self.pmg, gens.cpu, self.aug_banks)[0])
        return x

    def _normalise(self, videos: torch.Tensor) -> torch.Tensor:
        return (videos.float() - self.mean.to(videos.device)) / self.std.to(videos.device)

    def __call__(self, model: nn.Module, batch: Mapping[str, Any], gens: Generators) -> StepOutput:
        x = self.clips(batch, gens)
        mask = unwrap(model).draw_masks(len(x), gens.device, x.device)  # (N*k, L), 1 = masked
        out = model(x, mask=mask)
        decoded = len(batch["image"] if "image" in batch else batch["video"])
        return StepOutput(out.loss, decoded, mask.shape[0], "")


def soft_cross_entropy(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Cross-entropy against soft targets (N, K) (mixed and smoothed), averaged over the batch."""
    return torch.sum(-targets * F.log_softmax(logits.float(), dim=-1), dim=-1).mean()


class ClassifyStep:
    """Cross-entropy of a batch; ``mixers`` (one per source) make the mixed, smoothed soft targets.

    Args:
        mixers: source index -> ``BatchMix`` (ppma_lib.data.transforms) for that source's K.
        source_names: names of the sources, by index; a multi-source model takes the name.
        multi_source: the model is a ``MultiSourceClassifier`` (``model(x, source_name)``).
    """

    def __init__(self, mixers: Sequence[Callable], source_names: Sequence[str], multi_source: bool) -> None:
        self.mixers, self.names, self.multi_source = list(mixers), list(source_names), multi_source

    def __call__(self, model: nn.Module, batch: Mapping[str, Any], gens: Generators) -> StepOutput:
        x, labels = _views(batch)
        s = int(batch["source"][0])  # one source per batch
        x, targets = self.mixers[s](x, labels, gens.cpu)
        logits = model(x, self.names[s]) if self.multi_source else model(x)
        return StepOutput(soft_cross_entropy(logits, targets), len(x), len(x), self.names[s] if self.multi_source else "")
