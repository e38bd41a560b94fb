"""What a run leaves in its directory: atomic checkpoints, RNG states, metrics.jsonl, summary.json.

A checkpoint holds everything needed to continue *exactly*: model, optimizer, grad scaler, the number of
finished epochs and optimizer steps (the lr is a pure function of the step), and every random state the
loop draws from (Python, NumPy, torch CPU/CUDA and the loop's own generator). Files are written to a
temporary name and renamed, so a crash mid-write never leaves a half-written ``last.pt``.
"""
from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import numpy as np
import torch

from ppma_lib.atomic import atomic_path, write_text_atomic
from ppma_lib.config import run_ref

LAST = "last.pt"
EPOCH_CKPT = "ckpt_{epoch:04d}.pt"  # kept every train.ckpt_every epochs (PMG Fig. 3a)


def atomic_save(obj: Any, path: str | Path) -> Path:
    """``torch.save`` to a temporary file, then rename: readers see the old file or the new one, never half."""
    with atomic_path(path) as tmp:
        torch.save(obj, tmp)
    return Path(path)


def rng_state(generator: torch.Generator | None = None) -> dict[str, Any]:
    """Every random state the loop may draw from, for an exact resume."""
    np_state = np.random.get_state(legacy=False)
    state = {
        "python": random.getstate(),
        # tensors and plain types only: checkpoints load with torch.load(weights_only=True)
        "numpy": {**np_state, "state": {"key": torch.from_numpy(np_state["state"]["key"].astype(np.int64)),
                                        "pos": int(np_state["state"]["pos"])}},
        "torch": torch.get_rng_state(),
        "cuda": torch.cuda.get_rng_state_all() if torch.cuda.is_available() else [],
    }
    if generator is not None:
        state["generator"] = generator.get_state()
    return state


def set_rng_state(state: dict[str, Any], generator: torch.Generator | None = None) -> None:
    random.setstate(_as_tuples(state["python"]))
    np_state = state["numpy"]
    key = np.asarray(np_state["state"]["key"].numpy(), dtype=np.uint32)
    np.random.set_state({**np_state, "state": {"key": key, "pos": int(np_state["state"]["pos"])}})
    torch.set_rng_state(state["torch"])
    if state.get("cuda") and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])
    if generator is not None and "generator" in state:
        generator.set_state(state["generator"])


def _as_tuples(x: Any) -> Any:
    """``random.setstate`` wants tuples; a round trip through some serialisers gives lists."""
    return tuple(_as_tuples(v) for v in x) if isinstance(x, (list, tuple)) else x


def seed_everything(seed: int) -> None:
    """Seed the global generators (libraries that draw from them: timm init, torchvision transforms)."""
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)


def resolve_init(spec: str, out_root: str | Path, profile: str) -> Path | None:
    """``model.init`` -> a checkpoint path: ``""`` = none; ``run:<name>`` = that run's ``last.pt`` (same
    profile); ``run:<name>@ep<N>`` = its ``ckpt_<N>.pt`` (kept by ``train.ckpt_every``)."""
    if not spec:
        return None
    if spec.startswith("run:"):
        name, epoch = run_ref(spec)
        path = Path(out_root) / profile / name / (LAST if epoch is None else EPOCH_CKPT.format(epoch=epoch))
        if not path.is_file():
            what = f"train run '{name}'" if epoch is None else f"train run '{name}' with train.ckpt_every dividing {epoch}"
            raise FileNotFoundError(f"model.init={spec!r}: {path} does not exist; {what} (profile '{profile}') first")
        return path
    path = Path(spec)
    if not path.is_file():
        raise FileNotFoundError(f"model.init: checkpoint {path} not found")
    return path


class MetricsLog:
    """``metrics.jsonl``: one JSON object per line (one per epoch, plus evaluation records)."""

    def __init__(self, path: str | Path, enabled: bool = True) -> None:
        self.path = Path(path)
        self.enabled = enabled

    def truncate_after(self, epoch: int) -> None:
        """On resume, drop what was written after the checkpoint: later epochs and the final evaluation."""
        if not (self.enabled and self.path.is_file()):
            return
        keep = [r for r in self.read() if r.get("epoch", 0) <= epoch and not r.get("final")]
        write_text_atomic(self.path, "".join(json.dumps(r) + "\n" for r in keep))

    def write(self, record: dict[str, Any]) -> None:
        if self.enabled:
            with self.path.open("a") as f:
                f.write(json.dumps(record, default=_jsonable) + "\n")

    def read(self) -> list[dict[str, Any]]:
        if not self.path.is_file():
            return []
        return [json.loads(line) for line in self.path.read_text().splitlines() if line.strip()]


def write_json(obj: dict[str, Any], path: str | Path) -> Path:
    return write_text_atomic(path, json.dumps(obj, indent=2, default=_jsonable) + "\n")


def _jsonable(x: Any) -> Any:
    if isinstance(x, (np.generic, torch.Tensor)):
        return x.item() if x.ndim == 0 else x.tolist()
    if isinstance(x, np.ndarray):
        return x.tolist()
    if isinstance(x, Path):
        return str(x)
    raise TypeError(f"not JSON serialisable: {type(x).__name__}")
