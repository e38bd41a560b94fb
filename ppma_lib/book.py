"""Small helpers that keep the book's notebooks thin (paths and config display)."""
from __future__ import annotations

from pathlib import Path
from typing import Any

ROOT_MARKER = "_toc.yml"


def find_root(start: str | Path | None = None) -> Path:
    """The repository root (the folder holding ``_toc.yml``), from the notebook's working directory.

    papermill runs notebooks from the caller's directory, nbval and Jupyter from the notebook's own:
    resolving paths against the root makes ``params/...`` mean the same thing in all three.
    """
    here = Path(start or Path.cwd()).resolve()
    for d in (here, *here.parents):
        if (d / ROOT_MARKER).is_file() and (d / "ppma_lib").is_dir():
            return d
    return here


def flatten(d: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in d.items():
        if isinstance(v, dict):
            out.update(flatten(v, f"{prefix}{k}."))
        else:
            out[f"{prefix}{k}"] = v
    return out


def config_table(cfg: Any, sections: tuple[str, ...] = ("run", "model", "data", "optim", "train")):
    """The config as a one-column DataFrame (dotted keys), limited to the sections a page cares about."""
    import pandas as pd

    flat = flatten({s: v for s, v in cfg.to_dict().items() if s in sections})
    return pd.DataFrame({"value": [str(v) for v in flat.values()]}, index=list(flat)).rename_axis("key")
