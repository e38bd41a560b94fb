"""Our numbers in the papers' tables: run summaries -> the same rows and columns as ``paper_table``.

Run names (the plan of runs follows this convention)
----------------------------------------------------
Every run writes ``outputs/<profile>/<run>/summary.json`` (:mod:`ppma_lib.train`). A *pre-trained
model* is a run named as in ``experiments.yaml`` (``ppma``, ``mae_nohuman``, ``soup_a050_050_000``,
``pmg_shaders_100k``, ...). Its downstream evaluations are runs named::

    <model>__<eval>__<task>[__<sweep><value>]        double underscores between the parts

- ``eval``: finetune | linear_probe | scratch | mix_probe. A ``scratch`` run's model is the name of
  its recipe: ``scratch`` (PPMA's) or ``scratch_videomae`` (VideoMAE's, PMG Tab. 10/12).
- ``task``: a MiniSynAPT task key (``ucf_like`` ... ``uav_like``, the papers' UCF101 ... UAV-Human)
  or ``k400`` (PMG Tab. 12).
- ``sweep`` (PMG figures only): ``ep<N>`` fine-tuned from the pre-training checkpoint of epoch N
  (Fig. 3a), ``cat<N>`` pre-trained on images of N categories (Fig. 3c), ``vpc<N>`` fine-tuned on N
  training videos per class (Fig. 4).
- ``summary.json`` holds ``top1`` (also ``top5``, ``mean_class_top1``); a mix_probe also holds
  ``beta``, the learned share in [0, 1] of the LAST trunk of ``model.mix_inits`` (PPMA Tab. 6: the
  Synthetic-aligned trunk), or ``mix_weights`` (K shares, or one row of K per tensor).

Example: ``ppma__linear_probe__diving_like``, ``mix_beta__mix_probe__uav_like``,
``pmg_shaders_100k__finetune__hmdb_like__vpc5``. PMG Tab. 5 reads ``pmg_frames_of_<t>`` on task
``<t>`` from ``pmg_frames`` on ``<t>`` when the former does not exist (the same pre-training).

How a paper row becomes ours: its ``run`` names the model; the eval is the run's protocol in
``experiments.yaml`` that matches the row's FT/LP (FT -> finetune or scratch, LP -> linear_probe or
mix_probe); every task column takes ``top1`` of ``<run>__<eval>__<task>``. ``average`` is the mean of
our six tasks only when all six exist; Tab. 2's ``delta`` is the difference to alignment only on the
same data. Rows without a run (numbers quoted from other work) stay NaN.
"""
from __future__ import annotations

import json
import math
import re
import warnings
from pathlib import Path
from typing import Any, Iterable, Mapping

import numpy as np
import pandas as pd

from ppma_lib.report.papers import TASKS, compare, experiments, paper_numbers, paper_table, table_info, task_names

EVALS = ("finetune", "linear_probe", "scratch", "mix_probe")
SWEEPS = {"ep": "epochs", "cat": "n_categories", "vpc": "videos_per_class"}  # name suffix -> x variable
PROTOCOLS = {"FT": ("finetune", "scratch"), "LP": ("linear_probe", "mix_probe")}  # paper eval -> ours
COLUMNS = [
    "run", "model", "eval", "task", "sweep", "x", "train_task", "top1", "top5", "mean_class_top1", "beta",
    "epochs", "wall_time_s", "clips_per_s", "params_total", "final_loss", "init", "path",
]
SIDES = ("ours", "paper", "diff")
_NAME = re.compile(r"^(?P<model>.+?)__(?P<eval>[a-z_]+?)__(?P<task>[a-z0-9_]+?)(?:__(?P<sweep>[a-z]+)(?P<x>\d+))?$")


# --------------------------------------------------------------------------------------------------
# runs on disk
# --------------------------------------------------------------------------------------------------
def parse_run_name(name: str) -> dict[str, Any]:
    """``"ppma__finetune__ucf_like"`` -> model, eval, task, sweep, x; a name outside the convention
    (a pre-training run) -> ``{"model": name}`` with the other fields None."""
    m = _NAME.match(name)
    if m is None or m["eval"] not in EVALS or (m["sweep"] and m["sweep"] not in SWEEPS):
        return {"model": name, "eval": None, "task": None, "sweep": None, "x": None}
    return {"model": m["model"], "eval": m["eval"], "task": m["task"],
            "sweep": SWEEPS[m["sweep"]] if m["sweep"] else None, "x": int(m["x"]) if m["x"] else None}


def _beta(summary: Mapping[str, Any]) -> float:
    """The learned share of the last trunk: ``beta``, or the last column of ``mix_weights``."""
    value = summary.get("beta", summary.get("mix_weights"))
    while isinstance(value, (list, tuple)) and value and isinstance(value[0], (list, tuple)):
        value = [sum(col) / len(col) for col in zip(*value)]  # per-tensor rows -> mean row
    if isinstance(value, (list, tuple)):
        value = value[-1] if value else None
    return float(value) if isinstance(value, (int, float)) else math.nan


def collect(profile: str, root: str | Path | None = None) -> pd.DataFrame:
    """Every ``outputs/<profile>/*/summary.json`` as one row (columns :data:`COLUMNS`).

    ``root`` is the repository root (default: found from the working directory). An empty frame with
    the same columns when nothing ran; an unreadable summary is skipped with a warning.
    """
    from ppma_lib.book import find_root

    base = Path(root) if root is not None else find_root()
    rows = []
    for path in sorted((base / "outputs" / profile).glob("*/summary.json")):
        try:
            s = json.loads(path.read_text())
        except (OSError, ValueError) as exc:
            warnings.warn(f"skipping unreadable {path}: {exc}", stacklevel=2)
            continue
        name = path.parent.name
        rows.append({
            "run": name, **parse_run_name(name), "train_task": s.get("task"),
            **{k: s.get(k) for k in ("top1", "top5", "mean_class_top1", "epochs", "wall_time_s", "clips_per_s",
                                     "params_total", "final_loss")},
            "beta": _beta(s), "init": s.get("init"), "path": str(path.parent),
        })
    df = pd.DataFrame.from_records(rows, columns=COLUMNS)
    numeric = ["x", "top1", "top5", "mean_class_top1", "beta", "epochs", "wall_time_s", "clips_per_s",
               "params_total", "final_loss"]
    return df.astype({c: "float64" for c in numeric})


class _Runs:
    """(model, eval, task, sweep, x) -> one collected row."""

    def __init__(self, runs: pd.DataFrame) -> None:
        self._rows: dict[tuple, Mapping[str, Any]] = {}
        for r in runs[runs["eval"].notna()].to_dict("records"):
            x = None if pd.isna(r["x"]) else int(r["x"])
            sweep = None if pd.isna(r["sweep"]) else r["sweep"]  # pandas 3 str columns: missing = NaN
            self._rows[(r["model"], r["eval"], r["task"], sweep, x)] = r

    def get(self, model: str, ev: str, task: str, sweep: str | None = None, x: Any = None) -> Mapping[str, Any]:
        x = None if x is None or pd.isna(x) else int(x)
        row = self._rows.get((model, ev, task, sweep, x))
        if row is None and model == f"pmg_frames_of_{task}":  # PMG Tab. 5: the same pre-training
            row = self._rows.get(("pmg_frames", ev, task, sweep, x))
        return row or {}

    def value(self, *key: Any, field: str = "top1") -> float:
        """A number of the run with this key (``top1`` by default); NaN when the run or field is missing."""
        value = self.get(*key).get(field)
        return math.nan if value is None else float(value)


# --------------------------------------------------------------------------------------------------
# paper rows -> our rows
# --------------------------------------------------------------------------------------------------
def _table_runs(paper: str, table: str) -> dict[str, dict[str, Any]]:
    """run name -> its entry (eval list, tasks) in ``experiments.yaml`` for this table."""
    spec = experiments().get(paper, {}).get(table, {})
    return {r["name"]: r for r in spec.get("runs", [])}


def protocol(paper_eval: Any, run_evals: Iterable[str]) -> str:
    """The eval of our run for a paper row: FT -> finetune or scratch, LP -> linear_probe or mix_probe,
    whichever the run has; a table without FT/LP takes the run's first eval."""
    run_evals = list(run_evals) or ["finetune"]
    candidates = PROTOCOLS.get(paper_eval) if isinstance(paper_eval, str) else None
    if candidates is None:
        return run_evals[0]
    return next((e for e in candidates if e in run_evals), candidates[0])


def _fill(ref: pd.DataFrame, values: list[str], table_runs: Mapping[str, Mapping[str, Any]],
          runs: _Runs) -> pd.DataFrame:
    """``ref`` (paper-shaped rows with a ``run`` column) with the value columns replaced by ours."""
    out = ref.copy()
    for v in values:
        out[v] = math.nan
    for meta in ("derived_from", "approx", "note"):
        if meta in out:
            out[meta] = None
    for i, row in ref.iterrows():
        run = row.get("run")
        if not isinstance(run, str):
            continue  # quoted from other work
        spec = table_runs.get(run, {})
        ev = protocol(row.get("eval"), spec.get("eval", []))
        default_task = (spec.get("tasks") or [None])[0]
        for v in values:
            out.at[i, v] = _cell(row, v, run, ev, default_task, runs)
    if "delta" in values:
        out["delta"] = _delta_to_align_only(out)
    return out


def _cell(row: Mapping[str, Any], column: str, run: str, ev: str, default_task: str | None, runs: _Runs) -> float:
    if "quantity" in row and column in TASKS:  # PPMA Tab. 6: the learned beta, in percent
        beta = runs.value(run, ev, column, field="beta")
        return 100 * (1 - beta) if "1 - beta" in str(row["quantity"]) else 100 * beta
    if column in TASKS:
        return runs.value(run, ev, column)
    if column == "average":
        scores = [runs.value(run, ev, t) for t in TASKS]
        return math.nan if any(math.isnan(s) for s in scores) else sum(scores) / len(scores)
    if column in ("k400_top1", "k400_top5"):
        return runs.value(run, ev, "k400", field=column.removeprefix("k400_"))
    if column == "top1":  # figure rows: one point of a curve
        task = row.get("downstream") if isinstance(row.get("downstream"), str) else default_task
        if "videos_per_class" in row:
            return runs.value(run, ev, task, "videos_per_class", row["videos_per_class"])
        if row.get("x_name") in ("epochs", "n_categories"):
            x = row.get("x")
            return math.nan if x is None or pd.isna(x) else runs.value(run, ev, task, row["x_name"], x)
        return runs.value(run, ev, task)
    return math.nan  # delta (below), or numbers no training run makes (PPMA App. B)


def _delta_to_align_only(df: pd.DataFrame) -> pd.Series:
    """PPMA Tab. 2: average minus the 'alignment only' average on the same pre-training data."""
    data = df["stage1_mae"].where(df["stage1_mae"] != "none", df["stage2_align"])
    base = df[df["stage1_mae"] == "none"].set_index(["stage2_align", "eval"])["average"]
    ref = [base.get((d, e), math.nan) if s != "none" else math.nan
           for d, e, s in zip(data, df["eval"], df["stage1_mae"])]
    return df["average"] - pd.Series(ref, index=df.index, dtype="float64")


def ours_table(paper: str, table: str, profile: str = "smoke", *, runs: pd.DataFrame | None = None,
               root: str | Path | None = None) -> pd.DataFrame:
    """Our numbers in the shape of ``paper_table(paper, table)``: same rows, same columns.

    Value cells come from :func:`collect` (or ``runs``, a frame like it); NaN where we have no run.
    """
    info = table_info(paper, table)
    runs = collect(profile, root) if runs is None else runs
    return _fill(paper_table(paper, table), info["values"], _table_runs(paper, table), _Runs(runs))


def tasks_ran(ours: pd.DataFrame) -> list[str]:
    """The tasks every row with a number of ours has: what a profile that runs fewer than six tasks
    (mini runs two) can average over. [] when no row has one."""
    present = [t for t in TASKS if t in ours]
    rows = ours[present].notna().any(axis=1) if present else pd.Series(False, index=ours.index)
    return [t for t in present if rows.any() and ours.loc[rows, t].notna().all()]


def _with_average_ran(ours: pd.DataFrame, ref: pd.DataFrame, values: list[str],
                      attrs: dict[str, Any]) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """Add ``average_ran`` after ``average`` when we ran some but not all six tasks: the mean over
    :func:`tasks_ran`, for ours and for the paper's numbers of the same tasks (a like-for-like mean,
    never shown as the paper's six-task average)."""
    ran = tasks_ran(ours) if "average" in values else []
    if not ran or len(ran) == len(TASKS):
        return ours, ref, values
    attrs["tasks_ran"] = ran
    ours = ours.assign(average_ran=ours[ran].mean(axis=1, skipna=False))
    has_tasks = set(ran) <= set(ref.columns)  # an average-only table gives no per-task numbers to average
    ref = ref.assign(average_ran=ref[ran].mean(axis=1, skipna=False) if has_tasks else math.nan)
    if "delta" in values and ours["average"].isna().all():  # Tab. 2's gain, on the tasks we ran
        ours = ours.assign(delta=_delta_to_align_only(ours.assign(average=ours["average_ran"])))
    i = values.index("average") + 1
    return ours, ref, [*values[:i], "average_ran", *values[i:]]


def _side_by_side(ours: pd.DataFrame, ref: pd.DataFrame, keys: list[str], values: list[str],
                  attrs: dict[str, Any]) -> pd.DataFrame:
    ours, ref, values = _with_average_ran(ours, ref, values, attrs)
    sbs = compare(ours, ref, on=keys, value_cols=values)
    sbs.insert(len(keys), "run", ref["run"].to_numpy() if "run" in ref else None)
    sbs.attrs.update(attrs, keys=keys, values=values)
    return sbs


def side_by_side(paper: str, table: str, profile: str = "smoke", *, runs: pd.DataFrame | None = None,
                 root: str | Path | None = None) -> pd.DataFrame:
    """Ours, the paper's and their difference per value: key columns, ``run``, then ``<v>_ours``,
    ``<v>_paper``, ``<v>_diff`` (:func:`ppma_lib.report.compare`), in the paper's row order.
    ``attrs`` carries paper, table, profile, keys and values for :func:`styled` and the findings."""
    info = table_info(paper, table)
    ref = paper_table(paper, table)
    values = info["values"]
    if "average" in values and not set(values) & set(TASKS):  # an average-only table (PPMA Tab. 2): our
        values = [*values, *TASKS]  # per-task numbers too, so a profile that runs fewer tasks can average them
    runs = collect(profile, root) if runs is None else runs
    ours = _fill(ref, values, _table_runs(paper, table), _Runs(runs))
    return _side_by_side(ours, ref, info["keys"], info["values"],
                         {"paper": paper, "table": table, "profile": profile, "title": info["title"]})


# --------------------------------------------------------------------------------------------------
# long frames for figures
# --------------------------------------------------------------------------------------------------
STRATEGIES = {"Align": "Align only", "MAE": "MAE only", "MAE+Align": "MAE+Align"}


def stage_ablation(eval: str = "FT", profile: str = "smoke", *, runs: pd.DataFrame | None = None,
                   root: str | Path | None = None) -> pd.DataFrame:
    """PPMA Fig. 4 (``eval="FT"``) / Fig. 7 (``"LP"``) in long form for seaborn.

    Columns: pretrain (Kinetics, NH Kinetics, Synthetic), strategy (Align only, MAE only, MAE+Align),
    task (the papers' dataset names, then ``Average``), top1, source (ours | paper).
    """
    table = {"FT": "fig4", "LP": "fig7"}[eval]
    names = {**task_names(), "average": "Average"}
    frames = []
    for source, df in (("ours", ours_table("ppma", table, profile, runs=runs, root=root)),
                       ("paper", paper_table("ppma", table))):
        long = df.melt(id_vars=["pretrain", "strategy"], value_vars=list(names), var_name="task", value_name="top1")
        frames.append(long.assign(source=source))
    out = pd.concat(frames, ignore_index=True)
    out["strategy"] = out["strategy"].map(STRATEGIES)
    out["task"] = out["task"].map(names)
    return out


def _paper_point(paper: str, run: str, task: str) -> float:
    """The paper's number for (run, task) from any of its tables (e.g. PMG Tab. 6/7 for Fig. 3b)."""
    for table in paper_numbers()[paper]:
        df = paper_table(paper, table)
        if "run" in df and task in df and table_info(paper, table)["kind"] == "table":
            hit = df.loc[df["run"] == run, task].dropna()
            if len(hit):
                return float(hit.iloc[0])
    return math.nan


def _init_epochs(init: Any, runs: pd.DataFrame) -> float | None:
    """Pre-training epochs of a ``run:<name>`` init among the collected runs (None if unknown)."""
    from ppma_lib.config import run_ref

    if not isinstance(init, str) or not init.startswith("run:") or run_ref(init)[1] is not None:
        return None
    hit = runs.loc[runs["run"] == run_ref(init)[0], "epochs"].dropna()
    return float(hit.iloc[0]) if len(hit) else None


def curves(figure: str, profile: str = "smoke", *, runs: pd.DataFrame | None = None,
           root: str | Path | None = None) -> pd.DataFrame:
    """PMG Fig. 3 (``"fig3"``) or Fig. 4 (``"fig4"``) in long form: one row per point.

    Columns: panel (Fig. 3: a epochs, b images, c categories; Fig. 4: the downstream task), series
    (the pre-training), x_name, x, task, top1, source (ours | paper). The paper's figures give no
    values; its points come from tables with the same run (Fig. 3b: Tab. 6 and 7 at 10k and 100k).
    """
    runs = collect(profile, root) if runs is None else runs
    ref = paper_table("pmg", figure)
    specs = _table_runs("pmg", figure)
    points = []
    for row in ref.to_dict("records"):
        run = row["run"]
        task = row.get("downstream") if isinstance(row.get("downstream"), str) else specs[run]["tasks"][0]
        ev = protocol(None, specs[run]["eval"])
        base = {"series": row.get("pretrain"), "task": task}
        if figure == "fig4":
            base.update(panel=task, x_name="videos_per_class", x=row["videos_per_class"])
        else:
            base.update(panel=row["panel"], x_name=row["x_name"], x=row["x"])
        mine = runs[(runs["model"] == run) & (runs["eval"] == ev) & (runs["task"] == task)]
        if base["x_name"] in ("epochs", "n_categories", "videos_per_class"):  # a sweep over fine-tunings
            if base["x_name"] == "epochs":  # the last point: the fine-tuning from the finished pre-training
                points += [{**base, "x": e, "top1": r["top1"], "source": "ours"} for r in
                           mine[mine["sweep"].isna()].to_dict("records") if (e := _init_epochs(r["init"], runs))]
            mine = mine[mine["sweep"] == base["x_name"]]
            if pd.notna(base["x"]):
                mine = mine[mine["x"] == base["x"]]
            points += [{**base, "x": r["x"], "top1": r["top1"], "source": "ours"} for r in mine.to_dict("records")]
        else:  # one model per point (Fig. 3b: n_images)
            mine = mine[mine["sweep"].isna()]
            points += [{**base, "top1": r["top1"], "source": "ours"} for r in mine.to_dict("records")]
            points.append({**base, "top1": _paper_point("pmg", run, task), "source": "paper"})
    cols = ["panel", "series", "x_name", "x", "task", "top1", "source"]
    out = pd.DataFrame.from_records(points, columns=cols).drop_duplicates()
    out = out.dropna(subset=["top1"]).astype({"x": "float64", "top1": "float64"})
    return out.sort_values(["panel", "series", "source", "x"], ignore_index=True)


# --------------------------------------------------------------------------------------------------
# beyond the papers: fully data-collection-free PPMA
# --------------------------------------------------------------------------------------------------
BEYOND = {  # run -> (row label, eval protocols); evaluated on the six tasks like the PPMA tables
    "dcf_mae_shaders": ("MAE on PMG shader videos", ["finetune", "linear_probe"]),
    "dcf_ppma": ("Data-collection-free PPMA", ["finetune", "linear_probe"]),
    "mae_synthetic_align_synthetic": ("MAE-Align w/ Synthetic", ["finetune", "linear_probe"]),
    "ppma": ("PPMA (ours)", ["finetune", "linear_probe"]),
    "scratch": ("Scratch", ["scratch"]),
}


def beyond_data_free(profile: str = "smoke", *, runs: pd.DataFrame | None = None,
                     root: str | Path | None = None) -> pd.DataFrame:
    """Side by side for the fully data-collection-free PPMA: stage 1 MAE on pseudo-motion videos of
    procedural shaders (``dcf_mae_shaders``), stage 2 alignment on ``synthetic`` (``dcf_ppma``),
    against PPMA, MAE-Align w/ Synthetic and scratch. Paper columns: PPMA Tab. 1 where it has the row."""
    runs = collect(profile, root) if runs is None else runs
    tab1 = paper_table("ppma", "tab1")
    values = [*TASKS, "average"]
    rows = []
    for run, (label, evals) in BEYOND.items():
        for paper_eval in ("FT", "LP"):
            if not any(e in evals for e in PROTOCOLS[paper_eval]):
                continue
            hit = tab1[(tab1["run"] == run) & (tab1["eval"] == paper_eval)]
            cells = hit.iloc[0][values].to_dict() if len(hit) else dict.fromkeys(values, math.nan)
            rows.append({"method": label, "eval": paper_eval, **cells, "run": run})
    ref = pd.DataFrame.from_records(rows).astype({v: "float64" for v in values})
    specs = {run: {"eval": evals, "tasks": list(TASKS)} for run, (_, evals) in BEYOND.items()}
    ours = _fill(ref, values, specs, _Runs(runs))
    return _side_by_side(ours, ref, ["method", "eval"], values,
                         {"paper": "beyond", "table": "data_free", "profile": profile,
                          "title": "Fully data-collection-free PPMA"})


# --------------------------------------------------------------------------------------------------
# display
# --------------------------------------------------------------------------------------------------
VALUE_NAMES = {"average": "Average", "average_ran": "Avg. of tasks run", "delta": "Δ to align only", "k400_top1": "K400 top-1",
               "k400_top5": "K400 top-5", "top1": "top-1", "percent": "%"}
KEY_NAMES = {"stage1_mae": "Stage 1: MAE", "stage2_align": "Stage 2: alignment", "alpha1": "α1", "alpha2": "α2",
             "alpha3": "α3", "n_images": "#images", "pass_images": "PASS", "shaders1k_images": "Shaders1k",
             "videos_per_class": "videos/class", "real_video": "real video", "pseudo_motion": "pseudo-motion",
             "video_aug": "video aug.", "data_source": "data source"}
SIDE_NAMES = {"ours": "ours", "paper": "paper", "diff": "Δ"}


def fmt_key(value: Any) -> str:
    """A key cell for display: ✓ for True, '' for False, 10k for 10000, 0.33 for 0.33, — for missing."""
    if isinstance(value, (bool, np.bool_)):
        return "✓" if value else ""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if isinstance(value, (int, float)):
        if float(value).is_integer() and abs(value) >= 1000:
            return f"{value / 1000:g}k"
        return f"{value:g}"
    return str(value).replace("_like", "")


def styled(sbs: pd.DataFrame):
    """A :func:`side_by_side` frame as a pandas Styler: keys as the index, columns grouped per value
    (ours | paper | Δ), one decimal, '—' for missing, Δ signed and coloured."""
    keys, values = sbs.attrs["keys"], sbs.attrs["values"]
    names = {**task_names(), **VALUE_NAMES}
    key_name = {k: KEY_NAMES.get(k, k.replace("_", " ")) for k in keys}
    # yes/no keys (PMG Tab. 8-9's data-source ticks) are cells of every row: as a sparsified index, a run of
    # equal ticks would print once across several rows and read as belonging to one of them
    ticks = [k for k in keys if len(sbs) and sbs[k].map(lambda v: isinstance(v, (bool, np.bool_))).all()]
    index = [k for k in keys if k not in ticks]
    body = sbs.set_index(index) if index else sbs.reset_index(drop=True)
    body = body[[*ticks, *(f"{v}_{s}" for v in values for s in SIDES)]]
    body.columns = pd.MultiIndex.from_tuples([(key_name[k], "") for k in ticks]
                                             + [(names.get(v, v), SIDE_NAMES[s]) for v in values for s in SIDES])
    if index:
        body.index.names = [key_name[k] for k in index]
    deltas = [c for c in body.columns if c[1] == "Δ"]
    firsts = [i for i, c in enumerate(body.columns) if c[1] == "ours"]
    numbers = [c for c in body.columns if c[1]]
    style = (body.style.format(precision=1, na_rep="—", subset=numbers)
             .format(fmt_key, subset=[c for c in body.columns if not c[1]])
             .format("{:+.1f}", subset=deltas, na_rep="—")
             .format_index(fmt_key, axis=0)
             .map(lambda d: "" if pd.isna(d) else f"color: {'#1a7f37' if d >= 0 else '#cf222e'}", subset=deltas)
             .set_uuid(f"{sbs.attrs['paper']}-{sbs.attrs['table']}"))
    rules = [{"selector": f"td.col{i}, th.col{i}", "props": "border-left: 1px solid #999"} for i in firsts]
    compact = {"selector": "td, th", "props": "padding: 0.1em 0.4em; font-size: 0.85em; white-space: nowrap"}
    if not index:
        style = style.hide(axis="index")
    return style.set_table_styles([compact, {"selector": "th.col_heading.level0", "props": "text-align: center"},
                                   *rules])
