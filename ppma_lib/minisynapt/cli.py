"""``ppma make-data mini --out DIR --seed S [--scale small|tiny] [--workers N]``: generate MiniSynAPT."""
from __future__ import annotations

import argparse
import json


def configure(p: argparse.ArgumentParser) -> None:
    # unset options fall back to the MiniSynAPTConfig defaults (the single source of them)
    p.add_argument("--out", default=argparse.SUPPRESS, help="output folder (default data/mini)")
    p.add_argument("--seed", type=int, default=argparse.SUPPRESS, help="dataset seed (default 0)")
    p.add_argument("--scale", choices=["tiny", "small"], default=argparse.SUPPRESS,
                   help="tiny: 32x32x8, 4 classes, seconds; small: 64x64x16, 8-10 classes, the mini profile (default tiny)")
    p.add_argument("--workers", type=int, default=argparse.SUPPRESS, help="processes (default 2)")
    p.add_argument("--sets", nargs="+", default=argparse.SUPPRESS, metavar="SET",
                   help="only these sets / tasks: real synthetic ucf hmdb ssv2 diving ikea uav (default all)")
    p.add_argument("--no-bias", dest="bias", action="store_false", default=argparse.SUPPRESS,
                   help="skip the static vs motion bias measurement")
    p.add_argument("--force", action="store_true", default=argparse.SUPPRESS,
                   help="regenerate even if a matching dataset exists")


def run(args: argparse.Namespace) -> int:
    from ppma_lib.config import build
    from ppma_lib.minisynapt.writer import generate
    from ppma_lib.sections import MiniSynAPTConfig

    fields = {k: v for k, v in vars(args).items() if k in MiniSynAPTConfig.__dataclass_fields__}
    cfg = build(MiniSynAPTConfig, fields, "<command line>", prefix="minisynapt.")
    path = generate(cfg)
    manifest = json.loads(path.read_text())
    print(f"MiniSynAPT {manifest['scale']} (seed {manifest['seed']}): {path}")
    for name, s in manifest["sets"].items():
        print(f"  {name:10s} {s['like']:14s} {len(s['classes']):3d} classes  {s['train']:4d} train  {s['val']:3d} val")
    bias = path.parent / "bias.json"
    if bias.is_file():
        print("  scene bias: linear-probe accuracy on a single frame / + motion / motion only (chance)")
        for name, row in json.loads(bias.read_text()).items():
            print(f"  {name:10s} {row['static_acc']:.2f} / {row['motion_acc']:.2f} / {row['dynamics_acc']:.2f}"
                  f"  ({row['chance']:.2f})")
    return 0
