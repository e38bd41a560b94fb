"""Write params/paper/plan.yaml: every run of ppma_lib/report/experiments.yaml with the papers' recipes.

    .venv/bin/python tools/paper_plan.py      # after editing experiments.yaml or params/paper/_datasets.yaml

Pre-trained models become runs of the experiment notebooks (02 MAE, 03 alignment, 05 soups, 06 PMG); their
downstream evaluations become suites (04) named ``suite_<model>``. A model pre-trained on the FT task's own
data (``ft_videos``, ``ft_frames``) is pre-trained once per task as ``<model>_of_<task>``.
"""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ppma_lib.config import load_yaml  # noqa: E402
from ppma_lib.report import unique_runs  # noqa: E402

DATASETS = load_yaml((ROOT / "params/paper/_datasets.yaml").read_text())
PER_TASK = ("ft_videos", "ft_frames")
SHOWN = {"mae_nohuman", "ppma", "soup_a050_050_000", "pmg_shaders_100k", "suite_ppma"}
NOT_PLANNED: dict[str, str] = {}  # pretrain key -> why such runs are left out of the plan
CATEGORY_GRID = (10, 50, 100, 500, 1000)  # PMG Fig. 3c: the paper does not state its grid


def lists(sets: list[str]) -> dict[str, Any]:
    p = DATASETS["pretrain"]
    return {"data.train_lists": [p[s]["train_list"] for s in sets], "data.val_lists": [p[s]["val_list"] for s in sets],
            "data.source_names": list(sets)}


def task_videos(task: str) -> dict[str, Any]:
    t = DATASETS["tasks"][task]
    return {"data.root": t["root"], "data.train_lists": [t["train_list"]], "data.source_names": [task.removesuffix("_like")]}


def image_source(data: str, task: str | None) -> str:
    if data in ("shaders", "fractaldb", "visualatom"):
        return data
    if data in PER_TASK or data.startswith("frames:"):
        t = data.split(":", 1)[1] if data.startswith("frames:") else task
        return f"folder:{DATASETS['images']['ft_frames']}/{t}"
    return f"folder:{DATASETS['images'][data]}"


def pretrain_runs(name: str, pretrain: dict | None, align: list | None, task: str | None) -> list[dict[str, Any]]:
    """The runs that make model ``name`` (for one task when it pre-trains on that task's data)."""
    runs: list[dict[str, Any]] = []
    if pretrain is None and align is None:
        return runs
    method = (pretrain or {}).get("method")
    if method == "mae":
        stage1 = f"mae_{pretrain['data']}"
        runs.append({"name": stage1, "notebook": "book/02_mae.ipynb", "params": "params/paper/mae.yaml",
                     "overrides": lists([pretrain["data"]]) | {"data.val_lists": []}})
    elif method in ("pmg", "videomae"):
        o: dict[str, Any] = {}
        if method == "pmg":
            o["pmg.image_source"] = image_source(pretrain["data"], task)
            o["pmg.num_images"] = int(pretrain.get("n_images", 10000 if pretrain["data"] not in PER_TASK else 1_000_000))
            for key in ("transforms", "mix"):
                if key in pretrain:
                    o[f"pmg.{key}"] = pretrain[key]
        else:
            src = task_videos(task) if pretrain["data"] in PER_TASK else lists([pretrain["data"]])
            o.update({k: v for k, v in src.items() if k != "data.val_lists"} | {"pmg.enabled": False})
            if "subset" in pretrain:  # PMG Tab. 13: made from the task's train list on first use
                o["data.train_lists"] = [f"data/fd/{task}/{pretrain['subset']}.csv"]
                o["data.root"] = ""  # the subset lists hold paths relative to their own folder
            if "pmg_aug" in pretrain:  # PMG-Aug: the paper gives no ratio; one source drawn per replaced clip
                o["pmg.aug_ratio"] = 0.5
                o["pmg.aug_sources"] = ["frames" if s in PER_TASK else image_source(s, task) for s in pretrain["pmg_aug"]]
                if any(s not in PER_TASK for s in pretrain["pmg_aug"]):  # image banks of n_images each
                    o["pmg.num_images"] = int(pretrain.get("n_images", 10000))
        runs.append({"name": name if align is None else f"{name}_stage1", "notebook": "book/06_pmg.ipynb"
                     if method == "pmg" else "book/02_mae.ipynb", "params": "params/paper/pmg_mae.yaml", "overrides": o})
    elif method == "soup":
        return [{"name": name, "notebook": "book/05_soups.ipynb", "params": "params/paper/soup.yaml",
                 "overrides": {"model.mix_inits": [f"run:{r}" for r in pretrain["of"]], "soup.alphas": pretrain["alphas"]}}]
    if align:
        init = f"run:{runs[-1]['name']}" if runs else ""
        runs.append({"name": name, "notebook": "book/03_align.ipynb", "params": "params/paper/align.yaml",
                     "overrides": lists(align) | {"model.init": init, "run.inputs": [init[4:]] if init else []}})
    return runs


def main() -> None:
    table = unique_runs()
    runs: dict[str, dict[str, Any]] = {}
    suites: list[dict[str, Any]] = []
    skipped: list[str] = []
    for row in table.to_dict("records"):
        name, pretrain, align, evals, tasks = row["name"], row["pretrain"], row["align"], row["eval"], row["tasks"]
        if pretrain and any(k in pretrain for k in NOT_PLANNED):
            skipped.append(f"{name}: {NOT_PLANNED[next(k for k in NOT_PLANNED if k in pretrain)]}")
            continue
        if pretrain and pretrain.get("sweep") == "n_categories":  # Fig. 3c: a pre-training per category count
            for n in CATEGORY_GRID:
                key = "pmg.folder_classes" if pretrain["data"] not in ("shaders", "fractaldb", "visualatom") else "pmg.num_classes"
                for r in pretrain_runs(f"{name}_cat{n}", pretrain, align, None):
                    r["overrides"][key] = n
                    runs.setdefault(r["name"], r)
                suites.append({"name": f"suite_{name}_cat{n}", "notebook": "book/04_downstream.ipynb",
                               "params": "params/paper/downstream.yaml",
                               "overrides": {"model.init": f"run:{name}_cat{n}", "suite.model": name, "suite.tasks": tasks,
                                             "suite.evals": evals, "suite.categories": n}})
            continue
        per_task = bool(pretrain) and pretrain.get("data") in PER_TASK
        groups = [(t, [t]) for t in tasks] if per_task else [(None, tasks)]
        for task, group in groups:
            model = f"{name}_of_{task}" if per_task else name
            made = pretrain_runs(model, pretrain, align, task)
            for r in made:
                runs.setdefault(r["name"], r)
            o: dict[str, Any] = {"suite.model": name, "suite.tasks": group, "suite.evals": evals}
            if pretrain and pretrain.get("method") == "mix":
                o |= {"model.init": "", "model.mix_inits": [f"run:{r}" for r in pretrain["of"]]}
            elif made or pretrain:
                o["model.init"] = f"run:{made[-1]['name'] if made else model}"
            else:
                o["model.init"] = ""
            suites.append({"name": f"suite_{name}_{task}" if per_task else f"suite_{name}", "notebook": "book/04_downstream.ipynb",
                           "params": "params/paper/downstream.yaml", "overrides": o})
    header = [
        "# The `paper` plan: every run of ppma_lib/report/experiments.yaml with the papers' recipes",
        "# (params/paper/*.yaml) on the real datasets of params/paper/_datasets.yaml. GPU; not run here:",
        "#   ppma reproduce --profile paper --dry-run          # what would run",
        "#   ppma reproduce --profile paper --only 'suite_ppma' # one model and what it needs",
        "# Written by tools/paper_plan.py; re-generate it rather than editing by hand.",
    ] + [f"# not planned: {s}" for s in skipped]
    # beyond the papers (book/results/beyond_data_free): PPMA without collected data - stage 1 MAE (PPMA's
    # random 0.9 masking) on PMG shader videos, stage 2 alignment on the synthetic set alone
    runs["dcf_mae_shaders"] = {"name": "dcf_mae_shaders", "notebook": "book/06_pmg.ipynb", "params": "params/paper/pmg_mae.yaml",
                               "overrides": {"model.mask_type": "random", "model.mask_ratio": 0.9, "pmg.num_images": 100000}}
    runs["dcf_ppma"] = {"name": "dcf_ppma", "notebook": "book/03_align.ipynb", "params": "params/paper/align.yaml",
                        "overrides": lists(["synthetic"]) | {"model.init": "run:dcf_mae_shaders", "run.inputs": ["dcf_mae_shaders"]}}
    for model in ("dcf_mae_shaders", "dcf_ppma"):
        suites.append({"name": f"suite_{model}", "notebook": "book/04_downstream.ipynb", "params": "params/paper/downstream.yaml",
                       "overrides": {"model.init": f"run:{model}", "suite.model": model}})
    # PMG Fig. 4: the same fine-tunings on 1 ... 50 train videos per class (suite.videos_per_class)
    for model, per_task in (("pmg_shaders_100k", False), ("videomae_ft_videos", True)):
        for task in ("ucf_like", "hmdb_like"):
            init = f"run:{model}_of_{task}" if per_task else f"run:{model}"
            full = f"suite_{model}_{task}" if per_task else f"suite_{model}"  # its full-set job: not both at once
            suites.append({"name": f"suite_{model}_{task}_few_label", "notebook": "book/04_downstream.ipynb",
                           "params": "params/paper/downstream.yaml", "after": [full],
                           "overrides": {"model.init": init, "suite.model": model, "suite.tasks": [task],
                                         "suite.evals": ["finetune"], "suite.videos_per_class": [1, 5, 10, 25, 50]}})
    # PMG Fig. 3a: HMDB51 fine-tunings from the checkpoints every 200 of the 2,000 pre-training epochs
    for model, init, full in (("pmg_shaders_10k", "pmg_shaders_10k", "suite_pmg_shaders_10k"),
                              ("pmg_frames", "pmg_frames_of_hmdb_like", "suite_pmg_frames_hmdb_like")):
        suites.append({"name": f"suite_{model}_hmdb_like_epochs", "notebook": "book/04_downstream.ipynb",
                       "params": "params/paper/downstream.yaml", "after": [full],
                       "overrides": {"model.init": f"run:{init}", "suite.model": model, "suite.tasks": ["hmdb_like"],
                                     "suite.evals": ["finetune"], "suite.init_epochs": list(range(200, 2000, 200))}})
    # the run whose executed notebook the book shows for each experiment notebook (the others are in outputs/)
    for r in [*runs.values(), *suites]:
        if r["name"] in SHOWN:
            r["show"] = True
    quickstart = {"name": "quickstart", "notebook": "book/00_quickstart.ipynb", "params": "params/paper/mae.yaml",
                  "overrides": {"run.name": "quickstart"}, "show": True}
    # micro-benchmarks at their defaults: the paper's sizes (ViT-B, 16 x 224^2), on the GPU when there is one
    benches = [{"name": name, "args": []} for name in ("data", "pmg", "train", "privacy")]
    doc = {"runs": [quickstart, *runs.values(), *suites], "benches": benches,
           "chapters": sorted(str(p.relative_to(ROOT)) for p in (ROOT / "book/results").glob("*.ipynb"))
           + ["book/appendix/performance.ipynb"]}
    text = "\n".join(header) + "\n" + yaml.safe_dump(doc, sort_keys=False, width=140)
    (ROOT / "params/paper/plan.yaml").write_text(text)
    print(f"{len(runs)} pre-training runs, {len(suites)} suites, {len(skipped)} not planned -> params/paper/plan.yaml")


if __name__ == "__main__":
    main()
