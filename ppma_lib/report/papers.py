"""The papers' reported numbers as tables, and their comparison with ours.

Data layout (``paper_numbers.yaml``, package data, transcribed by hand from ``shared/papers/*.txt``)::

    tasks:  {ucf_like: UCF101, ...}        our task key -> the paper's dataset name
    papers: {ppma: "...", pmg: "..."}      full references
    <paper>:                               ppma | pmg
      <table>:                             tab1 ... tab13, fig3, fig4, fig7, appB (the paper's numbering)
        kind: table | figure | text        text = numbers stated in prose (PPMA App. B)
        title, caption, source, metric     short texts; source = section and table/figure number
        keys:    [...]                     columns that identify a row (unique together)
        columns: [...]                     every declared column, in the paper's order
        values:  [...]                     the numeric columns (a subset of columns)
        notes:   [...]                     transcription notes (garbled extraction, discrepancies)
        approx:  true                      (figures only) values not numerically available
        rows:    - {column: value, ...}    one mapping per row; "-" in the paper -> null

A row may also carry ``run`` (the run of ``experiments.yaml`` that reproduces it), ``note``,
``derived_from`` (cells copied from another table of the same paper) and ``approx``. Downstream
datasets are always named by the MiniSynAPT task keys (``ucf_like`` = UCF101, ...), so a paper table
and a table of our results line up column for column. Tables reporting FT and LP store one row per
(model, eval) with ``eval`` in {FT, LP}.

``experiments.yaml`` (same package) says, per table, which runs reproduce it and what the MiniSynAPT
analogue of each paper dataset is; its header documents the run fields.
"""
from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Any, Sequence

import pandas as pd
import yaml

PAPERS = ("ppma", "pmg")
TASKS = ("ucf_like", "hmdb_like", "ssv2_like", "diving_like", "ikea_like", "uav_like")
ROW_META = ("run", "derived_from", "approx", "note")  # optional per-row fields, appended after columns


@lru_cache(maxsize=None)
def _load(name: str) -> dict[str, Any]:
    text = resources.files("ppma_lib.report").joinpath(name).read_text(encoding="utf-8")
    return yaml.safe_load(text)


def paper_numbers() -> dict[str, Any]:
    """The whole parsed ``paper_numbers.yaml`` (cached; do not mutate)."""
    return _load("paper_numbers.yaml")


def experiments() -> dict[str, Any]:
    """The whole parsed ``experiments.yaml``: for each table, the runs it needs (cached; do not mutate)."""
    return _load("experiments.yaml")


def task_names() -> dict[str, str]:
    """Our task key -> the papers' dataset name, e.g. ``{"ucf_like": "UCF101", ...}``."""
    return dict(paper_numbers()["tasks"])


def table_info(paper: str, table: str) -> dict[str, Any]:
    """A table's metadata (title, caption, source, metric, keys, columns, values, notes), without rows."""
    data = paper_numbers()
    if paper not in PAPERS:
        raise KeyError(f"unknown paper {paper!r}; choose from {PAPERS}")
    if table not in data[paper]:
        raise KeyError(f"{paper} has no table {table!r}; it has {sorted(data[paper])}")
    return {k: v for k, v in data[paper][table].items() if k != "rows"}


def list_tables(paper: str | None = None) -> pd.DataFrame:
    """One row per table/figure: paper, table, kind, title, source, number of rows."""
    data = paper_numbers()
    records = [
        {"paper": p, "table": t, "kind": spec["kind"], "title": spec["title"],
         "source": spec["source"], "n_rows": len(spec["rows"])}
        for p in (PAPERS if paper is None else (paper,))
        for t, spec in data[p].items()
    ]
    return pd.DataFrame.from_records(records)


def paper_table(paper: str, table: str, meta: bool = True) -> pd.DataFrame:
    """The paper's numbers for one table, e.g. ``paper_table("ppma", "tab2")``.

    Columns are the declared ``columns`` in the paper's order, then (``meta=True``) whichever of
    ``run``, ``derived_from``, ``approx``, ``note`` the rows use. Value columns are float (NaN = not
    reported).
    """
    info = table_info(paper, table)
    rows = paper_numbers()[paper][table]["rows"]
    extra = [m for m in ROW_META if meta and any(m in r for r in rows)]
    df = pd.DataFrame.from_records(rows, columns=[*info["columns"], *extra])
    return df.astype({v: "float64" for v in info["values"]})


def unique_runs(
    paper: str | None = None, mini: Sequence[str] = ("core", "extended", "quoted")
) -> pd.DataFrame:
    """Every run of ``experiments.yaml`` once, with the union of what its tables ask of it.

    Columns: name, pretrain, align (as in the YAML), eval and tasks (sorted unions over its tables),
    tables (``"<paper>:<table>"`` that use it). ``mini`` keeps only tables with those tags, e.g.
    ``("core",)`` for the default mini book.
    """
    runs: dict[str, dict[str, Any]] = {}
    for p in (PAPERS if paper is None else (paper,)):
        for table, spec in experiments()[p].items():
            if not (isinstance(spec, dict) and "runs" in spec) or spec["mini"] not in mini:
                continue
            for run in spec["runs"]:
                entry = runs.setdefault(run["name"], {
                    "name": run["name"], "pretrain": run["pretrain"], "align": run["align"],
                    "eval": set(), "tasks": set(), "tables": []})
                entry["eval"].update(run["eval"])
                entry["tasks"].update(run["tasks"])
                entry["tables"].append(f"{p}:{table}")
    order = {t: i for i, t in enumerate(TASKS)}  # the papers' task order, k400 last
    for entry in runs.values():
        entry["eval"] = sorted(entry["eval"])
        entry["tasks"] = sorted(entry["tasks"], key=lambda t: order.get(t, len(order)))
    return pd.DataFrame(list(runs.values()), columns=["name", "pretrain", "align", "eval", "tasks", "tables"])


def compare(
    ours: pd.DataFrame,
    paper: pd.DataFrame,
    on: Sequence[str],
    value_cols: Sequence[str],
    labels: tuple[str, str] = ("ours", "paper"),
) -> pd.DataFrame:
    """Ours and the paper's numbers side by side: ``<v>_ours``, ``<v>_paper``, ``<v>_diff`` per value.

    Rows are matched on the ``on`` columns: an outer join in the paper's row order (rows only we have
    come last), NaN on the side that lacks a row; ``diff = ours - paper``. A value column missing from
    one side counts as all-NaN there, so a partial run still lines up. Duplicate keys on either side
    are an error, not a silent cross product.
    """
    on, value_cols = list(on), list(value_cols)
    for side, df in zip(labels, (ours, paper)):
        missing = [c for c in on if c not in df.columns]
        if missing:
            raise KeyError(f"{side} table lacks the key columns {missing}")
        dup = df.duplicated(subset=on, keep=False)
        if dup.any():
            raise ValueError(f"{side} table has duplicate keys on {on}:\n{df.loc[dup, on]}")
    a, b = labels

    def pick(df: pd.DataFrame, tag: str, first: int) -> pd.DataFrame:
        side = df[on].copy()
        for v in value_cols:
            side[f"{v}_{tag}"] = pd.to_numeric(df[v], errors="coerce") if v in df else float("nan")
        side[f"_pos_{tag}"] = range(first, first + len(df))
        return side

    merged = pick(paper, b, 0).merge(pick(ours, a, len(paper)), on=on, how="outer")
    # pandas sorts outer-join keys: restore the paper's row order, rows only we have last
    order = merged[f"_pos_{b}"].fillna(merged[f"_pos_{a}"]).to_numpy()
    merged = merged.iloc[order.argsort(kind="stable")]
    out = merged[on].copy()
    for v in value_cols:
        out[f"{v}_{a}"] = merged[f"{v}_{a}"].astype("float64")
        out[f"{v}_{b}"] = merged[f"{v}_{b}"].astype("float64")
        out[f"{v}_diff"] = out[f"{v}_{a}"] - out[f"{v}_{b}"]
    return out.reset_index(drop=True)
