"""``torchrun --nproc_per_node=N -m ppma_lib.train PARAMS [key=value ...]``: one DDP rank of a run.

Also works without torchrun (one process), which is what ``ppma train`` does.
"""
from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ppma_lib.train", description=__doc__)
    parser.add_argument("params", help="params YAML file, e.g. params/mini/mae.yaml")
    parser.add_argument("overrides", nargs="*", help="dotted key=value overrides, e.g. train.epochs=2")
    args = parser.parse_args(argv)

    from ppma_lib.config import ConfigError, resolve
    from ppma_lib.train.loop import fit

    try:
        cfg = resolve(args.params, args.overrides)
    except ConfigError as e:
        print(f"ppma: config error: {e}", file=sys.stderr)
        return 2
    fit(cfg)
    return 0


if __name__ == "__main__":
    sys.exit(main())
