"""COCO "person" from a torchvision segmentation or instance-segmentation model.

Weights are read only from the local torch hub cache (``torch.hub.get_dir()/checkpoints``), under
the file name torchvision itself would download them to; nothing is ever downloaded here. Semantic
models (DeepLabV3, FCN, LR-ASPP; COCO images with the 21 VOC labels) give the softmax of the
"person" class; Mask R-CNN gives the per-pixel max over person instances of score x mask.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from ppma_lib.privacy.segment import SegmenterUnavailable

SEMANTIC = ("deeplabv3_resnet50", "deeplabv3_resnet101", "deeplabv3_mobilenet_v3_large",
            "fcn_resnet50", "fcn_resnet101", "lraspp_mobilenet_v3_large")
INSTANCE = ("maskrcnn_resnet50_fpn", "maskrcnn_resnet50_fpn_v2")


def weights_file(model: str, hub_dir: str | Path | None = None) -> Path:
    """Where torchvision caches the DEFAULT weights of ``model``."""
    import torch
    from torchvision.models import get_model_weights

    url = get_model_weights(model).DEFAULT.url
    return Path(hub_dir or torch.hub.get_dir()) / "checkpoints" / url.rsplit("/", 1)[-1]


class TorchvisionSegmenter:
    def __init__(self, model: str = "deeplabv3_mobilenet_v3_large", hub_dir: str | Path | None = None,
                 size: int | None = 320, batch_size: int = 8, device: str = "cpu",
                 min_score: float = 0.5) -> None:
        """size: short side the frames are resized to before the model (None = native)."""
        if model not in SEMANTIC + INSTANCE:
            raise ValueError(f"unknown torchvision model {model!r}; choose from {SEMANTIC + INSTANCE}")
        import torch
        from torchvision.models import get_model, get_model_weights

        path = weights_file(model, hub_dir)
        if not path.is_file():
            raise SegmenterUnavailable(
                f"torchvision weights for {model!r} not found at {path}. This pipeline never downloads "
                f"weights: copy {path.name} into {path.parent} (on a connected machine, "
                f"torchvision.models.get_model({model!r}, weights='DEFAULT') puts it in "
                f"~/.cache/torch/hub/checkpoints), or set TORCH_HOME to a folder holding checkpoints/.")
        weights = get_model_weights(model).DEFAULT
        self.categories = list(weights.meta["categories"])
        state = torch.load(path, map_location="cpu", weights_only=True)
        kwargs = dict(weights=None, weights_backbone=None, num_classes=len(self.categories))
        if any(k.startswith("aux_classifier.") for k in state):
            kwargs["aux_loss"] = True
        self.net = get_model(model, **kwargs).eval().to(device)
        self.net.load_state_dict(state)
        self.instance = model in INSTANCE
        self.person = self.categories.index("person")
        self.size, self.batch_size, self.device, self.min_score = size, batch_size, device, min_score

    def __call__(self, frames: np.ndarray, video: str | None = None) -> np.ndarray:
        import torch
        from torchvision.transforms.v2 import functional as TF

        T, H, W, _ = frames.shape
        out = np.zeros((T, H, W), np.float32)
        with torch.inference_mode():
            for s in range(0, T, self.batch_size):
                x = torch.from_numpy(frames[s:s + self.batch_size]).permute(0, 3, 1, 2).to(self.device)
                x = x.float() / 255
                if self.size is not None:
                    x = TF.resize(x, [self.size], antialias=True)
                out[s:s + len(x)] = self._person(x, (H, W)).cpu().numpy()
        return out

    def _person(self, x, hw: tuple[int, int]):
        """x float (N,3,h,w) in [0,1] -> person probability (N,H,W)."""
        import torch
        import torch.nn.functional as F
        from torchvision.transforms.v2 import functional as TF

        if self.instance:  # the detector normalises internally and returns masks at the input size
            probs = []
            for det in self.net(list(x)):
                keep = (det["labels"] == self.person) & (det["scores"] >= self.min_score)
                m = det["masks"][keep, 0] * det["scores"][keep, None, None]
                probs.append(m.amax(0) if len(m) else torch.zeros(x.shape[-2:]))
            p = torch.stack(probs)[:, None]
        else:
            x = TF.normalize(x, mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225])
            p = self.net(x)["out"].softmax(1)[:, self.person:self.person + 1]
        return F.interpolate(p, size=hw, mode="bilinear", align_corners=False)[:, 0]
