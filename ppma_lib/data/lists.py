"""List files (one video per line, with its integer label) and label maps.

Two line formats are read and written:
- ``space``: VideoMAE's ``path label`` (split on the last whitespace run, so Kinetics class
  folders with spaces still parse);
- ``semicolon``: PPMA's ``path;label``, split on the LAST ``;`` because HMDB51 file names contain
  ``;`` (``laugh/..._smiling_;0)_laugh_h_cm_np1_fr_med_0;25``).
Both tolerate CRLF endings, a missing final newline, a UTF-8 BOM and blank lines; a bad line
raises :class:`ListFormatError` with file and line number. Label maps are ``id<TAB>name`` files.
"""
from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Iterable, Literal, Mapping

from ppma_lib.atomic import write_text_atomic

ListFormat = Literal["auto", "space", "semicolon"]
_SEMICOLON = re.compile(r"^(?P<path>.*\S);\s*(?P<label>[+-]?\d+)$")
_SPACE = re.compile(r"^(?P<path>\S.*?)\s+(?P<label>[+-]?\d+)$")
_PATTERNS = {"semicolon": _SEMICOLON, "space": _SPACE}
_EXAMPLE = {"semicolon": "path;label", "space": "path label"}


class ListFormatError(ValueError):
    """A list or label-map line that does not parse; names the file and the line number."""


def list_sha256(path: str | os.PathLike) -> str:
    """SHA-256 of a list file's bytes: what a derived folder (frames, subsets) stamps to know its source."""
    import hashlib

    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _lines(path: str | os.PathLike) -> list[tuple[int, str]]:
    """(1-based line number, stripped text) of the non-blank lines; CRLF and BOM tolerated."""
    text = Path(path).read_text(encoding="utf-8-sig")  # universal newlines turn CRLF into LF
    return [(n, s.strip()) for n, s in enumerate(text.splitlines(), start=1) if s.strip()]


def detect_format(path: str | os.PathLike) -> Literal["space", "semicolon"]:
    """``semicolon`` when the first line reads as ``path;label``, else ``space``."""
    lines = _lines(path)
    return "semicolon" if lines and _SEMICOLON.match(lines[0][1]) else "space"


def read_list(path: str | os.PathLike, fmt: ListFormat = "auto") -> list[tuple[str, int]]:
    """Read a list file -> ``[(relative path, label), ...]`` in file order.

    Args:
        fmt: ``space`` (``path label``), ``semicolon`` (``path;label``) or ``auto`` (from the first line).
    """
    if fmt not in ("auto", "space", "semicolon"):
        raise ValueError(f"fmt must be 'auto', 'space' or 'semicolon', got {fmt!r}")
    if not Path(path).is_file():
        raise FileNotFoundError(f"list file not found: {path}")
    fmt = detect_format(path) if fmt == "auto" else fmt
    pattern = _PATTERNS[fmt]
    items = []
    for n, line in _lines(path):
        m = pattern.match(line)
        if m is None:
            raise ListFormatError(f"{path}:{n}: expected '{_EXAMPLE[fmt]}' with an integer label, got {line!r}")
        items.append((m["path"], int(m["label"])))
    return items


def write_list(
    path: str | os.PathLike, items: Iterable[tuple[str, int]], fmt: Literal["space", "semicolon"] = "semicolon"
) -> Path:
    """Write ``(path, label)`` pairs, one per line (LF, final newline), atomically.

    ``space`` lists are refused for paths holding whitespace: VideoMAE's parser splits on every
    space, so such a list would not round-trip there; use ``semicolon``.
    """
    if fmt not in ("space", "semicolon"):
        raise ValueError(f"fmt must be 'space' or 'semicolon', got {fmt!r}")
    sep = ";" if fmt == "semicolon" else " "
    lines = []
    for rel, label in items:
        rel = str(rel)
        if not rel or "\n" in rel or "\r" in rel or rel != rel.strip():
            raise ValueError(f"cannot write path {rel!r}: empty, multi-line or padded with whitespace")
        if fmt == "space" and re.search(r"\s", rel):
            raise ValueError(f"path {rel!r} holds whitespace: write it with fmt='semicolon'")
        lines.append(f"{rel}{sep}{int(label)}\n")
    return write_text_atomic(path, "".join(lines))


def read_label_map(path: str | os.PathLike) -> dict[int, str]:
    """``id<TAB>name`` lines -> ``{id: name}``; ids must be unique."""
    mapping: dict[int, str] = {}
    for n, line in _lines(path):
        key, sep, name = line.partition("\t")
        if not sep or not key.strip().lstrip("+-").isdigit() or not name.strip():
            raise ListFormatError(f"{path}:{n}: expected 'id<TAB>name', got {line!r}")
        if int(key) in mapping:
            raise ListFormatError(f"{path}:{n}: label id {int(key)} appears twice")
        mapping[int(key)] = name.strip()
    return mapping


def write_label_map(path: str | os.PathLike, mapping: Mapping[int, str]) -> Path:
    """Write ``{id: name}`` as ``id<TAB>name`` lines sorted by id, atomically."""
    for k, name in mapping.items():
        if "\t" in name or "\n" in name or not name.strip():
            raise ValueError(f"label {k}: name {name!r} is empty or holds a tab/newline")
    return write_text_atomic(path, "".join(f"{int(k)}\t{mapping[k]}\n" for k in sorted(mapping)))


def per_class_subset(items: list[tuple[str, int]], n: int, seed: int = 0) -> list[tuple[str, int]]:
    """``n`` items of every label (all of a smaller class), drawn by a seeded shuffle per class and kept in
    list order; a larger ``n`` keeps the items of a smaller one (1 ⊂ 5 ⊂ 10 videos per class, PMG Fig. 4)."""
    import numpy as np

    by_label: dict[int, list[int]] = {}
    for i, (_, label) in enumerate(items):
        by_label.setdefault(label, []).append(i)
    keep = {i for label, idx in by_label.items()
            for i in np.random.default_rng([seed, label]).permutation(idx)[:n].tolist()}
    return [item for i, item in enumerate(items) if i in keep]
