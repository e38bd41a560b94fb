"""The training engine on tiny videos: every task, learning, exact resume, determinism, NaN guard,
frozen linear probes, one source per batch in align, and the run directory's files."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch

from ppma_lib.config import ConfigError, Experiment, build
from ppma_lib.data.lists import write_list
from ppma_lib.data.video import write_video
from ppma_lib.train import fit
from ppma_lib.train import loop as loop_mod
from ppma_lib.train.engine import NonFiniteLoss
from ppma_lib.train.metrics import classification_report, confusion_matrix, topk_accuracy
from ppma_lib.train.state import resolve_init
from ppma_lib.train.steps import ClassifyStep

FRAMES, SIZE = 8, 32


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two sources x two classes; class c is a clip dominated by colour channel c (learnable)."""
    root = tmp_path_factory.mktemp("videos")
    rng = np.random.default_rng(0)
    for source in ("real", "synth"):
        for split, per_class in (("train", 4), ("val", 2)):
            items = []
            for c in range(2):
                for i in range(per_class):
                    clip = rng.integers(0, 60, (FRAMES, SIZE, SIZE, 3)).astype(np.uint8)
                    clip[..., c] += 150
                    rel = f"{source}/{split}_{c}_{i}.mp4"
                    write_video(root / rel, clip, fps=8)
                    items.append((rel, c))
            write_list(root / source / f"{split}.csv", items)
            # MiniSynAPT / PPMA layout: entries relative to the list's own folder (data.root "")
            write_list(root / source / f"{split}_local.csv", [(Path(p).name, c) for p, c in items])
    return root


def make_cfg(root: Path, out: Path, task: str, name: str | None = None, **sections: dict[str, Any]) -> Experiment:
    mae = task == "mae"
    doc: dict[str, Any] = {
        "run": {"name": name or task, "task": task, "profile": "smoke", "out_root": str(out), "seed": 3},
        "model": {"name": "mae_vit_tiny_test" if mae else "vit_tiny_test", "patch_size": 8, "tubelet": 2,
                  "mask_ratio": 0.75, "repeat_masks": 2 if mae else 1},
        "data": {"root": str(root), "train_lists": [str(root / "real/train.csv")],
                 "val_lists": [] if mae else [str(root / "real/val.csv")],
                 "num_frames": 4, "stride": 2, "short_side": SIZE, "crop_size": SIZE},
        "optim": {"base_lr": 0.05, "warmup_epochs": 0.5, "weight_decay": 0.0},
        "train": {"epochs": 2, "batch_size": 4, "progress": False, "log_every": 1},
        "eval": {"batch_size": 4, "num_clips": 1, "num_crops": 1},
    }
    for section, values in sections.items():
        doc[section] = {**doc.get(section, {}), **values}
    return build(Experiment, doc)


def train_records(run_dir: Path) -> list[dict]:
    return [json.loads(line) for line in (run_dir / "metrics.jsonl").read_text().splitlines() if '"train"' in line]


def weights(path: Path) -> dict[str, torch.Tensor]:
    return torch.load(path, map_location="cpu", weights_only=True)["model"]


# ------------------------------------------------------------------------------------------------
# every task, and the run directory
# ------------------------------------------------------------------------------------------------
def test_mae_run_dir_and_resolved_params(data: Path, tmp_path: Path) -> None:
    cfg = make_cfg(data, tmp_path, "mae", train={"ckpt_every": 1})
    summary = fit(cfg)
    run = cfg.run_dir
    assert {"params.resolved.yaml", "metrics.jsonl", "summary.json", "last.pt", "ckpt_0001.pt", "ckpt_0002.pt"} <= {
        p.name for p in run.iterdir()}
    assert not list(run.glob("*.tmp"))  # atomic writes leave no temporaries
    recs = train_records(run)
    assert [r["epoch"] for r in recs] == [1, 2]
    for key in ("loss", "lr", "clips_per_s", "samples_per_s", "data_time", "compute_time", "bad_videos"):
        assert key in recs[0]
    assert recs[0]["samples_per_s"] == pytest.approx(2 * recs[0]["clips_per_s"])  # 2 masks per decoded clip
    assert summary["steps"] == 2 * summary["steps_per_epoch"] and np.isfinite(summary["final_loss"])
    assert json.loads((run / "summary.json").read_text())["params_total"] == summary["params_total"] > 0
    resolved = (run / "params.resolved.yaml").read_text()
    assert "quirk_halved_cosine_start: false" in resolved and "quirk_unfrozen_lp: false" in resolved


def test_mae_shared_crop_masks_mode_and_pmg_aug(data: Path, tmp_path: Path) -> None:
    summary = fit(make_cfg(data, tmp_path, "mae", train={"repeat_views": "masks", "epochs": 1, "amp": "bf16"}))
    assert np.isfinite(summary["final_loss"])
    aug = fit(make_cfg(data, tmp_path, "mae", name="aug", train={"epochs": 1}, pmg={"aug_ratio": 0.5}))
    assert np.isfinite(aug["final_loss"]) and aug["final_loss"] != summary["final_loss"]
    # Tab. 9: stills also from procedural shaders (a bank at the clips' size)
    mixed = fit(make_cfg(data, tmp_path, "mae", name="aug_mixed", train={"epochs": 1},
                         pmg={"aug_ratio": 1.0, "aug_sources": ["frames", "shaders"], "num_images": 4, "num_classes": 2}))
    assert np.isfinite(mixed["final_loss"]) and mixed["final_loss"] != aug["final_loss"]


@pytest.mark.parametrize("on_device", [True, False])
def test_mae_on_pseudo_motion_from_images(data: Path, tmp_path: Path, on_device: bool) -> None:
    cfg = make_cfg(data, tmp_path, "mae", model={"mask_type": "tube", "repeat_masks": 1}, train={"epochs": 1},
                   pmg={"enabled": True, "image_source": "shaders", "num_images": 8, "num_classes": 2,
                        "num_frames": 4, "image_size": SIZE, "on_device": on_device})
    summary = fit(cfg)
    assert summary["steps"] == 2 and np.isfinite(summary["final_loss"])
    with pytest.raises(ConfigError, match="pmg.image_size"):
        fit(make_cfg(data, tmp_path, "mae", pmg={"enabled": True, "num_frames": 4}))


@pytest.mark.parametrize("task", ["finetune", "scratch"])
def test_classification_summary_and_confusion(data: Path, tmp_path: Path, task: str) -> None:
    local = {"root": "", "train_lists": [str(data / "real/train_local.csv")],
             "val_lists": [str(data / "real/val_local.csv")], "source_names": ["real"]}
    cfg = make_cfg(data, tmp_path, task, eval={"num_clips": 2, "num_crops": 2}, **({"data": local} if task == "scratch" else {}))
    summary = fit(cfg)
    conf = np.load(cfg.run_dir / "confusion.npy")
    assert conf.shape == (2, 2) and conf.sum() == 4 == summary["num_videos"]
    assert summary["views"] == "2x2" and 0 <= summary["top1"] <= summary["top5"] == 100.0  # top5 of 2 classes
    assert summary["eval"]["real"]["per_class_top1"][0] is not None
    assert summary["init_report"].startswith("random initialisation")  # notebooks print its first line


def test_learns_a_toy(data: Path, tmp_path: Path) -> None:
    cfg = make_cfg(data, tmp_path, "finetune", train={"epochs": 8, "batch_size": 4, "progress": True},
                   optim={"base_lr": 0.4, "warmup_epochs": 1, "clip_grad": 1.0})
    summary = fit(cfg)
    losses = [r["loss"] for r in train_records(cfg.run_dir)]
    assert losses[-1] < 0.5 * losses[0]
    assert summary["top1"] == 100.0  # colour-coded classes


# ------------------------------------------------------------------------------------------------
# stage 2 and the probes
# ------------------------------------------------------------------------------------------------
def test_align_one_source_per_batch_and_per_source_losses(data: Path, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    fit(make_cfg(data, tmp_path, "mae", name="mae", train={"epochs": 1}))
    seen: list[set[int]] = []
    original = ClassifyStep.__call__

    def spy(self, model, batch, gens):  # type: ignore[no-untyped-def]
        seen.append(set(batch["source"].tolist()))
        return original(self, model, batch, gens)

    monkeypatch.setattr(ClassifyStep, "__call__", spy)
    cfg = make_cfg(data, tmp_path, "align", model={"init": "run:mae"}, train={"batch_size": 2},
                   data={"train_lists": [str(data / "real/train.csv"), str(data / "synth/train.csv")],
                         "val_lists": [str(data / "real/val.csv"), str(data / "synth/val.csv")]})
    summary = fit(cfg)
    assert seen and all(len(s) == 1 for s in seen)  # one source per batch
    assert {next(iter(s)) for s in seen} == {0, 1}  # both sources drawn
    rec = train_records(cfg.run_dir)[-1]
    assert {"loss/real", "loss/synth"} <= set(rec)
    assert rec["loss"] == pytest.approx((rec["loss/real"] + rec["loss/synth"]) / 2, rel=0.5)
    assert set(summary["eval"]) == {"real", "synth"}
    assert "loaded" in summary["init_report"]
    ckpt = weights(cfg.run_dir / "last.pt")
    assert {"heads.real.weight", "heads.synth.weight"} <= set(ckpt)  # separate heads (paper)


def test_linear_probe_leaves_trunk_untouched(data: Path, tmp_path: Path) -> None:
    fit(make_cfg(data, tmp_path, "finetune", name="ft", train={"epochs": 1}))
    cfg = make_cfg(data, tmp_path, "linear_probe", model={"init": "run:ft"})
    summary = fit(cfg)
    before, after = weights(tmp_path / "smoke/ft/last.pt"), weights(cfg.run_dir / "last.pt")
    trunk = [k for k in after if k.startswith("trunk.") and not k.startswith("trunk.norm.")]
    assert trunk and all(torch.equal(after[k], before[k[len("trunk."):]]) for k in trunk)
    assert not torch.equal(after["head.weight"], before["head.weight"])
    assert summary["params_trainable"] == after["head.weight"].numel() + after["head.bias"].numel()
    # the released "LP" (quirk) trains everything
    quirk = fit(make_cfg(data, tmp_path, "linear_probe", name="lp_quirk", model={"init": "run:ft"},
                         train={"quirk_unfrozen_lp": True}))
    assert quirk["params_trainable"] > summary["params_trainable"]


def test_mix_probe_learns_beta_only(data: Path, tmp_path: Path) -> None:
    for name in ("ft_a", "ft_b"):
        fit(make_cfg(data, tmp_path, "finetune", name=name, train={"epochs": 1}, run={"seed": len(name)}))
    cfg = make_cfg(data, tmp_path, "mix_probe", model={"mix_inits": ["run:ft_a", "run:ft_b"]},
                   optim={"mix_lr_factor": 10.0})
    summary = fit(cfg)
    after = weights(cfg.run_dir / "last.pt")
    assert not torch.equal(after["mixing_logits"], torch.zeros_like(after["mixing_logits"]))
    assert summary["params_trainable"] == 2 + after["head.weight"].numel() + after["head.bias"].numel()


def test_bad_configs(data: Path, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="random weights"):
        fit(make_cfg(data, tmp_path, "scratch", model={"init": "run:x"}))
    with pytest.raises(FileNotFoundError, match="train run 'nope'"):
        fit(make_cfg(data, tmp_path, "finetune", model={"init": "run:nope"}))
    with pytest.raises(ConfigError, match="mae_"):
        fit(make_cfg(data, tmp_path, "mae", model={"name": "vit_tiny_test"}))
    with pytest.raises(ConfigError, match="trains nothing"):
        fit(make_cfg(data, tmp_path, "job"))


# ------------------------------------------------------------------------------------------------
# determinism, exact resume, NaN guard
# ------------------------------------------------------------------------------------------------
def _curve(run_dir: Path) -> list[tuple[float, float]]:
    return [(r["loss"], r["lr"]) for r in train_records(run_dir)]


def test_same_seed_same_metrics(data: Path, tmp_path: Path) -> None:
    kw = dict(train={"epochs": 2, "batch_size": 2}, data={"mixup": 0.8, "cutmix": 1.0, "randaugment": True})
    a = make_cfg(data, tmp_path, "finetune", name="a", **kw)
    b = make_cfg(data, tmp_path, "finetune", name="b", **kw)
    fit(a), fit(b)
    assert _curve(a.run_dir) == _curve(b.run_dir)
    c = make_cfg(data, tmp_path, "finetune", name="c", run={"seed": 4}, **kw)
    fit(c)
    assert _curve(c.run_dir) != _curve(a.run_dir)


@pytest.mark.parametrize("task", ["mae", "finetune"])
def test_resume_is_exact(data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, task: str) -> None:
    kw = dict(train={"epochs": 4, "max_steps_per_epoch": 1, "batch_size": 2}, data={"mixup": 0.8})
    whole = make_cfg(data, tmp_path, task, name="whole", **kw)
    fit(whole)

    parts = make_cfg(data, tmp_path, task, name="parts", **kw)
    real, calls = loop_mod.train_one_epoch, []

    def crash_on_third(*a, **k):  # type: ignore[no-untyped-def]
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt  # killed during epoch 3: last.pt holds epoch 2
        return real(*a, **k)

    monkeypatch.setattr(loop_mod, "train_one_epoch", crash_on_third)
    with pytest.raises(KeyboardInterrupt):
        fit(parts)
    assert torch.load(parts.run_dir / "last.pt", weights_only=True)["epoch"] == 2
    monkeypatch.setattr(loop_mod, "train_one_epoch", real)
    fit(parts)  # resume=auto
    a, b = weights(whole.run_dir / "last.pt"), weights(parts.run_dir / "last.pt")
    assert a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)
    assert _curve(parts.run_dir) == _curve(whole.run_dir)  # 4 records, none duplicated


def test_nan_guard_names_step_and_keeps_last_good_checkpoint(data: Path, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = make_cfg(data, tmp_path, "finetune", train={"epochs": 3, "log_every": 5})
    calls = []
    original = ClassifyStep.__call__

    def poisoned(self, model, batch, gens):  # type: ignore[no-untyped-def]
        out = original(self, model, batch, gens)
        calls.append(1)
        if len(calls) == 4:  # optimizer step 3 (0-based): the second step of epoch 2
            out.loss = out.loss * float("nan")
        return out

    monkeypatch.setattr(ClassifyStep, "__call__", poisoned)
    with pytest.raises(NonFiniteLoss, match="optimizer step 3"):
        fit(cfg)
    assert torch.load(cfg.run_dir / "last.pt", weights_only=True)["epoch"] == 1
    assert "error" in (cfg.run_dir / "metrics.jsonl").read_text().splitlines()[-1]


# ------------------------------------------------------------------------------------------------
# pure helpers
# ------------------------------------------------------------------------------------------------
def test_metrics() -> None:
    scores = torch.tensor([[0.1, 0.7, 0.2], [0.5, 0.3, 0.2], [0.2, 0.3, 0.5], [0.6, 0.3, 0.1]])
    labels = torch.tensor([1, 1, 2, 2])
    assert topk_accuracy(scores, labels, (1, 2)) == {"top1": 50.0, "top2": 75.0}
    conf = confusion_matrix(scores.argmax(1), labels, 4)
    assert conf.tolist()[1] == [1, 1, 0, 0] and conf[2].tolist() == [1, 0, 1, 0]
    report, _ = classification_report(scores, labels, 4, (1, 5))
    assert report["top5"] == 100.0 and report["per_class_top1"] == [None, 50.0, 50.0, None]
    assert report["mean_class_top1"] == 50.0


def test_resolve_init(tmp_path: Path) -> None:
    assert resolve_init("", tmp_path, "mini") is None
    (tmp_path / "mini" / "mae").mkdir(parents=True)
    (tmp_path / "mini" / "mae" / "last.pt").write_bytes(b"x")
    assert resolve_init("run:mae", tmp_path, "mini") == tmp_path / "mini" / "mae" / "last.pt"
    with pytest.raises(FileNotFoundError, match="profile 'paper'"):
        resolve_init("run:mae", tmp_path, "paper")
    # run:<name>@ep<N>: the checkpoint train.ckpt_every kept at epoch N
    (tmp_path / "mini" / "mae" / "ckpt_0004.pt").write_bytes(b"x")
    assert resolve_init("run:mae@ep4", tmp_path, "mini") == tmp_path / "mini" / "mae" / "ckpt_0004.pt"
    with pytest.raises(FileNotFoundError, match="ckpt_every dividing 3"):
        resolve_init("run:mae@ep3", tmp_path, "mini")
    with pytest.raises(ValueError, match="run:<name>@ep<N>"):
        resolve_init("run:mae@last", tmp_path, "mini")


# ------------------------------------------------------------------------------------------------
# entry points and parameter sets
# ------------------------------------------------------------------------------------------------
def test_ppma_train_cli(data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import yaml

    from ppma_lib.cli import main
    from ppma_lib.config import to_plain

    params = tmp_path / "ft.yaml"
    params.write_text(yaml.safe_dump(to_plain(make_cfg(data, tmp_path, "finetune", name="cli"))))
    assert main(["train", str(params), "train.epochs=1", "run.name=cli1"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["run"] == "cli1" and printed["epochs"] == 1 and "top1" in printed


PROFILES = ("paper", "mini", "smoke")
TASKS = ("mae", "align", "finetune", "linear_probe", "mix_probe", "pmg_mae", "scratch")


@pytest.mark.parametrize("profile", PROFILES)
def test_params_files(profile: str) -> None:
    from ppma_lib.config import derive, resolve

    for task in TASKS:
        cfg = resolve(f"params/{profile}/{task}.yaml")
        assert cfg.run.profile == profile and cfg.run.task == task.replace("pmg_", "")
        assert cfg.model.name.startswith("mae_") == task.endswith("mae")
        if profile != "paper":
            lists = cfg.data.train_lists + cfg.data.val_lists
            assert all(p.startswith(f"data/{profile}/") for p in lists), (task, lists)
        assert not any([cfg.optim.quirk_halved_cosine_start, cfg.optim.quirk_layer_decay_off_by_one,
                        cfg.train.quirk_unfrozen_lp]) and cfg.model.head == "separate"  # the paper's text
    paper = {t: resolve(f"params/paper/{t}.yaml") for t in TASKS}
    if profile == "paper":  # the recipes of PPMA App. A, at the papers' global batches
        lr = {t: derive(c, world_size={"mae": 8, "align": 8, "finetune": 4, "linear_probe": 4}.get(t, 8)).lr
              for t, c in paper.items()}
        assert lr["mae"] == pytest.approx(8e-4) and lr["align"] == pytest.approx(2e-3)
        assert lr["finetune"] == pytest.approx(2e-3) and lr["linear_probe"] == pytest.approx(1.6e-2)
        assert paper["mae"].train.epochs == 200 and paper["align"].train.epochs == 50
        assert paper["finetune"].train.epochs == paper["linear_probe"].train.epochs == 30
        assert paper["pmg_mae"].model.mask_type == "tube" and paper["pmg_mae"].model.mask_ratio == 0.75
        assert paper["mae"].model.mask_ratio == 0.9 and paper["mae"].model.repeat_masks == 4


def test_bench_cpu_row() -> None:
    import argparse

    from ppma_lib.train import bench
    from ppma_lib.train.distributed import pick_device

    parser = argparse.ArgumentParser()
    bench.configure(parser)
    args = parser.parse_args(["--model", "vit_tiny_test", "--batch", "2", "--frames", "4", "--size", "32",
                              "--patch", "8", "--steps", "1", "--warmup", "0", "--repeat-masks", "2"])
    row = bench.bench_task("mae", args, pick_device("cpu"))
    assert row["samples_per_step"] == 4 and row["step_ms"] > 0 and row["mfu"] is None  # no known CPU peak
    args.peak_tflops = 1.0
    row = bench.bench_task("finetune", args, pick_device("cpu"))
    assert row["mfu"] == pytest.approx(row["achieved_tflops"] / 1.0) and row["tflop_per_step"] > 0


def test_grad_accum_matches_the_bigger_batch(data: Path, tmp_path: Path) -> None:
    big = make_cfg(data, tmp_path, "finetune", name="big", train={"batch_size": 4})
    acc = make_cfg(data, tmp_path, "finetune", name="acc", train={"batch_size": 2, "grad_accum": 2})
    fit(big), fit(acc)
    assert [loss for loss, _ in _curve(acc.run_dir)] == pytest.approx([loss for loss, _ in _curve(big.run_dir)], rel=1e-5)
    a, b = weights(big.run_dir / "last.pt"), weights(acc.run_dir / "last.pt")
    assert all(torch.allclose(a[k], b[k], atol=1e-4) for k in a)
