"""``ppma train PARAMS [key=value ...] [--nproc N]``: train one run (in-process, or under torchrun)."""
from __future__ import annotations

import argparse


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("params", help="params YAML file, e.g. params/mini/finetune.yaml")
    p.add_argument("overrides", nargs="*", help="dotted key=value overrides, e.g. train.epochs=2 run.name=x")
    p.add_argument("--nproc", type=int, default=1,
                   help="processes (GPUs) on this node; > 1 launches torchrun --standalone (DDP)")


def run(args: argparse.Namespace) -> int:
    import json

    if args.nproc > 1:
        from ppma_lib.train.launch import launch_torchrun

        summary = launch_torchrun(args.params, args.overrides, nproc=args.nproc)
    else:
        from ppma_lib.config import resolve
        from ppma_lib.train.loop import fit

        summary = fit(resolve(args.params, args.overrides))
    print(json.dumps({k: v for k, v in summary.items() if not isinstance(v, (list, dict))}, indent=2))
    return 0
