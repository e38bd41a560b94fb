"""Launch a multi-GPU run from a notebook: ``torchrun`` in a subprocess, then read the run's summary.

The notebook process never joins the process group (a kernel cannot be forked into DDP ranks); it waits
for ``torchrun -m ppma_lib.train`` and returns the same ``summary.json`` that :func:`ppma_lib.train.fit`
returns in-process.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any, Mapping, Sequence


def torchrun_command(params_file: str | Path, overrides: Sequence[str] = (), nproc: int = 1) -> list[str]:
    """The argv of ``torchrun --standalone --nproc_per_node=<nproc> -m ppma_lib.train PARAMS k=v ...``."""
    return [
        sys.executable, "-m", "torch.distributed.run", "--standalone", f"--nproc_per_node={nproc}",
        "-m", "ppma_lib.train", str(params_file), *overrides,
    ]


def launch_torchrun(
    params_file: str | Path,
    overrides: Sequence[str] | Mapping[str, Any] | None = None,
    nproc: int = 1,
    cwd: str | Path | None = None,
) -> dict[str, Any]:
    """Run ``params_file`` (+ ``key=value`` overrides) under DDP on ``nproc`` processes; return its summary.

    ``overrides``: ``["train.epochs=2"]`` or ``{"train.epochs": 2}``; ``cwd``: where torchrun runs (the
    repository root, so that ``params/...`` and ``outputs/...`` resolve as in the README).
    """
    from ppma_lib.config import resolve

    items = [f"{k}={_yaml_scalar(v)}" for k, v in overrides.items()] if isinstance(overrides, Mapping) else list(overrides or [])
    cfg = resolve(Path(cwd or ".") / params_file, items)  # a bad key fails here, before anything is spawned
    cmd = torchrun_command(params_file, items, nproc)
    done = subprocess.run(cmd, cwd=cwd)
    if done.returncode != 0:
        raise RuntimeError(f"torchrun exited with status {done.returncode}: {' '.join(cmd)}")
    run_dir = Path(cwd or ".") / cfg.run_dir
    return json.loads((run_dir / "summary.json").read_text())


def _yaml_scalar(v: Any) -> str:
    import yaml

    return yaml.safe_dump(v, default_flow_style=True).strip().removesuffix("\n...").strip()
