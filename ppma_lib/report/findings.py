"""What a side-by-side table says, as short texts for the chapters' prose (``myst_nb.glue``).

Every number a result chapter writes in its sentences comes from here, computed from the table:
how many rows we have, how far ours are from the paper's, whether the ranking and a chosen claim
agree, and which rows we could not reproduce at this profile and why. Texts are plain (no markup):
``{glue:text}`` pastes them verbatim.
"""
from __future__ import annotations

import math
from typing import Any, Mapping

import numpy as np
import pandas as pd

from ppma_lib.report.papers import experiments, task_names
from ppma_lib.report.results import VALUE_NAMES, fmt_key

MISSING = "—"
GLUE_PREFIX = "application/papermill.record/"  # myst-nb reads glued values from outputs of this mime prefix


def fmt(x: Any, signed: bool = False) -> str:
    """One decimal (``+`` sign if ``signed``), or '—' for a missing number."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return MISSING
    return f"{x:+.1f}" if signed else f"{x:.1f}"


def label(row: Mapping[str, Any], keys: list[str]) -> str:
    """A row's name from its keys: 'PPMA (ours) · FT'; all-boolean keys name the true ones: 'videos + frames'."""
    vals = [row[k] for k in keys]
    if all(isinstance(v, (bool, np.bool_)) for v in vals):
        return " + ".join(k.replace("_", " ") for k, v in zip(keys, vals) if v) or "none"
    return " · ".join(fmt_key(v) for v in vals)


def headline(values: list[str], sbs: pd.DataFrame | None = None) -> str:
    """The column a table is judged by: the six-task average, else K400 top-1, else the first value.
    With ``sbs``: the average of the tasks we ran (``average_ran``) when we have no six-task average."""
    if sbs is not None and "average_ran" in values and sbs["average_ours"].isna().all():
        return "average_ran"
    for v in ("average", "k400_top1", "top1"):
        if v in values:
            return v
    return values[0]


def basis(sbs: pd.DataFrame, column: str) -> str:
    """In words, what a headline column averages (for the prose next to a claim)."""
    if column == "average":
        return "the six-task average"
    if column == "average_ran":
        names = [task_names()[t] for t in sbs.attrs["tasks_ran"]]
        paper = ("the paper's six-task average: it gives no per-task numbers" if sbs["average_ran_paper"].isna().all()
                 else "the paper's numbers averaged over the same tasks")
        return f"the average over {', '.join(names)}, the tasks run at the {sbs.attrs['profile']} profile ({paper})"
    return {**task_names(), **VALUE_NAMES}.get(column, column)


def pick(sbs: pd.DataFrame, column: str, side: str = "ours", **match: Any) -> float:
    """One cell of a side-by-side frame: ``pick(sbs, "average", "paper", method="PPMA (ours)", eval="FT")``."""
    rows = sbs
    for k, v in match.items():  # None matches a missing key cell (e.g. PMG Tab. 6 'FT data' has no #images)
        rows = rows[rows[k].isna() if v is None else rows[k] == v]
    if len(rows) != 1:
        raise KeyError(f"{match} matches {len(rows)} rows of {sbs.attrs.get('table')}, need exactly one")
    return float(rows.iloc[0][f"{column}_{side}"])


def _spearman(a: pd.Series, b: pd.Series) -> float:
    both = pd.concat([a, b], axis=1).dropna()
    if len(both) < 3 or both.iloc[:, 0].nunique() < 2 or both.iloc[:, 1].nunique() < 2:
        return math.nan
    return float(both.iloc[:, 0].rank().corr(both.iloc[:, 1].rank()))


def findings(sbs: pd.DataFrame) -> dict[str, Any]:
    """Coverage, agreement and what is missing, for a :func:`~ppma_lib.report.results.side_by_side` frame.

    Keys: profile, n_rows, n_rerun, n_ours, n_cells, headline, mean_diff, mean_abs_diff, best_paper,
    best_paper_value, best_ours, best_ours_value, rank_corr, cell_corr, coverage, not_reproduced.
    """
    a = sbs.attrs
    keys, values, profile = a["keys"], a["values"], a["profile"]
    head = headline(values, sbs)
    rerun = sbs[sbs["run"].notna()]
    ours = sbs[[f"{v}_ours" for v in values]]
    has_ours = ours.notna().any(axis=1)
    diffs = sbs[[f"{v}_diff" for v in values]].stack().dropna()
    summaries = ("average", "average_ran", "delta")
    cell_values = [v for v in values if v not in summaries] or [v for v in values if v != "delta"]
    pairs = [(sbs[f"{v}_ours"], sbs[f"{v}_paper"]) for v in cell_values]
    cells_ours = pd.concat([o for o, _ in pairs], ignore_index=True)
    cells_paper = pd.concat([p for _, p in pairs], ignore_index=True)

    # an average-only table (PPMA Tab. 2): the paper's side of our average over the tasks run is its six-task one
    head_paper = "average" if head == "average_ran" and sbs["average_ran_paper"].isna().all() else head

    def best(side: str, column: str) -> tuple[str, str]:
        col = rerun[f"{column}_{side}"]
        if col.notna().sum() == 0:
            return MISSING, MISSING
        row = rerun.loc[col.idxmax()]
        return label(row, keys), fmt(row[f"{column}_{side}"])

    (bp, bpv), (bo, bov) = best("paper", head_paper), best("ours", head)
    out: dict[str, Any] = {
        "profile": profile, "n_rows": len(sbs), "n_rerun": len(rerun), "n_ours": int(has_ours.sum()),
        "n_cells": len(diffs), "headline": {**task_names(), **VALUE_NAMES}.get(head, head),
        "mean_diff": fmt(diffs.mean() if len(diffs) else math.nan, signed=True),
        "mean_abs_diff": fmt(diffs.abs().mean() if len(diffs) else math.nan),
        "best_paper": bp, "best_paper_value": bpv, "best_ours": bo, "best_ours_value": bov,
        "rank_corr": _fmt_corr(_spearman(rerun[f"{head}_ours"], rerun[f"{head_paper}_paper"])),
        "cell_corr": _fmt_corr(_spearman(cells_ours, cells_paper)),
    }
    out["coverage"] = (f"At the {profile} profile we have our numbers for {out['n_ours']} of the "
                       f"{out['n_rerun']} rows we re-run, {out['n_cells']} cells next to the paper's.")
    out["not_reproduced"] = _not_reproduced(sbs, keys, values, has_ours)
    return out


def _fmt_corr(r: float) -> str:
    return MISSING if math.isnan(r) else f"{r:.2f}"


def _rows(n: int, singular: str, plural: str) -> str:
    return f"1 row {singular}" if n == 1 else f"{n} rows {plural}"


def _not_reproduced(sbs: pd.DataFrame, keys: list[str], values: list[str], has_ours: pd.Series) -> str:
    a = sbs.attrs
    parts = []
    missing = sbs[sbs["run"].notna() & ~has_ours]
    if len(missing):
        runs = ", ".join(f"`{r}`" for r in dict.fromkeys(missing["run"]))
        tag = experiments().get(a["paper"], {}).get(a["table"], {}).get("mini") if a["paper"] != "beyond" else None
        why = (" (an 'extended' table in experiments.yaml: its runs are off in the default mini plan)"
               if tag == "extended" else "")
        parts.append(f"{_rows(len(missing), 'has', 'have')} no run yet: {runs}{why}")
    comparable = [v for v in values if sbs[f"{v}_paper"].notna().any()]
    partial = sbs[has_ours & sbs[[f"{v}_ours" for v in comparable]].isna().any(axis=1)
                  & sbs[[f"{v}_paper" for v in comparable]].notna().any(axis=1)]
    if len(partial):
        parts.append(f"{_rows(len(partial), 'is', 'are')} incomplete (some cells missing): "
                     + ", ".join(label(r, keys) for _, r in partial.iterrows()))
    reported = sbs[[f"{v}_paper" for v in values]].notna().any(axis=1)
    quoted = sbs[sbs["run"].isna() & reported]  # rows the paper leaves empty are nothing to reproduce
    if len(quoted):
        parts.append(f"{_rows(len(quoted), 'is', 'are')} quoted from other work and not re-run: "
                     + ", ".join(label(r, keys) for _, r in quoted.iterrows()))
    if not parts:
        return f"Nothing: at the {a['profile']} profile every row of this table has our numbers."
    return f"At the {a['profile']} profile, " + "; ".join(parts) + "."


def contrast(sbs: pd.DataFrame, a: tuple[str, Mapping[str, Any]], b: tuple[str, Mapping[str, Any]],
             prefix: str = "claim_") -> dict[str, str]:
    """A claim 'cell a is above cell b', checked in the paper's numbers and in ours.

    ``a`` and ``b`` are (value column, row match), e.g. ``("average", {"method": "PPMA (ours)",
    "eval": "FT"})``. Returns ``<prefix>`` + a_paper, b_paper, gap_paper (a - b), a_ours, b_ours,
    gap_ours, agree ('yes' when both gaps have the same sign, 'no' when not or when a gap prints as
    +0.0, 'not measured yet'), basis
    (what was compared, in words). Two ``average`` cells are compared on ``average_ran`` when we have no
    six-task average (a profile that runs fewer tasks).
    """
    col_a, col_b = a[0], b[0]
    if col_a == col_b == "average" and headline(sbs.attrs["values"], sbs) == "average_ran":
        col_a = col_b = "average_ran"  # no six-task average of ours: compare on the tasks we ran
    paper_cols = {c: "average" if c == "average_ran" and sbs["average_ran_paper"].isna().all() else c
                  for c in (col_a, col_b)}  # an average-only table: the paper's side is its six-task average
    vals = {f"{r}_{s}": pick(sbs, col if s == "ours" else paper_cols[col], s, **m)
            for r, (col, m) in (("a", (col_a, a[1])), ("b", (col_b, b[1]))) for s in ("paper", "ours")}
    gp, go = vals["a_paper"] - vals["b_paper"], vals["a_ours"] - vals["b_ours"]
    if math.isnan(go):
        agree = "not measured yet"
    elif math.isnan(gp):
        agree = "the paper has no number to compare"
    elif round(go, 1) == 0:  # as printed: a +0.0 gap points nowhere
        agree = "no, ours is a tie"
    elif round(gp, 1) == 0:
        agree = "no, the paper's is a tie"
    else:
        agree = "yes" if (gp > 0) == (go > 0) else "no"
    out = {k: fmt(v) for k, v in vals.items()} | {"gap_paper": fmt(gp, True), "gap_ours": fmt(go, True),
                                                  "agree": agree, "basis": basis(sbs, col_a)}
    return {prefix + k: v for k, v in out.items()}


def curve_facts(df: pd.DataFrame, above: tuple[str, str] | None = None) -> dict[str, str]:
    """What our curves (:func:`~ppma_lib.report.results.curves`) show, as text.

    ``curves``: per panel and series, first -> last value over the swept x; ``wins`` (with
    ``above=(series_a, series_b)``): at how many shared points series a is above series b.
    """
    ours = df[df["source"] == "ours"].sort_values("x")
    lines = []
    for (panel, series), g in ours.groupby(["panel", "series"], sort=True):
        name = str(g["x_name"].iloc[0]).replace("_", " ")
        lines.append(f"{fmt_key(panel)}, {series}: {fmt(g['top1'].iloc[0])} at {fmt_key(g['x'].iloc[0])} to "
                     f"{fmt(g['top1'].iloc[-1])} at {fmt_key(g['x'].iloc[-1])} {name}")
    out = {"curves": "; ".join(lines) + "." if lines else "no points yet at this profile."}
    if above is not None:
        wide = ours.pivot_table(index=["panel", "x"], columns="series", values="top1")
        if set(above) <= set(wide.columns):
            both = wide[list(above)].dropna()
            out["wins"] = f"{int((both[above[0]] > both[above[1]]).sum())} of {len(both)}"
        else:
            out["wins"] = "0 of 0"
    return out


def glue_all(values: Mapping[str, Any]) -> None:
    """Glue every item for the chapter's prose, without displaying it: numbers and short texts are
    pasted with ``{glue:text}`key```, sentences (texts are also glued as Markdown) with ``{glue:md}`key```.

    Writes myst-nb's glue records (the scrapbook format: the value under the
    ``application/papermill.record/`` mime prefix, its key in the output's metadata) directly, as
    ``myst_nb.glue(key, value, display=False)`` does, without importing Sphinx into the kernel.
    """
    from IPython.display import display

    for key, value in values.items():
        bundle = {GLUE_PREFIX + "text/plain": repr(value)}
        if isinstance(value, str):
            bundle[GLUE_PREFIX + "text/markdown"] = value
        display(bundle, raw=True, metadata={"scrapbook": {"name": key, "mime_prefix": GLUE_PREFIX}})
