"""``ppma bench pmg``: pseudo-motion generation throughput, videos/s (T x S^2, default 16 x 224^2).

Rows, all in the same run on the same images and the same sampled motions:
  * ``naive``: the paper's Eq. 1 read as code, per-frame PIL recursion in Python (each frame is
    ``Image.transform`` / ``ImageEnhance`` / ``paste`` of the previous one), uint8 out: the baseline;
  * ``composed``, ``literal``: our generator on CPU (uint8 OpenCV kernel), uint8 in and out (what
    DataLoader workers hand over), plus composed with float in/out and composed + Mixup;
  * on a CUDA device: the batched ``grid_sample`` kernel, composed and literal, float32.
"""
from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path
from typing import Callable


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("--videos", type=int, default=32, help="videos per timed CPU batch")
    p.add_argument("--gpu-videos", type=int, default=256, help="videos per timed GPU batch")
    p.add_argument("--frames", type=int, default=16, help="T")
    p.add_argument("--size", type=int, default=224, help="frame side S")
    p.add_argument("--transforms", default="all", help="all | paper (zoom, affine) | a comma-separated list")
    p.add_argument("--repeats", type=int, default=3, help="timed repeats per row (the median is reported)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--grid-sample-device", default=None,
                   help="device of the grid_sample rows (default: cuda when present, else skipped; 'cpu' forces)")
    p.add_argument("--json", type=Path, default=None, help="also write the results here")


def naive_pil(images, motion, num_frames: int):  # -> uint8 (N, C, T, H, W)
    """Per-frame PIL recursion: frame t+1 = f(frame t), one video and one frame at a time."""
    import numpy as np
    import torch
    from PIL import Image, ImageEnhance

    from ppma_lib.pmg.warp import is_identity, to_pixels
    from ppma_lib.sections.pmg import ALL_TRANSFORMS

    n, _, h, w = images.shape
    size = (h, w)
    geometry = to_pixels(torch.stack([motion.start, motion.step], 1), size).numpy()
    paste = to_pixels(torch.stack([motion.paste_start, motion.paste_step], 1), size).numpy()
    pils = [Image.fromarray(x) for x in images.permute(0, 2, 3, 1).numpy()]
    starts_moved = ~is_identity(motion.start[:, None])

    def warp(im: Image.Image, m: np.ndarray) -> Image.Image:
        m = m / m[2, 2]
        if m[2, 0] == 0 and m[2, 1] == 0:
            return im.transform((w, h), Image.AFFINE, tuple(m[:2].flatten()), Image.BILINEAR)
        return im.transform((w, h), Image.PERSPECTIVE, tuple(m.flatten()[:8]), Image.BILINEAR)

    def jitter(im: Image.Image) -> Image.Image:
        """One ColorJitter step the way torchvision's PIL path runs it (its cost does not depend on the factors)."""
        im = ImageEnhance.Contrast(ImageEnhance.Brightness(im).enhance(1.02)).enhance(0.98)
        hsv = np.array(ImageEnhance.Color(im).enhance(1.02).convert("HSV"))
        hsv[..., 0] += 2
        return Image.fromarray(hsv, "HSV").convert("RGB")

    def pasted(i: int, corner: np.ndarray, patch: Image.Image) -> Image.Image:
        frame = pils[i].copy()
        frame.paste(patch, (int(round(corner[0])), int(round(corner[1]))))
        return frame

    videos = []
    for i in range(n):
        kind = ALL_TRANSFORMS[int(motion.kind[i])]
        frame = warp(pils[i], geometry[i, 0]) if starts_moved[i] else pils[i]
        if kind == "fade":
            frame = ImageEnhance.Brightness(frame).enhance(float(motion.color_start[i, 0, 0]))
        if kind == "cutmix":
            box = _box_pixels(motion.paste_box[i], size)
            patch = pils[int(motion.paste_from[i])].crop(box)
            corner = np.array(box[:2], float) - paste[i, 0, :2, 2]  # the patch's top-left corner in the frame
            frame = pasted(i, corner, patch)
        frames = [frame]
        for _ in range(1, num_frames):
            if kind == "fade":
                frame = ImageEnhance.Brightness(frame).enhance(float(motion.color_step[i, 0, 0]))
            elif kind == "color_jitter":
                frame = jitter(frame)
            elif kind == "cutmix":
                corner = corner - paste[i, 1, :2, 2]
                frame = pasted(i, corner, patch)
            elif kind == "identity":
                frame = frame.copy()
            else:
                frame = warp(frame, geometry[i, 1])
            frames.append(frame)
        videos.append(torch.from_numpy(np.stack([np.asarray(f) for f in frames])))
    return torch.stack(videos).permute(0, 4, 1, 2, 3)


def _box_pixels(box, size: tuple[int, int]) -> tuple[int, int, int, int]:
    h, w = size
    half = min(h, w) / 2
    x0, y0, x1, y1 = box.tolist()
    return (round(x0 * half + w / 2), round(y0 * half + h / 2), round(x1 * half + w / 2), round(y1 * half + h / 2))


def timed(fn: Callable[[], object], repeats: int, sync: Callable[[], None] = lambda: None) -> float:
    """Median seconds of ``repeats`` calls after one warm-up call."""
    fn()
    sync()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        sync()
        times.append(time.perf_counter() - start)
    return sorted(times)[len(times) // 2]


def cpu_rows(images, cfg, seed: int) -> dict[str, Callable[[], object]]:
    """The CPU rows: naive PIL baseline, then our OpenCV kernel (uint8 images (N, 3, S, S))."""
    import dataclasses

    import torch

    from ppma_lib.pmg.generator import PseudoMotionGenerator

    t = cfg.num_frames
    pmg = {m: PseudoMotionGenerator(dataclasses.replace(cfg, mode=m, kernel="opencv")) for m in ("composed", "literal")}
    mixup = PseudoMotionGenerator(dataclasses.replace(cfg, mix="mixup", kernel="opencv"))
    motion = pmg["composed"].sample(images, torch.Generator().manual_seed(seed), t)
    floats = images.float() / 255
    return {
        "naive PIL recursion (uint8)": lambda: naive_pil(images, motion, t),
        "composed, OpenCV (uint8)": lambda: pmg["composed"].render(images, motion, t),
        "literal, OpenCV (uint8)": lambda: pmg["literal"].render(images, motion, t),
        "composed, OpenCV (float32)": lambda: pmg["composed"].render(floats, motion, t),
        "composed + Mixup, OpenCV (uint8)": lambda: mixup(images, torch.Generator().manual_seed(seed)),
    }


def grid_sample_rows(images, cfg, seed: int, device: str) -> dict[str, Callable[[], object]]:
    """The batched grid_sample rows on ``device``, float32 images (N, 3, S, S) in [0, 1]."""
    import dataclasses

    import torch

    from ppma_lib.pmg.generator import PseudoMotionGenerator

    t, images = cfg.num_frames, images.to(device)
    pmg = {m: PseudoMotionGenerator(dataclasses.replace(cfg, mode=m, kernel="grid_sample"))
           for m in ("composed", "literal")}
    mixup = PseudoMotionGenerator(dataclasses.replace(cfg, mix="mixup", kernel="grid_sample"))
    motion = pmg["composed"].sample(images, torch.Generator().manual_seed(seed), t)
    return {
        "composed, grid_sample (float32)": lambda: pmg["composed"].render(images, motion, t),
        "literal, grid_sample (float32)": lambda: pmg["literal"].render(images, motion, t),
        "composed + Mixup, grid_sample (float32)": lambda: mixup(images, torch.Generator().manual_seed(seed)),
    }


def run(args: argparse.Namespace) -> int:
    import torch

    from ppma_lib.pmg.sources import ShaderImages
    from ppma_lib.sections.pmg import ALL_TRANSFORMS, PAPER_TRANSFORMS, PMGConfig

    sets = {"all": ALL_TRANSFORMS, "paper": PAPER_TRANSFORMS}
    transforms = sets.get(args.transforms) or tuple(t.strip() for t in args.transforms.split(","))
    cfg = PMGConfig(transforms=transforms, num_frames=args.frames, mix="none")
    n = args.videos
    print(f"pmg bench: {args.frames} x {args.size}^2 videos, transforms {', '.join(transforms)}; "
          f"{torch.get_num_threads()} CPU threads, load average {os.getloadavg()[0]:.1f}")
    images = ShaderImages(n, min(n, 10), args.size, args.seed).batch(range(n))[0]  # uint8 (N, 3, S, S)
    results: dict = {"frames": args.frames, "size": args.size, "transforms": list(transforms), "cpu_videos": n,
                     "cpu_threads": torch.get_num_threads(), "load_average": os.getloadavg()[0], "cpu": {},
                     "grid_sample": {}}
    for name, fn in cpu_rows(images, cfg, args.seed).items():
        results["cpu"][name] = n / timed(fn, args.repeats)
    naive = results["cpu"]["naive PIL recursion (uint8)"]
    print(f"{f'CPU, {n} videos per call':<40}{'videos/s':>10}{'x naive':>10}")
    for name, vps in results["cpu"].items():
        print(f"{name:<40}{vps:>10.1f}{vps / naive:>10.2f}")

    device = args.grid_sample_device or ("cuda" if torch.cuda.is_available() else None)
    if device is None:
        print("\nno CUDA device: grid_sample rows skipped (--grid-sample-device cpu runs them on CPU)")
    else:
        m = args.gpu_videos if device.startswith("cuda") else n
        sync = torch.cuda.synchronize if device.startswith("cuda") else (lambda: None)
        batch = images[torch.arange(m) % n].float().div_(255)
        results.update(grid_sample_device=device, grid_sample_videos=m)
        if device.startswith("cuda"):
            results["gpu_name"] = torch.cuda.get_device_name(device)
        print(f"\n{results.get('gpu_name', device)}, {m} videos per call")
        for name, fn in grid_sample_rows(batch, cfg, args.seed, device).items():
            results["grid_sample"][name] = m / timed(fn, args.repeats, sync)
            print(f"{name:<40}{results['grid_sample'][name]:>10.1f} videos/s")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2))
        print(f"wrote {args.json}")
    return 0
