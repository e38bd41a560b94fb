"""The papers' figures redrawn with our numbers beside theirs (seaborn on matplotlib ``Figure``s).

Figures are built with :class:`matplotlib.figure.Figure`, not pyplot: nothing is registered with a
global state, so a notebook shows a figure once (as the cell's value) and memory is freed with it.
Every function takes the long frames of :mod:`ppma_lib.report.results` and returns the Figure.
"""
from __future__ import annotations

import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch

PRETRAIN = ("Kinetics", "NH Kinetics", "Synthetic")  # PPMA Fig. 4/7: one chart per pre-training set
STRATEGY_COLOURS = {"Align only": "#8da0cb", "MAE only": "#fc8d62", "MAE+Align": "#66c2a5"}
SOURCE_STYLE = {"ours": "-", "paper": "--"}


def _empty(ax: Axes, text: str) -> None:
    ax.text(0.5, 0.5, text, ha="center", va="center", transform=ax.transAxes, color="0.4", fontsize=9)


def stage_ablation_bars(df: pd.DataFrame, title: str = "") -> Figure:
    """PPMA Fig. 4 / Fig. 7: a chart per pre-training set, bars per task, hue = stage strategy.

    ``df`` is :func:`~ppma_lib.report.results.stage_ablation`; top row ours, bottom row the paper's
    (the paper states per-task values only for MAE+Align, and every strategy's average).
    """
    tasks = list(dict.fromkeys(df["task"]))
    fig = Figure(figsize=(9.5, 5.4), layout="constrained")
    axes = fig.subplots(2, len(PRETRAIN), sharey=True, squeeze=False)
    for r, source in enumerate(("ours", "paper")):
        for c, pretrain in enumerate(PRETRAIN):
            ax = axes[r, c]
            data = df[(df["source"] == source) & (df["pretrain"] == pretrain)].dropna(subset=["top1"])
            if data.empty:
                _empty(ax, "no runs yet" if source == "ours" else "no values in the paper")
            else:
                sns.barplot(data=data, x="task", y="top1", hue="strategy", order=tasks,
                            hue_order=list(STRATEGY_COLOURS), palette=STRATEGY_COLOURS, ax=ax, legend=False)
            ax.set_xticks(range(len(tasks)), tasks if r == 1 else [""] * len(tasks), rotation=40, ha="right", fontsize=8)
            ax.set_title(f"{pretrain} ({source})", fontsize=10)
            ax.set_xlabel("")
            ax.set_ylabel("top-1 (%)" if c == 0 else "")
            ax.set_ylim(0, 100)
    handles = [Patch(color=v, label=k) for k, v in STRATEGY_COLOURS.items()]
    fig.legend(handles=handles, loc="outside upper center", ncols=3, frameon=False)
    if title:
        fig.suptitle(title, y=1.06)
    return fig


def curve_panels(df: pd.DataFrame, panels: dict[str, str], log_x: tuple[str, ...] = ()) -> Figure:
    """PMG Fig. 3 / Fig. 4: one panel per ``panels`` key (-> title), accuracy against the swept x.

    ``df`` is :func:`~ppma_lib.report.results.curves`; colour = series (the pre-training), solid =
    ours, dashed with open markers = the paper's points. Panels named in ``log_x`` get a log x axis.
    """
    fig = Figure(figsize=(3.3 * len(panels), 3.1), layout="constrained")
    axes = fig.subplots(1, len(panels), squeeze=False)[0]
    series = list(dict.fromkeys(df["series"]))
    palette = {name: f"C{i % 10}" for i, name in enumerate(series)}
    for ax, (panel, title) in zip(axes, panels.items()):
        data = df[df["panel"] == panel]
        ax.set_title(title, fontsize=10)
        if data.empty:
            _empty(ax, "no points yet at this profile")
            continue
        for (name, source), line in data.groupby(["series", "source"], sort=False):
            line = line.sort_values("x")
            ax.plot(line["x"], line["top1"], SOURCE_STYLE[source], marker="o", color=palette[name],
                    mfc="white" if source == "paper" else palette[name], label=f"{name} ({source})")
        ax.set_xlabel(str(data["x_name"].iloc[0]).replace("_", " "))
        ax.set_ylabel("top-1 (%)")
        if panel in log_x:
            ax.set_xscale("log")
        ax.legend(fontsize=7, frameon=False)
    return fig


def headline_bars(sbs: pd.DataFrame, column: str | None = None) -> Figure:
    """One value per row of a side-by-side frame, ours next to the paper's (horizontal bars); ``column``
    defaults to the table's headline (the six-task average, else the average of the tasks we ran)."""
    from ppma_lib.report.findings import headline, label
    from ppma_lib.report.results import VALUE_NAMES

    column = column or headline(sbs.attrs["values"], sbs)
    keys = sbs.attrs["keys"]
    rows = [label(r, keys) for _, r in sbs.iterrows()]
    long = pd.DataFrame({"row": rows * 2, "top1": [*sbs[f"{column}_ours"], *sbs[f"{column}_paper"]],
                         "source": ["ours"] * len(sbs) + ["paper"] * len(sbs)})
    fig = Figure(figsize=(7, 0.45 * len(sbs) + 1.2), layout="constrained")
    ax = fig.subplots()
    if long["top1"].notna().any():
        sns.barplot(data=long.dropna(), y="row", x="top1", hue="source", order=rows,
                    hue_order=["ours", "paper"], palette={"ours": "#4c72b0", "paper": "#c0c0c0"}, ax=ax)
    else:
        _empty(ax, "no numbers yet")
    ax.set_xlabel(f"{VALUE_NAMES.get(column, column)}, top-1 (%)")
    ax.set_ylabel("")
    return fig


def pipeline_bars(df: pd.DataFrame) -> Figure:
    """Seconds per run of ``ppma reproduce`` (``performance.pipeline_timings``), longest first."""
    df = df.sort_values("seconds", ascending=True)
    fig = Figure(figsize=(7, 0.28 * len(df) + 1.2), layout="constrained")
    ax = fig.subplots()
    ax.barh(df["run"], df["seconds"], color="#4c72b0")
    for y, (s, share) in enumerate(zip(df["seconds"], df["share"])):
        ax.text(s, y, f" {s:.0f} s ({100 * share:.0f} %)", va="center", fontsize=7)
    ax.set_xlabel("seconds (last time each run ran)")
    ax.margins(x=0.25)
    return fig
