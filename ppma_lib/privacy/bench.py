"""``ppma bench privacy``: human-removal throughput in frames/s per core at 240p.

Runs on a synthetic 426x240 clip it makes itself (a person-like blob walking over a textured
scene, static and panning camera), pinned to one thread so the number is per core: a dataset pass
with N workers scales about N-fold. The oracle mask stands in for segmentation (timed separately
with ``--segmenter opencv``).
"""
from __future__ import annotations

import argparse
import json

from ppma_lib.atomic import write_text_atomic


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("--frames", type=int, default=64, help="frames per clip (default 64)")
    p.add_argument("--height", type=int, default=240, help="frame height; width is 16:9 (default 240)")
    p.add_argument("--preset", choices=["ultrafast", "fast", "medium"], default="medium", help="DIS preset")
    p.add_argument("--segmenter", choices=["none", "opencv"], default="none",
                   help="also time a real segmenter (default: oracle masks only)")
    p.add_argument("--json", help="write the results to this JSON file")


def run(args: argparse.Namespace) -> int:
    import time

    import cv2
    import torch

    from ppma_lib.privacy.audit import Auditor
    from ppma_lib.privacy.baselines import telea_only
    from ppma_lib.privacy.flow import completed_flows
    from ppma_lib.privacy.inpaint import inpaint_video
    from ppma_lib.privacy.masks import person_hole
    from ppma_lib.privacy.quality import hole_psnr
    from ppma_lib.privacy.remove import inpaint_kwargs
    from ppma_lib.privacy.synthetic import synthetic_clip
    from ppma_lib.sections.privacy import PrivacyConfig

    cv2.setNumThreads(1)
    torch.set_num_threads(1)
    cfg = PrivacyConfig(flow_preset=args.preset)  # everything else at its defaults
    H = args.height
    W = round(H * 16 / 9) // 2 * 2
    results = dict(height=H, width=W, frames=args.frames, preset=args.preset, audit_stride=cfg.audit_stride,
                   threads=1, scenes={})
    for scene, pan in (("static", (0.0, 0.0)), ("panning", (1.5, -0.5))):
        frames, mask, clean = synthetic_clip(args.frames, H, W, pan=pan, speed=H / 40, size=0.6, seed=0)
        timing: dict[str, float] = {}
        cpu: dict[str, float] = {}

        def timed(name, fn, *a, **kw):
            t0, c0 = time.perf_counter(), time.process_time()
            r = fn(*a, **kw)
            timing[name], cpu[name] = time.perf_counter() - t0, time.process_time() - c0
            return r

        if args.segmenter == "opencv":
            from ppma_lib.privacy.segmenters.opencv_people import OpenCVSegmenter

            timed("segment_opencv", OpenCVSegmenter(), frames)
        hole = timed("mask", person_hole, mask.astype("float32"), cfg.threshold, cfg.dilation_iters)
        timed("flow", completed_flows, frames, hole, cfg.flow_preset, cfg.flow_margin)  # part of inpaint
        out = timed("inpaint", inpaint_video, frames, hole, **inpaint_kwargs(cfg))
        auditor = Auditor(None, cfg.threshold, cfg.audit_tol, cfg.audit_diff, cfg.audit_faces, cfg.audit_stride)
        timed("audit", auditor, out, original=frames, clean=clean, person=mask)
        T = len(frames)
        stages = ("mask", "inpaint", "audit")
        results["scenes"][scene] = dict(
            fps={k: T / v for k, v in timing.items()}, fps_end_to_end=T / sum(timing[k] for k in stages),
            # per CPU-second: the per-core rate, less sensitive to other processes on a shared machine
            fps_cpu={k: T / max(v, 1e-9) for k, v in cpu.items()},
            fps_cpu_end_to_end=T / max(sum(cpu[k] for k in stages), 1e-9),
            hole_frac=float(hole.mean()), psnr_ours=hole_psnr(out, clean, hole),
            psnr_telea=hole_psnr(telea_only(frames, hole), clean, hole))
        s = results["scenes"][scene]
        print(f"{scene:8s} {W}x{H} T={T}: end-to-end {s['fps_end_to_end']:.1f} frames/s/core "
              f"({s['fps_cpu_end_to_end']:.1f} per CPU-second) "
              f"(flow {s['fps']['flow']:.1f}, inpaint {s['fps']['inpaint']:.1f}, audit {s['fps']['audit']:.1f}"
              + (f", opencv seg {s['fps']['segment_opencv']:.1f}" if "segment_opencv" in s["fps"] else "")
              + f"); hole {100 * s['hole_frac']:.1f}%, "
              f"PSNR in hole {s['psnr_ours']:.1f} dB vs Telea {s['psnr_telea']:.1f}")
    if args.json:
        write_text_atomic(args.json, json.dumps(results, indent=1))
    return 0
