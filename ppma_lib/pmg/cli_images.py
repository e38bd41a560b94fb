"""``ppma make-data images``: write procedural images as PNGs in class folders plus a list file.

    ppma make-data images --source shaders --n 10000 --out data/shaders10k --size 224 --classes 100

writes ``OUT/<label:04d>/<index:06d>.png`` and ``OUT/list.txt`` with one ``path label`` line per image
(paths relative to OUT), readable by ``folder:OUT/list.txt`` or the data component's image lists.
Labels are balanced: image i has label i % classes.
"""
from __future__ import annotations

import argparse
import os
from pathlib import Path

SOURCES = ("shaders", "fractaldb", "visualatom")


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("--source", choices=SOURCES, default="shaders", help="the procedural image family")
    p.add_argument("--n", type=int, required=True, help="number of images")
    p.add_argument("--out", type=Path, required=True, help="output folder")
    p.add_argument("--size", type=int, default=224, help="image side in pixels")
    p.add_argument("--classes", type=int, default=None, help="number of categories (default: min(n, 100))")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--batch", type=int, default=16, help="images rendered per call")
    p.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                   help="processes, one thread each (default: one per core)")


def write_batch(source, out: Path, indices: list[int]) -> list[tuple[int, str]]:
    """Render and write images ``indices`` of ``source``: [(index, "path label")]."""
    import cv2

    images, labels = source.batch(indices)
    lines = []
    for i, image, label in zip(indices, images, labels.tolist()):
        rel = f"{label:04d}/{i:06d}.png"
        (out / rel).parent.mkdir(exist_ok=True)
        if not cv2.imwrite(str(out / rel), image.permute(1, 2, 0).numpy()[..., ::-1]):  # OpenCV writes BGR
            raise OSError(f"could not write {out / rel}")
        lines.append((i, f"{rel} {label}"))
    return lines


def run(args: argparse.Namespace) -> int:
    from concurrent.futures import ProcessPoolExecutor, as_completed

    import torch
    from tqdm import tqdm

    from ppma_lib.pmg.sources import build_image_source

    if args.n < 1:
        raise SystemExit("ppma make-data images: --n must be >= 1")
    classes = args.classes or min(args.n, 100)
    source = build_image_source(args.source, args.n, classes, args.size, args.seed)  # FractalDB searches here
    args.out.mkdir(parents=True, exist_ok=True)
    chunks = [list(range(s, min(args.n, s + args.batch))) for s in range(0, args.n, args.batch)]
    progress = tqdm(total=args.n, desc=f"{args.source} images", unit="img")
    lines: list[tuple[int, str]] = []
    if args.workers <= 1:
        for chunk in chunks:
            lines += write_batch(source, args.out, chunk)
            progress.update(len(chunk))
    else:  # processes of one thread: many small tensor ops scale badly over threads
        with ProcessPoolExecutor(args.workers, initializer=torch.set_num_threads, initargs=(1,)) as pool:
            for done in as_completed([pool.submit(write_batch, source, args.out, c) for c in chunks]):
                lines += done.result()
                progress.update(len(done.result()))
    progress.close()
    (args.out / "list.txt").write_text("".join(f"{line}\n" for _, line in sorted(lines)))
    print(f"wrote {args.n} {args.source} images ({classes} classes, {args.size}px) and {args.out / 'list.txt'}")
    return 0
