"""DDP (torchrun, 2 gloo processes) computes what one process computes on the same global batch."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch
import yaml

from ppma_lib.config import resolve
from ppma_lib.data.lists import write_list
from ppma_lib.data.video import write_video
from ppma_lib.train import fit, launch_torchrun, torchrun_command


def _videos(root: Path) -> None:
    rng = np.random.default_rng(0)
    for split, per_class in (("train", 4), ("val", 3)):
        items = []
        for c in range(2):
            for i in range(per_class):
                clip = rng.integers(0, 60, (8, 32, 32, 3)).astype(np.uint8)
                clip[..., c] += 150
                write_video(root / f"{split}_{c}_{i}.mp4", clip, fps=8)
                items.append((f"{split}_{c}_{i}.mp4", c))
        write_list(root / f"{split}.csv", items)


def test_torchrun_command() -> None:
    cmd = torchrun_command("params/mini/mae.yaml", ["train.epochs=1"], nproc=4)
    assert cmd[1:3] == ["-m", "torch.distributed.run"] and "--nproc_per_node=4" in cmd
    assert cmd[-4:] == ["-m", "ppma_lib.train", "params/mini/mae.yaml", "train.epochs=1"]


@pytest.mark.slow
def test_two_gloo_ranks_match_one_process(tmp_path: Path) -> None:
    _videos(tmp_path)
    params = tmp_path / "ft.yaml"
    params.write_text(yaml.safe_dump({
        "run": {"name": "ddp", "task": "finetune", "profile": "smoke", "out_root": str(tmp_path / "out"), "device": "cpu"},
        "model": {"name": "vit_tiny_test", "patch_size": 8, "tubelet": 2},
        "data": {"root": str(tmp_path), "train_lists": [str(tmp_path / "train.csv")],
                 "val_lists": [str(tmp_path / "val.csv")], "num_frames": 4, "stride": 2, "short_side": 32,
                 "crop_size": 32, "randaugment": True},
        "optim": {"base_lr": 0.1, "warmup_epochs": 0.5},
        "train": {"epochs": 2, "batch_size": 2, "progress": False, "log_every": 1},
        "eval": {"batch_size": 2, "num_clips": 1, "num_crops": 2},
    }))
    ddp = launch_torchrun(params, ["run.name=ddp", "train.threads=1"], nproc=2)
    one = fit(resolve(params, ["run.name=one", "train.batch_size=4"]))  # the same global batch of 4
    assert ddp["world_size"] == 2 and one["world_size"] == 1
    assert ddp["effective_batch"] == one["effective_batch"] == 4 and ddp["steps"] == one["steps"] == 4

    def losses(name: str) -> list[float]:
        lines = (tmp_path / "out" / "smoke" / name / "metrics.jsonl").read_text().splitlines()
        return [r["loss"] for r in map(json.loads, lines) if r["kind"] == "train"]

    assert losses("ddp") == pytest.approx(losses("one"), rel=1e-4, abs=1e-5)
    assert ddp["num_videos"] == one["num_videos"] == 6  # every val video once, gathered from both ranks
    a = torch.load(tmp_path / "out/smoke/ddp/last.pt", weights_only=True)["model"]
    b = torch.load(tmp_path / "out/smoke/one/last.pt", weights_only=True)["model"]
    # 1e-4 << the 4 steps' change (~lr 1.6e-3 each): Adam turns the float noise of gradients that are
    # zero in exact arithmetic (the attention k bias) into updates of ~1e-5
    assert all(torch.allclose(a[k], b[k], atol=1e-4) for k in a)
