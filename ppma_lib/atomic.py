"""Atomic file writes: write to a temporary name next to the target, then rename onto it.

Readers (a resumed run, the pipeline's cache check, a second worker) see the old file or the new one,
never half of one; a crash or an exception mid-write removes the temporary file.

    with atomic_path("outputs/mini/ppma/last.pt") as tmp:
        torch.save(state, tmp)
    write_text_atomic("outputs/mini/ppma/summary.json", json.dumps(summary))
"""
from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator


@contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a fresh temporary path in ``path``'s folder that keeps its extension (so writers that pick a
    format from it, e.g. video muxers or ``np.savez``, behave the same); on success rename it onto ``path``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=f".tmp{path.suffix}")
    os.close(fd)
    try:
        yield Path(tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_text_atomic(path: str | os.PathLike, text: str) -> Path:
    """Write UTF-8 text with LF line ends to ``path`` atomically; returns ``path``."""
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8", newline="\n")
    return Path(path)
