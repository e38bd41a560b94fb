"""The downstream suite (PPMA §4, App. A.2): evaluate one pre-trained model on many (eval, task) pairs.

Each pair is an ordinary training run named ``<model>__<eval>__<task>`` (``scratch__scratch__<task>``
for the from-scratch baseline), run in-process one after the other: one Python process and one set of
imports for the whole suite. A pair whose ``summary.json`` exists, whose ``params.resolved.yaml`` equals
the new resolved config and which is newer than its initial checkpoints is skipped, so re-running a
suite after adding a task trains only the new pairs.

    df = downstream_suite("run:ppma", ["ucf_like", "hmdb_like"], ["finetune", "linear_probe"], "mini",
                          {"finetune": "params/mini/finetune.yaml", "linear_probe": "params/mini/linear_probe.yaml"})
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Mapping, Sequence

import pandas as pd

from ppma_lib.config import ConfigError, Experiment, clear_stale_run, load_yaml, make_run_dir, params_match, resolve
from ppma_lib.jobs.data import PROFILE_DATA, data_root, ensure_inputs, task_folder, task_lists

DATASETS_FILE = "params/{profile}/_datasets.yaml"  # profiles with real datasets: where each task lives


def run_name(model: str, eval_: str, task: str) -> str:
    """The naming contract of the result chapters: ``<model>__<eval>__<task>``; a scratch run is named after
    its recipe (``scratch``, or ``scratch_videomae`` when the suite's model is so named)."""
    if eval_ == "scratch" and not model.startswith("scratch"):
        model = "scratch"
    return f"{model}__{eval_}__{task}"


def model_name(ref: str) -> str:
    """``run:ppma`` -> ``ppma``; a checkpoint path -> its file stem."""
    return ref[4:] if ref.startswith("run:") else Path(ref).stem


def task_data(task: str, profile: str, root: str | Path = ".") -> dict[str, Any]:
    """Dotted overrides pointing the data section at one task's lists.

    smoke / mini: the MiniSynAPT folder of the task; other profiles: ``params/<profile>/_datasets.yaml``
    (``tasks: {<task>: {root, train_list, val_list}}``), the file a paper-profile user edits.
    """
    if profile in PROFILE_DATA:
        train, val = task_lists(task, data_root(profile))
        return {"data.root": "", "data.train_lists": [train], "data.val_lists": [val],
                "data.source_names": [task_folder(task)]}
    path = Path(root) / DATASETS_FILE.format(profile=profile)
    if not path.is_file():
        raise ConfigError(f"{path} is missing: it names each downstream task's dataset root and lists")
    tasks = (load_yaml(path.read_text()) or {}).get("tasks", {})
    if task not in tasks:
        raise ConfigError(f"{path}: no entry for task '{task}' under 'tasks' (has {sorted(tasks)})")
    t = tasks[task]
    return {"data.root": t.get("root", ""), "data.train_lists": [t["train_list"]], "data.val_lists": [t["val_list"]],
            "data.source_names": [task_folder(task)]}


def sweep_suffix(videos_per_class: int | None = None, init_epoch: int | None = None, categories: int = 0) -> str:
    """The run-name part of a sweep point: ``__vpc<N>`` (Fig. 4), ``__ep<N>`` (Fig. 3a), ``__cat<N>`` (Fig. 3c)."""
    return (f"__vpc{videos_per_class}" if videos_per_class else f"__ep{init_epoch}" if init_epoch
            else f"__cat{categories}" if categories else "")


def suite_run_names(cfg: Experiment) -> list[str]:
    """Every run a suite job (``cfg.suite`` on ``cfg.model.init``) writes, few-label and epoch variants included."""
    s = cfg.suite
    model = s.model or model_name(cfg.model.init)
    sweeps = [sweep_suffix(categories=s.categories), *(sweep_suffix(videos_per_class=n) for n in s.videos_per_class),
              *(sweep_suffix(init_epoch=n) for n in s.init_epochs)]
    return [run_name(model, e, t) + x for e in s.evals for t in s.tasks for x in sweeps]


FEW_LABEL_LIST = "train_list.csv"  # a few-label job's subset of the task's train list, in its run directory


def job_config(model_ref: str, eval_: str, task: str, profile: str, params_file: str | Path,
               overrides: Mapping[str, Any] | None = None, model: str | None = None,
               videos_per_class: int | None = None, init_epoch: int | None = None,
               categories: int = 0) -> Experiment:
    """The resolved config of one (eval, task) job of a suite; with ``videos_per_class`` the job trains on
    ``<run dir>/train_list.csv`` (written by :func:`write_few_label_list`) and its name ends in ``__vpc<N>``;
    with ``init_epoch`` it starts from ``ckpt_<N>.pt`` of the ``run:<name>`` it fine-tunes (``__ep<N>``); with
    ``categories`` (its init was pre-trained on N image categories) the name ends in ``__cat<N>``."""
    name = model or model_name(model_ref)
    init = {"model.init": ""} if eval_ in ("scratch", "mix_probe") else {"model.init": model_ref}
    if init_epoch:
        if not model_ref.startswith("run:") or eval_ in ("scratch", "mix_probe"):
            raise ConfigError(f"suite.init_epochs fine-tunes checkpoints of a run:<name> model.init, got {model_ref!r}")
        init = {"model.init": f"{model_ref}@ep{init_epoch}"}
    suffix = sweep_suffix(videos_per_class, init_epoch, categories)
    few = {"train.drop_last": False} if videos_per_class else {}  # 1 video per class can be less than a batch
    job = {**task_data(task, profile), **init, **few, **dict(overrides or {}),
           "run.name": run_name(name, eval_, task) + suffix, "run.task": eval_, "run.profile": profile,
           "train.progress": False}  # the suite's own bar replaces the per-run bars
    cfg = resolve(params_file, job)
    if videos_per_class:
        cfg = resolve(params_file, {**job, "data.train_lists": [str(cfg.run_dir / FEW_LABEL_LIST)]})
    return cfg


def write_few_label_list(full: Experiment, few: Experiment, videos_per_class: int) -> Path:
    """``few``'s train list: ``videos_per_class`` videos of each class of ``full``'s (one list), seeded by
    the run seed, with absolute paths so they resolve wherever the subset list lives."""
    from ppma_lib.data.lists import per_class_subset, read_list, write_list

    (src,) = full.data.train_lists
    base = Path(full.data.root) if full.data.root else Path(src).parent
    items = [(str((base / rel).resolve()), label) for rel, label in read_list(src, full.data.list_format)]
    return write_list(few.data.train_lists[0], per_class_subset(items, videos_per_class, full.run.seed))


def up_to_date(cfg: Experiment) -> bool:
    """summary.json exists, params.resolved.yaml equals ``cfg``'s, and both are newer than the inputs."""
    from ppma_lib.train.state import resolve_init

    summary = cfg.run_dir / "summary.json"
    if not (summary.is_file() and params_match(cfg)):
        return False
    inits = [p for p in (resolve_init(r, cfg.run.out_root, cfg.run.profile) for r in (cfg.model.init, *cfg.model.mix_inits)
                         if r) if p is not None]
    return all(summary.stat().st_mtime >= p.stat().st_mtime for p in inits)


def mixing_beta(run_dir: Path) -> float:
    """mix_probe: the learned weight of the *last* trunk of model.mix_inits (PPMA Tab. 6: the synthetic share),
    averaged over tensors for ``per_tensor`` mixing."""
    from ppma_lib.models.checkpoints import read_checkpoint

    logits = read_checkpoint(run_dir / "last.pt")["model"]["mixing_logits"]
    return float(logits.float().softmax(-1)[:, -1].mean())


def downstream_suite(
    model_ref: str,
    tasks: Sequence[str],
    evals: Sequence[str],
    profile: str,
    base_params: Mapping[str, str],
    overrides: Mapping[str, Any] | None = None,
    model: str | None = None,
    progress: bool = True,
    videos_per_class: Sequence[int] = (),
    init_epochs: Sequence[int] = (),
    categories: int = 0,
) -> pd.DataFrame:
    """Run (or reuse) one fit per (eval, task); one row per job: run, eval, task, status, top1, seconds (, beta).

    Args:
        model_ref: ``run:<name>`` or a checkpoint path: every job's ``model.init`` (not scratch / mix_probe;
            mix_probe mixes the trunks of ``model.mix_inits``, from its params file or ``overrides``).
        base_params: eval -> params file (the recipe of that protocol, e.g. ``params/mini/finetune.yaml``).
        overrides: dotted keys applied to every job.
        model: the name in run names (default: from ``model_ref``).
        videos_per_class: also run every pair on that many train videos per class (``__vpc<N>``, PMG Fig. 4).
        init_epochs: also fine-tune from the init run's checkpoint of each epoch (``__ep<N>``, PMG Fig. 3a).
        categories: the init was pre-trained on this many image categories: every run is ``__cat<N>`` (Fig. 3c).
    """
    from tqdm.auto import tqdm

    from ppma_lib.train.loop import fit
    from ppma_lib.train.state import write_json

    missing = [e for e in evals if e not in base_params]
    if missing:
        raise ConfigError(f"no params file for eval(s) {missing}: pass base_params={{eval: params file}}")
    if categories and (videos_per_class or init_epochs):
        raise ConfigError("categories names a suite of its own: no videos_per_class / init_epochs with it")
    variants = [(None, None), *((n, None) for n in videos_per_class), *((None, ep) for ep in init_epochs)]
    jobs = [(e, t, n, ep) for e in evals for t in tasks for n, ep in variants]
    rows = []
    bar = tqdm(jobs, desc=f"suite {model or model_name(model_ref)}", unit="run", disable=not progress)
    for eval_, task, vpc, ep in bar:
        full = job_config(model_ref, eval_, task, profile, base_params[eval_], overrides, model, categories=categories)
        cfg = (job_config(model_ref, eval_, task, profile, base_params[eval_], overrides, model, vpc, ep)
               if vpc or ep else full)
        bar.set_postfix_str(cfg.run.name)
        row: dict[str, Any] = {"run": cfg.run.name, "eval": eval_, "task": task, "videos_per_class": vpc,
                               "init_epoch": ep}
        if up_to_date(cfg):
            summary = json.loads((cfg.run_dir / "summary.json").read_text())
            row["status"] = "up to date"
        else:
            ensure_inputs(full)
            clear_stale_run(cfg)
            make_run_dir(cfg)
            if vpc:
                write_few_label_list(full, cfg, vpc)
            summary = fit(cfg)
            if eval_ == "mix_probe":
                summary["beta"] = mixing_beta(cfg.run_dir)
                write_json(summary, cfg.run_dir / "summary.json")
            row["status"] = "ran"
        row.update(top1=summary.get("top1"), beta=summary.get("beta"), seconds=summary.get("wall_time_s"))
        rows.append(row)
    df = pd.DataFrame(rows)
    drop = [c for c in ("beta", "videos_per_class", "init_epoch") if c in df and df[c].isna().all()]
    return df.drop(columns=drop)


def run_suite(cfg: Experiment) -> pd.DataFrame:
    """The suite job of ``book/04_downstream.ipynb``: ``cfg.suite`` on ``cfg.model.init`` (+ ``mix_inits``)."""
    s = cfg.suite
    if not s.tasks or not s.evals:
        raise ConfigError("suite.tasks and suite.evals name the (eval, task) pairs to run")
    run_dir = make_run_dir(cfg)
    extra = dict(s.overrides)
    if cfg.model.mix_inits:
        extra.setdefault("model.mix_inits", list(cfg.model.mix_inits))
    df = downstream_suite(cfg.model.init, s.tasks, s.evals, cfg.run.profile, s.params, extra,
                          model=s.model or None, progress=cfg.train.progress, videos_per_class=s.videos_per_class,
                          init_epochs=s.init_epochs, categories=s.categories)
    df.to_csv(run_dir / "suite.csv", index=False)
    (run_dir / "summary.json").write_text(json.dumps(
        {"run": cfg.run.name, "task": "suite", "model": s.model or model_name(cfg.model.init),
         "jobs": df.to_dict("records")}, indent=2, default=str) + "\n")
    return df


def top1_table(df: pd.DataFrame) -> pd.DataFrame:
    """Suite rows -> top-1 (%) with one row per eval (and videos per class) and one column per task, plus their
    average."""
    for col, label in (("videos_per_class", "{e}, {n} videos/class"), ("init_epoch", "{e}, from epoch {n}")):
        if col in df:
            df = df.assign(eval=[e if pd.isna(n) else label.format(e=e, n=int(n)) for e, n in zip(df["eval"], df[col])])
    table = df.pivot(index="eval", columns="task", values="top1")
    table = table[[t for t in dict.fromkeys(df["task"])]]
    table["average"] = table.mean(axis=1)
    return table.round(1)
