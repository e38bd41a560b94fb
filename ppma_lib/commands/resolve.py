"""``ppma resolve PARAMS [key=value ...]``: validate a params file and print the result."""
from __future__ import annotations

import argparse
import dataclasses

import yaml


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("params", help="params YAML file, e.g. params/mini/mae.yaml")
    p.add_argument("overrides", nargs="*", help="dotted key=value overrides, e.g. optim.base_lr=1e-3")


def run(args: argparse.Namespace) -> int:
    from ppma_lib.config import derive, resolve

    cfg = resolve(args.params, args.overrides)
    doc = cfg.to_dict()
    doc["derived"] = dataclasses.asdict(derive(cfg))
    print(yaml.safe_dump(doc, sort_keys=False), end="")
    return 0
