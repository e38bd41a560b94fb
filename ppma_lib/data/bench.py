"""``ppma bench data``: how many 16-frame clips one worker decodes per second, per storage.

The bench writes its own inputs into a temporary folder — one textured, moving clip stored as
H.264 mp4 with the x264 default GOP, as H.264 with a short GOP (the re-encoding cure for random
access; VideoMAE issue #81), as MPEG-4 avi, and as a JPEG frame folder — then, in this process
(= one DataLoader worker), repeatedly opens the video and reads one random clip of ``T`` frames
at ``stride``, as a training step does. Prints a table; ``--json PATH`` writes the numbers.
"""
from __future__ import annotations

import argparse
import json

from ppma_lib.atomic import write_text_atomic


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--frames", type=int, default=16, help="T frames per clip")
    parser.add_argument("--stride", type=int, default=4, help="frame stride within a clip")
    parser.add_argument("--size", default="340x256", help="WxH of the test video (Kinetics-like)")
    parser.add_argument("--video-frames", type=int, default=300, help="frames of the test video")
    parser.add_argument("--clips", type=int, default=30, help="clips read per storage/backend")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", default="", metavar="PATH", help="write the results as JSON")


def textured_video(num_frames: int, height: int, width: int, seed: int = 0):
    """A blurred random texture drifting 2 px/frame plus sensor-like noise -> uint8 ``(T, H, W, 3)``.

    Motion-compensable detail at a few KB per frame, like a Kinetics clip at 340x256.
    """
    import cv2
    import numpy as np

    rng = np.random.default_rng(seed)
    texture = cv2.GaussianBlur(rng.integers(0, 256, (height, width, 3), dtype=np.uint8), (0, 0), 1.0)
    t = np.arange(num_frames)[:, None, None]
    y = (np.arange(height)[None, :, None] - t) % height  # (T, H, 1)
    x = (np.arange(width)[None, None, :] - 2 * t) % width  # (T, 1, W)
    frames = texture[y, x].astype(np.int16) + rng.normal(0, 6, (num_frames, height, width, 3)).astype(np.int16)
    return np.clip(frames, 0, 255).astype(np.uint8)


def bench_reads(path, backend: str, num_clips: int, frames: int, stride: int, seed: int) -> dict[str, float]:
    """Open + read ``num_clips`` random clips of ``frames`` at ``stride`` -> clips/s and frames/s."""
    import time

    import numpy as np

    from ppma_lib.data.video import open_video

    rng = np.random.default_rng(seed)
    span = (frames - 1) * stride + 1
    t0, c0 = time.perf_counter(), time.process_time()
    for _ in range(num_clips):
        with open_video(path, backend) as reader:
            start = int(rng.integers(0, max(len(reader) - span, 0) + 1))
            reader.get(np.minimum(start + np.arange(frames) * stride, len(reader) - 1))
    dt, cpu = time.perf_counter() - t0, time.process_time() - c0
    # cpu time (all threads of this process) is the fairer number on a busy machine
    return {"clips_per_s": num_clips / dt, "frames_per_s": num_clips * frames / dt,
            "ms_per_clip": 1e3 * dt / num_clips, "cpu_ms_per_clip": 1e3 * cpu / num_clips}


def run(args: argparse.Namespace) -> int:
    import tempfile
    from pathlib import Path

    import cv2
    import torch
    from tqdm.auto import tqdm

    from ppma_lib.data.video import write_frames, write_video

    cv2.setNumThreads(1)  # one worker = one core
    torch.set_num_threads(1)
    w, h = (int(v) for v in args.size.lower().split("x"))
    video = textured_video(args.video_frames, h, w, args.seed)
    rows = []
    with tempfile.TemporaryDirectory(prefix="ppma-bench-data-") as tmp:
        d = Path(tmp)
        storages = {
            "mp4 h264 (default gop)": write_video(d / "clip.mp4", video, fps=25, crf=23),
            "mp4 h264 (gop 16)": write_video(d / "gop16.mp4", video, fps=25, crf=23, gop=16),
            "avi mpeg4": write_video(d / "clip.avi", video, fps=25),
            "jpg frame folder": write_frames(d / "frames", video, quality=90),
        }
        runs = [(name, backend) for name in storages for backend in (("decord", "pyav") if "folder" not in name
                                                                     else ("opencv",))]
        for name, backend in tqdm(runs, desc="bench data"):
            path = storages[name]
            size = sum(p.stat().st_size for p in path.iterdir()) if path.is_dir() else path.stat().st_size
            r = bench_reads(path, "auto" if backend == "opencv" else backend, args.clips, args.frames, args.stride,
                            args.seed)
            rows.append({"storage": name, "backend": backend, "bytes": size, **r})
    print(f"one worker, {args.clips} clips of {args.frames} frames at stride {args.stride} "
          f"from a {w}x{h} video of {args.video_frames} frames (open + seek + decode)")
    print(f"{'storage':<24} {'backend':<8} {'MB':>6} {'clips/s':>8} {'frames/s':>9} {'ms/clip':>8} {'cpu ms':>7}")
    for r in rows:
        print(f"{r['storage']:<24} {r['backend']:<8} {r['bytes'] / 1e6:>6.2f} {r['clips_per_s']:>8.1f} "
              f"{r['frames_per_s']:>9.0f} {r['ms_per_clip']:>8.1f} {r['cpu_ms_per_clip']:>7.1f}")
    if args.json:
        config = {k: getattr(args, k) for k in ("frames", "stride", "size", "video_frames", "clips", "seed")}
        write_text_atomic(args.json, json.dumps({"config": config, "results": rows}, indent=1))
    return 0
