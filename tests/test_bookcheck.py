"""The book checker flags broken images, tracebacks, external resources and empty result pages."""
from __future__ import annotations

from pathlib import Path

from ppma_lib.bookcheck import check_page


def page(tmp_path: Path, body: str, name: str = "p.html") -> Path:
    f = tmp_path / name
    f.write_text(f"<html><head></head><body>{body}</body></html>")
    return f


def test_good_page(tmp_path: Path) -> None:
    (tmp_path / "fig.png").write_bytes(b"\x89PNG fake but non-empty")
    assert check_page(page(tmp_path, '<img src="fig.png"><table></table>'), need_content=True) == []


def test_broken_image_and_external_script(tmp_path: Path) -> None:
    html = page(tmp_path, '<img src="missing.png"><script src="https://cdn.example/x.js"></script>')
    problems = check_page(html, need_content=False)
    assert any("broken image missing.png" in p for p in problems)
    assert any("external resource https://cdn.example/x.js" in p for p in problems)


def test_traceback_and_empty_result(tmp_path: Path) -> None:
    html = page(tmp_path, "<pre>Traceback (most recent call last):</pre>")
    problems = check_page(html, need_content=True)
    assert "a cell output holds a traceback" in problems and "no table and no figure" in problems
