"""``ppma data check LIST --root DIR``: which videos of a list are missing or unreadable.

Each entry is resolved as the datasets do (``root / path``, with or without a video extension)
and opened; its first and last frames are decoded, which catches files whose index promises
frames the data no longer holds (truncated copies). ``--deep`` decodes every frame. Exit status
is 0 when every video reads, 1 otherwise.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("list", help="list file (path label / path;label)")
    parser.add_argument("--root", default=".", help="folder the list's paths are relative to")
    parser.add_argument("--format", default="auto", choices=["auto", "space", "semicolon"], help="list format")
    parser.add_argument("--backend", default="auto", choices=["auto", "decord", "pyav"])
    parser.add_argument("--deep", action="store_true", help="decode every frame (slow), not just the ends")
    parser.add_argument("--jobs", type=int, default=4, help="videos checked in parallel (threads)")
    parser.add_argument("--show", type=int, default=10, help="examples listed per problem kind")
    parser.add_argument("--json", default="", metavar="PATH", help="also write the full report as JSON")


def check_item(path: Path, backend: str = "auto", deep: bool = False) -> tuple[str, str, int]:
    """-> (status ``ok`` | ``missing`` | ``unreadable``, cause, number of frames)."""
    from ppma_lib.data.video import VideoReadError, declared_frames, find_video, open_video

    resolved = find_video(path)
    if not resolved.exists():
        return "missing", "no such file or folder", 0
    try:
        with open_video(resolved, backend) as reader:
            n = len(reader)
            chunks = [range(i, min(i + 64, n)) for i in range(0, n, 64)] if deep else [[0, n - 1]]
            for idx in chunks:
                reader.get(list(idx))
        promised = declared_frames(resolved) if resolved.is_file() else None
        if promised and n < 0.9 * promised - 1:  # audio may outlast video a little; not by 10%
            return "unreadable", f"truncated: {n} frames, the header promises about {promised}", n
        return "ok", "", n
    except VideoReadError as e:
        return "unreadable", e.cause, 0


def run(args: argparse.Namespace) -> int:
    from concurrent.futures import ThreadPoolExecutor

    from tqdm.auto import tqdm

    from ppma_lib.data.lists import read_list

    items = read_list(args.list, args.format)
    root = Path(args.root)
    with ThreadPoolExecutor(max(1, args.jobs)) as pool:  # decoders release the GIL
        results = list(tqdm(pool.map(lambda it: check_item(root / it[0], args.backend, args.deep), items),
                            total=len(items), desc="checking", unit="video"))
    report: dict[str, list] = {"ok": [], "missing": [], "unreadable": []}
    for (rel, label), (status, cause, n) in zip(items, results):
        report[status].append({"path": rel, "label": label, "frames": n, "cause": cause})
    labels = [label for _, label in items]
    frames = [r["frames"] for r in report["ok"]]
    print(f"{args.list}: {len(items)} videos under {root}, labels {min(labels)}..{max(labels)} "
          f"({len(set(labels))} distinct)")
    for kind in ("ok", "missing", "unreadable"):
        print(f"  {kind:<10} {len(report[kind]):>7}")
    if frames:
        print(f"  frames per readable video: min {min(frames)}, median {sorted(frames)[len(frames) // 2]}, "
              f"max {max(frames)}")
    for kind in ("missing", "unreadable"):
        for r in report[kind][: args.show]:
            print(f"  {kind}: {root / r['path']}" + (f" ({r['cause']})" if kind == "unreadable" else ""))
        if len(report[kind]) > args.show:
            print(f"  ... and {len(report[kind]) - args.show} more {kind}")
    if args.json:
        Path(args.json).write_text(json.dumps({k: v for k, v in report.items()}, indent=1))
    return 0 if not report["missing"] and not report["unreadable"] else 1
