"""The ``ppma`` command.

Each subcommand lives next to the code it drives and is listed once in ``COMMANDS`` as
``(words, "module:configure", "module:run", help)``; the module is imported only when the command
runs, so ``ppma --help`` stays fast. ``configure(parser)`` adds arguments, ``run(args) -> int`` runs.
"""
from __future__ import annotations

import argparse
import importlib
import importlib.util
import sys
from typing import Callable, Sequence

COMMANDS: list[tuple[str, str, str]] = [
    # (words, module, help); the module defines configure(parser) and run(args) and imports only the
    # standard library at top level (heavy imports go inside run)
    ("resolve", "ppma_lib.commands.resolve", "print the resolved config of a params file"),
    ("train", "ppma_lib.train.cli", "train a run from a params file (mae, align, finetune, probes)"),
    ("reproduce", "ppma_lib.pipeline", "run a profile's plan of experiments with papermill, then build the book"),
    ("make-data mini", "ppma_lib.minisynapt.cli", "generate the MiniSynAPT benchmark"),
    ("make-data images", "ppma_lib.pmg.cli_images", "generate procedural images (shaders, fractals, visual atoms)"),
    ("make-data frames", "ppma_lib.data.frames", "extract random frames of the videos of a list (PMG on FT frames)"),
    ("make-data fd-subsets", "ppma_lib.data.motion_subsets",
     "split a video list by mean frame difference (PMG Tab. 13: large / medium / small)"),
    ("data check", "ppma_lib.data.check", "report missing and unreadable videos of a list file"),
    ("remove-humans", "ppma_lib.privacy.cli", "remove humans from the videos of a list (segment + inpaint + audit)"),
    ("bench data", "ppma_lib.data.bench", "video decoding throughput: decord vs PyAV vs frame folders"),
    ("bench pmg", "ppma_lib.pmg.bench", "pseudo-motion generation throughput"),
    ("bench train", "ppma_lib.train.bench", "training step time, clips/s and MFU"),
    ("bench privacy", "ppma_lib.privacy.bench", "human-removal throughput (frames/s per core at 240p)"),
]


def _available(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:  # parent package missing
        return False


def _load(module: str, name: str) -> Callable:
    return getattr(importlib.import_module(module), name)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ppma",
        description="Pre-training video action-recognition models without real humans (PPMA + PMG).",
    )
    parser.add_argument("--version", action="version", version=f"ppma {_version()}")
    top = parser.add_subparsers(dest="command", metavar="COMMAND")
    groups: dict[str, argparse._SubParsersAction] = {}
    for words, module, help_ in COMMANDS:
        if not _available(module):  # a command whose component has not landed yet
            continue
        *group, leaf = words.split()
        subs = top
        for i, g in enumerate(group):
            key = " ".join(group[: i + 1])
            if key not in groups:
                gp = subs.add_parser(g, help=f"{g} commands")
                groups[key] = gp.add_subparsers(dest=f"sub_{key.replace(' ', '_')}", metavar="SUBCOMMAND")
                groups[key].required = True
            subs = groups[key]
        p = subs.add_parser(leaf, help=help_, description=help_)
        p.set_defaults(_module=module)
        _load(module, "configure")(p)
    return parser


def _version() -> str:
    from ppma_lib import __version__

    return __version__


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "_module", None):
        parser.print_help()
        return 0
    from ppma_lib.config import ConfigError

    try:
        return int(_load(args._module, "run")(args) or 0)
    except ConfigError as e:
        print(f"ppma: config error: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
