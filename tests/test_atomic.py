"""Atomic writes: the target holds the old content or the new one, and no temporary file is left behind."""
from __future__ import annotations

from pathlib import Path

import pytest

from ppma_lib.atomic import atomic_path, write_text_atomic


def test_write_replaces_and_keeps_the_extension(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "clip.mp4"
    with atomic_path(target) as tmp:
        assert tmp.parent == target.parent and tmp.suffix == ".mp4" and tmp != target
        tmp.write_bytes(b"new")
    assert target.read_bytes() == b"new"
    assert [p.name for p in target.parent.iterdir()] == ["clip.mp4"]


def test_a_failed_write_keeps_the_old_file_and_cleans_up(tmp_path: Path) -> None:
    target = write_text_atomic(tmp_path / "summary.json", "old\n")
    with pytest.raises(RuntimeError, match="mid-write"):
        with atomic_path(target) as tmp:
            tmp.write_text("half")
            raise RuntimeError("crash mid-write")
    assert target.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["summary.json"]


def test_text_is_utf8(tmp_path: Path) -> None:
    path = write_text_atomic(tmp_path / "labels.tsv", "0\tsäge\n1\tb\n")
    assert path.read_bytes() == "0\tsäge\n1\tb\n".encode()
