"""``ppma remove-humans LIST --root DIR --out DIR``: No-Human videos for a list (PPMA §3.1)."""
from __future__ import annotations

import argparse
import json
import sys


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("list", help="list file of the input videos (path;label or path label)")
    p.add_argument("--root", required=True, help="folder the list's paths are relative to")
    p.add_argument("--out", required=True, help="output folder: videos (same relpaths, .mp4), audit, new list")
    p.add_argument("--segmenter", choices=["oracle", "torchvision", "mediapipe", "opencv"],
                   help="person segmenter (default: privacy.segmenter of the params, else oracle)")
    p.add_argument("--masks", help="oracle masks folder: <masks>/<relpath without extension>.npz")
    p.add_argument("--torchvision-model", help="torchvision model for --segmenter torchvision "
                   "(weights from the local torch hub cache only)")
    p.add_argument("--workers", type=int, help="worker processes (default 1)")
    p.add_argument("--fail-closed", action=argparse.BooleanOptionalAction, default=None,
                   help="keep videos that fail the audit out of the new list (default: on)")
    p.add_argument("--params", help="params YAML whose privacy section gives the defaults")
    p.add_argument("--list-name", help="file name of the new list inside --out (default: the input's)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")


def run(args: argparse.Namespace) -> int:
    import dataclasses
    from pathlib import Path

    from ppma_lib.data.lists import read_list
    from ppma_lib.privacy.dataset_pass import remove_humans_from_list
    from ppma_lib.privacy.segment import SegmenterUnavailable
    from ppma_lib.sections.privacy import PrivacyConfig

    if args.params:
        from ppma_lib.config import resolve

        cfg = resolve(args.params).privacy
    else:
        cfg = PrivacyConfig()
    overrides = {"segmenter": args.segmenter, "masks": args.masks, "workers": args.workers,
                 "fail_closed": args.fail_closed, "torchvision_model": args.torchvision_model}
    try:
        cfg = dataclasses.replace(cfg, **{k: v for k, v in overrides.items() if v is not None})
    except ValueError as e:
        print(f"ppma remove-humans: {e}", file=sys.stderr)
        return 2
    try:
        items = read_list(args.list)
        summary = remove_humans_from_list(items, args.root, args.out, cfg,
                                          list_name=args.list_name or Path(args.list).name,
                                          progress=not args.quiet)
    except (SegmenterUnavailable, FileNotFoundError, ValueError) as e:
        print(f"ppma remove-humans: {e}", file=sys.stderr)
        return 2
    print(json.dumps({k: v for k, v in summary.items() if k != "unreadable_videos"}, indent=1))
    for rel in summary["unreadable_videos"]:
        print(f"unreadable: {rel}", file=sys.stderr)
    return 0
