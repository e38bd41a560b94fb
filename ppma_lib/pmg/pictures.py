"""Pictures of pseudo-motion videos and image sources for the book (PMG Fig. 2) and JupyterLab.

Functions return numpy image grids or matplotlib figures; ``save_gif`` writes an animated GIF with
PIL; ``explorer()`` is an ipywidgets panel (transform set, strength, seed, mode).
"""
from __future__ import annotations

import dataclasses
import io
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

import numpy as np
import torch
from torch import Tensor

from ppma_lib.pmg.generator import PseudoMotionGenerator
from ppma_lib.sections.pmg import ALL_TRANSFORMS, PMGConfig

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def to_uint8(x: Tensor) -> np.ndarray:
    """(C, ...) float in [0, 1] or uint8 -> (..., C) uint8 numpy (channels last, for PIL / matplotlib)."""
    x = x.detach().cpu()
    x = x if x.dtype == torch.uint8 else (x.float().clamp(0, 1) * 255).round().to(torch.uint8)
    return x.movedim(0, -1).numpy()


def strip(video: Tensor, frames: int | None = None, gap: int = 2) -> np.ndarray:
    """One video (C, T, H, W) -> (H, k W + gaps, C) uint8: k evenly spaced frames side by side."""
    t = video.shape[1]
    idx = np.linspace(0, t - 1, frames or t).round().astype(int)
    tiles = [to_uint8(video[:, i]) for i in idx]
    pad = np.full((tiles[0].shape[0], gap, tiles[0].shape[2]), 255, np.uint8)
    return np.concatenate([x for tile in tiles for x in (tile, pad)][:-1], 1)


def grid(images: Tensor, cols: int = 8, gap: int = 2) -> np.ndarray:
    """Images (N, C, H, W) -> one (rows H, cols W, C) uint8 mosaic, white gaps."""
    n, c, h, w = images.shape
    rows = -(-n // cols)
    out = np.full((rows * (h + gap) - gap, cols * (w + gap) - gap, c), 255, np.uint8)
    for i in range(n):
        r, q = divmod(i, cols)
        out[r * (h + gap): r * (h + gap) + h, q * (w + gap): q * (w + gap) + w] = to_uint8(images[i])
    return out


def transform_videos(
    image: Tensor, transforms: Sequence[str] = ALL_TRANSFORMS, *, other: Tensor | None = None, seed: int = 0,
    cfg: PMGConfig = PMGConfig(),
) -> Tensor:
    """One video per transform from the same image (C, H, W): (len(transforms), C, T, H, W), no mixing.
    ``other`` is the image CutMix pastes from (default: the image flipped)."""
    other = image.flip(-1) if other is None else other
    videos = []
    for name in transforms:
        pmg = PseudoMotionGenerator(dataclasses.replace(cfg, transforms=(name,), mix="none"))
        videos.append(pmg(torch.stack([image, other]), torch.Generator().manual_seed(seed))[0])
    return torch.stack(videos)


def transform_figure(
    image: Tensor, transforms: Sequence[str] = ALL_TRANSFORMS, frames: int = 6, **kw: Any
) -> "Figure":
    """PMG Fig. 2: a row of frames per transformation of one image."""
    import matplotlib.pyplot as plt

    videos = transform_videos(image, transforms, **kw)
    fig, axes = plt.subplots(len(transforms), 1, figsize=(1.6 * frames, 1.7 * len(transforms)), squeeze=False)
    for ax, name, video in zip(axes[:, 0], transforms, videos):
        ax.imshow(strip(video, frames))
        ax.set_ylabel(name.replace("_", " "), rotation=0, ha="right", va="center")
        ax.set_xticks([]), ax.set_yticks([])
    fig.tight_layout()
    return fig


def images_figure(images: Tensor, labels: Sequence[int] | None = None, cols: int = 8, title: str = "") -> "Figure":
    """A mosaic of source images (N, C, H, W), labelled by category when given."""
    import matplotlib.pyplot as plt

    rows = -(-images.shape[0] // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(1.4 * cols, 1.5 * rows), squeeze=False)
    for i, ax in enumerate(axes.flat):
        ax.axis("off")
        if i < images.shape[0]:
            ax.imshow(to_uint8(images[i]))
            if labels is not None:
                ax.set_title(f"class {int(labels[i])}", fontsize=7)
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def sources_figure(size: int = 96, per_source: int = 8, seed: int = 0) -> "Figure":
    """One row of images per procedural source (PMG Tab. 7's synthetic sources), one class per image."""
    import matplotlib.pyplot as plt

    from ppma_lib.pmg.sources import PROCEDURAL

    fig, axes = plt.subplots(len(PROCEDURAL), 1, figsize=(1.3 * per_source, 1.5 * len(PROCEDURAL)), squeeze=False)
    for ax, (name, cls) in zip(axes[:, 0], PROCEDURAL.items()):
        images, _ = cls(per_source, per_source, size, seed).batch(range(per_source))
        ax.imshow(grid(images, cols=per_source))
        ax.set_ylabel(name, rotation=0, ha="right", va="center")
        ax.set_xticks([]), ax.set_yticks([])
    fig.tight_layout()
    return fig


def transform_gifs(image: Tensor, out_dir: str | Path, transforms: Sequence[str] = ALL_TRANSFORMS,
                   fps: int = 8, **kw: Any) -> list[Path]:
    """One GIF per transformation of one image (C, H, W): ``out_dir/<transform>.gif``."""
    videos = transform_videos(image, transforms, **kw)
    return [save_gif(v, Path(out_dir) / f"{name}.gif", fps) for name, v in zip(transforms, videos)]


def save_gif(video: Tensor, path: str | Path, fps: int = 8) -> Path:
    """Write one video (C, T, H, W) as a looping animated GIF."""
    from PIL import Image

    frames = [Image.fromarray(to_uint8(video[:, t]).squeeze(-1) if video.shape[0] == 1 else to_uint8(video[:, t]))
              for t in range(video.shape[1])]
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    frames[0].save(path, save_all=True, append_images=frames[1:], duration=round(1000 / fps), loop=0)
    return path


def explorer(images: Tensor | None = None, cfg: PMGConfig = PMGConfig()) -> Any:
    """An ipywidgets panel for JupyterLab: pick the transform set, strength, seed and mode, see the videos.

    ``images`` (N, C, H, W): the stills to animate (default: four shader images).
    """
    import ipywidgets as widgets  # lazily: only the notebook needs it
    from PIL import Image

    if images is None:
        from ppma_lib.pmg.sources import ShaderImages

        images = ShaderImages(4, 4, 128).batch(range(4))[0]
    pick = widgets.SelectMultiple(options=ALL_TRANSFORMS, value=cfg.transforms, description="transforms", rows=8)
    strength = widgets.FloatSlider(value=cfg.strength, min=0.0, max=3.0, step=0.1, description="strength")
    seed = widgets.IntSlider(value=0, min=0, max=999, description="seed")
    mode = widgets.ToggleButtons(options=["composed", "literal"], value=cfg.mode, description="mode")
    mix = widgets.ToggleButtons(options=["none", "mixup", "videomix"], value=cfg.mix, description="mix")
    view = widgets.Image(format="png")

    def update(*_: Any) -> None:
        if not pick.value:
            return
        c = dataclasses.replace(cfg, transforms=tuple(pick.value), strength=strength.value, mode=mode.value,
                                mix=mix.value)
        videos = PseudoMotionGenerator(c)(images, torch.Generator().manual_seed(seed.value))
        buf = io.BytesIO()
        Image.fromarray(np.concatenate([strip(v, 8) for v in videos], 0)).save(buf, format="png")
        view.value = buf.getvalue()

    for w in (pick, strength, seed, mode, mix):
        w.observe(update, names="value")
    update()
    return widgets.VBox([widgets.HBox([pick, widgets.VBox([strength, seed, mode, mix])]), view])
