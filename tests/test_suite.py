"""The downstream suite, soups and data jobs on the tiny scale: a few one-epoch fits on one MiniSynAPT task."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
import yaml

from ppma_lib.config import ConfigError, resolve
from ppma_lib.jobs import data as jobs_data
from ppma_lib.jobs.soup import make_soup, soup_recipe
from ppma_lib.sections import SuiteConfig
from ppma_lib.train import suite

PARAMS = {e: f"params/smoke/{e}.yaml" for e in ("finetune", "linear_probe", "scratch")}


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory):
    """MiniSynAPT tiny with only the UCF101-like task, and an outputs folder."""
    from ppma_lib.minisynapt.writer import generate

    root = tmp_path_factory.mktemp("suite")
    generate(out=str(root / "data"), scale="tiny", sets=("ucf",), bias=False, workers=1)
    return root


@pytest.fixture
def smoke_at(tiny, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setitem(jobs_data.PROFILE_DATA, "smoke", (str(tiny / "data"), "tiny"))
    return {"run.out_root": str(tiny / "out"), "train.epochs": 1, "eval.num_clips": 1, "eval.num_crops": 1}


def test_names_and_task_folders() -> None:
    assert suite.run_name("ppma", "finetune", "ucf_like") == "ppma__finetune__ucf_like"
    assert suite.run_name("ppma", "scratch", "uav_like") == "scratch__scratch__uav_like"
    assert suite.model_name("run:soup_a050_050_000") == "soup_a050_050_000"
    assert jobs_data.task_folder("diving_like") == "diving" and jobs_data.task_folder("ikea") == "ikea"
    assert jobs_data.task_folder("k400") == "real"  # the K400 stand-in (PMG Tab. 12)


def test_suite_runs_skips_and_reruns(smoke_at, tiny) -> None:
    df = suite.downstream_suite("", ["ucf_like"], ["scratch"], "smoke", PARAMS, smoke_at, progress=False)
    assert df["run"].tolist() == ["scratch__scratch__ucf_like"] and df["status"].tolist() == ["ran"]
    assert 0.0 <= df["top1"].iloc[0] <= 100.0
    run_dir = tiny / "out" / "smoke" / "scratch__scratch__ucf_like"
    cfg = yaml.safe_load((run_dir / "params.resolved.yaml").read_text())
    assert cfg["run"]["task"] == "scratch" and cfg["data"]["train_lists"] == [str(tiny / "data" / "ucf" / "train.csv")]

    again = suite.downstream_suite("", ["ucf_like"], ["scratch"], "smoke", PARAMS, smoke_at, progress=False)
    assert again["status"].tolist() == ["up to date"] and again["top1"].iloc[0] == df["top1"].iloc[0]

    # fine-tune from that run's checkpoint under another model name; a changed parameter re-runs
    ckpt = str(run_dir / "last.pt")
    ft = suite.downstream_suite(ckpt, ["ucf_like"], ["finetune"], "smoke", PARAMS, smoke_at, model="m", progress=False)
    assert ft["run"].tolist() == ["m__finetune__ucf_like"] and ft["status"].tolist() == ["ran"]
    summary = json.loads((tiny / "out" / "smoke" / "m__finetune__ucf_like" / "summary.json").read_text())
    assert summary["init"] == ckpt and "loaded" in summary["init_report"]
    changed = suite.downstream_suite(ckpt, ["ucf_like"], ["finetune"], "smoke", PARAMS,
                                     {**smoke_at, "optim.base_lr": 1e-3}, model="m", progress=False)
    assert changed["status"].tolist() == ["ran"]
    assert suite.top1_table(changed).loc["finetune", "average"] == pytest.approx(changed["top1"].iloc[0], abs=0.05)


def test_suite_needs_a_recipe_per_eval() -> None:
    with pytest.raises(ConfigError, match="linear_probe"):
        suite.downstream_suite("run:x", ["ucf_like"], ["linear_probe"], "smoke", {"finetune": "f.yaml"})
    with pytest.raises(ValueError, match="mix_probe"):
        SuiteConfig(tasks=("ucf_like",), evals=("mix_probe",), params={})
    with pytest.raises(ValueError, match="unknown"):
        SuiteConfig(evals=("zero_shot",))


def test_paper_tasks_come_from_the_datasets_file(tmp_path) -> None:
    (tmp_path / "params" / "paper").mkdir(parents=True)
    (tmp_path / "params" / "paper" / "_datasets.yaml").write_text(
        "tasks:\n  ucf_like: {root: /d/ucf101, train_list: a/train.csv, val_list: a/val.csv}\n")
    got = suite.task_data("ucf_like", "paper", tmp_path)
    assert got["data.root"] == "/d/ucf101" and got["data.train_lists"] == ["a/train.csv"]
    with pytest.raises(ConfigError, match="hmdb_like"):
        suite.task_data("hmdb_like", "paper", tmp_path)


def test_soup_averages_trunks(tmp_path) -> None:
    from ppma_lib.models.build import build_model
    from ppma_lib.models.checkpoints import encoder_state, save_checkpoint

    assert soup_recipe((0.33, 0.33, 0.33), 3) == pytest.approx([1 / 3] * 3)
    assert soup_recipe((), 2) == [0.5, 0.5]
    with pytest.raises(ConfigError):
        soup_recipe((1.0,), 2)
    cfg = resolve("params/smoke/soup.yaml", {"run.out_root": str(tmp_path), "model.mix_inits": ["a.pt", "b.pt"],
                                             "soup.alphas": [1, 3]})
    trunks = []
    for i, name in enumerate(("a.pt", "b.pt")):
        torch.manual_seed(i)
        trunks.append(build_model(cfg.model, num_frames=cfg.data.num_frames, img_size=cfg.data.crop_size))
        save_checkpoint(tmp_path / name, trunks[-1])
    cfg = resolve("params/smoke/soup.yaml", {"run.out_root": str(tmp_path), "soup.alphas": [1, 3],
                                             "model.mix_inits": [str(tmp_path / "a.pt"), str(tmp_path / "b.pt")]})
    summary = make_soup(cfg)
    assert summary["alphas"] == [0.25, 0.75]
    soup = encoder_state(cfg.run_dir / "last.pt")
    a, b = trunks[0].state_dict(), trunks[1].state_dict()
    key = next(k for k in soup if k.endswith("weight") and soup[k].ndim == 2)
    assert torch.allclose(soup[key], 0.25 * a[key] + 0.75 * b[key], atol=1e-6)


def test_few_label_jobs_train_on_a_seeded_subset(smoke_at, tiny) -> None:
    from ppma_lib.data.lists import per_class_subset, read_list
    from ppma_lib.report.results import parse_run_name

    df = suite.downstream_suite("", ["ucf_like"], ["scratch"], "smoke", PARAMS, smoke_at, progress=False,
                                videos_per_class=[1, 2])
    assert df["run"].tolist() == ["scratch__scratch__ucf_like", "scratch__scratch__ucf_like__vpc1",
                                  "scratch__scratch__ucf_like__vpc2"]
    assert parse_run_name(df["run"].iloc[1])["sweep"] == "videos_per_class"
    full = read_list(tiny / "data" / "ucf" / "train.csv")
    one = read_list(tiny / "out" / "smoke" / "scratch__scratch__ucf_like__vpc1" / "train_list.csv")
    two = read_list(tiny / "out" / "smoke" / "scratch__scratch__ucf_like__vpc2" / "train_list.csv")
    labels = sorted({label for _, label in full})
    assert sorted(label for _, label in one) == labels and len(two) == 2 * len(labels)
    assert set(one) <= set(two) and all(Path(p).is_file() for p, _ in one)  # nested, absolute paths
    assert per_class_subset(full, 1, seed=0) == per_class_subset(full, 1, seed=0) != per_class_subset(full, 1, seed=5)
    assert list(suite.top1_table(df).index) == ["scratch", "scratch, 1 videos/class", "scratch, 2 videos/class"]
    with pytest.raises(ValueError, match="videos_per_class"):
        SuiteConfig(videos_per_class=(0,))


def test_epoch_jobs_fine_tune_intermediate_checkpoints(smoke_at, tiny) -> None:
    from ppma_lib.models.checkpoints import read_checkpoint

    src = {**smoke_at, "train.epochs": 2, "train.ckpt_every": 1}
    pre = suite.downstream_suite("", ["ucf_like"], ["scratch"], "smoke", PARAMS, src, model="scratch_pre", progress=False)
    pre_dir = tiny / "out" / "smoke" / pre["run"].iloc[0]
    assert (pre_dir / "ckpt_0001.pt").is_file()
    ref = f"run:{pre_dir.name}"
    df = suite.downstream_suite(ref, ["ucf_like"], ["finetune"], "smoke", PARAMS, smoke_at, model="m_ep",
                                progress=False, init_epochs=[1])
    assert df["run"].tolist() == ["m_ep__finetune__ucf_like", "m_ep__finetune__ucf_like__ep1"]
    summary = json.loads((tiny / "out" / "smoke" / "m_ep__finetune__ucf_like__ep1" / "summary.json").read_text())
    assert summary["init"] == f"{ref}@ep1" and summary["init_checkpoint"].endswith("ckpt_0001.pt")
    assert read_checkpoint(summary["init_checkpoint"])["epoch"] == 1
    assert list(suite.top1_table(df).index) == ["finetune", "finetune, from epoch 1"]
    with pytest.raises(ConfigError, match="init_epochs"):
        suite.job_config("", "finetune", "ucf_like", "smoke", PARAMS["finetune"], smoke_at, init_epoch=1)
    assert suite.job_config(ref, "finetune", "ucf_like", "smoke", PARAMS["finetune"], smoke_at,
                            init_epoch=1).model.init == f"{ref}@ep1"


def test_category_suites_name_every_run() -> None:
    """PMG Fig. 3c: one pre-training per category count, each fine-tuned as <model>__<eval>__<task>__cat<N>."""
    from ppma_lib.report.results import parse_run_name

    cfg = suite.job_config("run:pmg_cat4", "finetune", "hmdb_like", "smoke", PARAMS["finetune"], model="pmg_c",
                           categories=4)
    assert cfg.run.name == "pmg_c__finetune__hmdb_like__cat4" and cfg.model.init == "run:pmg_cat4"
    assert parse_run_name(cfg.run.name) | {"model": "pmg_c"} == {
        "model": "pmg_c", "eval": "finetune", "task": "hmdb_like", "sweep": "n_categories", "x": 4}
    with pytest.raises(ValueError, match="one sweep"):
        SuiteConfig(categories=4, init_epochs=(2,))
