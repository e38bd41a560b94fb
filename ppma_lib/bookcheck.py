"""``make book-check``: open built pages in headless Chromium, save screenshots, fail on broken content.

A page fails when an ``<img>`` points at a missing or empty file, a notebook output holds a traceback, a
result chapter has neither a table nor a figure, the HTML names an external URL for a script or stylesheet,
or its screenshot is a single flat colour (nothing rendered).
"""
from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from html.parser import HTMLParser
from pathlib import Path

CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--virtual-time-budget=5000", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
]


class _PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.images: list[str] = []
        self.external: list[str] = []
        self.tables = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "img" and a.get("src"):
            self.images.append(a["src"] or "")
        if tag == "table":
            self.tables += 1
        url = a.get("src") if tag == "script" else a.get("href") if tag == "link" else None
        if url and re.match(r"^(https?:)?//", url):
            self.external.append(url)


def check_page(html: Path, need_content: bool) -> list[str]:
    """Problems found in one built page (empty list = fine)."""
    text = html.read_text(errors="replace")
    p = _PageParser()
    p.feed(text)
    problems = [f"external resource {u}" for u in p.external]
    for src in p.images:
        if src.startswith("data:"):
            continue
        f = (html.parent / src.split("#")[0].split("?")[0]).resolve()
        if not f.is_file() or f.stat().st_size == 0:
            problems.append(f"broken image {src}")
    if "Traceback (most recent call last)" in text or 'class="output traceback' in text:
        problems.append("a cell output holds a traceback")
    if need_content and p.tables == 0 and not p.images:
        problems.append("no table and no figure")
    return problems


def screenshot(html: Path, png: Path, chromium: str, size: str = "1280,1600") -> list[str]:
    with tempfile.TemporaryDirectory() as profile:
        cmd = [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", f"--window-size={size}",
               f"--screenshot={png}", html.resolve().as_uri()]
        subprocess.run(cmd, capture_output=True, timeout=120)
    if not png.is_file():
        return [f"no screenshot written for {html}"]
    from PIL import Image

    extrema = Image.open(png).convert("L").getextrema()
    return [] if extrema[0] != extrema[1] else [f"blank screenshot {png}"]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--html", default="_build/html", help="built book folder")
    ap.add_argument("--pages", nargs="*", default=None, help="pages to screenshot (default: index + first result)")
    ap.add_argument("--out", default="_build/screenshots")
    args = ap.parse_args(argv)
    html_dir = Path(args.html)
    if not (html_dir / "index.html").is_file():
        print(f"no built book at {html_dir}; run `make book` first", file=sys.stderr)
        return 1
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        print("chromium not found (Debian: apt-get install chromium)", file=sys.stderr)
        return 1
    results = sorted(html_dir.glob("book/results/*.html"))
    pages = [html_dir / p for p in args.pages] if args.pages else [html_dir / "index.html", *results[:1]]
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    failures: list[str] = []
    for page in sorted(html_dir.rglob("*.html")):
        if "_static" in page.parts or page.name in ("genindex.html", "search.html"):
            continue
        failures += [f"{page.relative_to(html_dir)}: {m}" for m in check_page(page, page in results)]
    for page in pages:
        png = out / (page.relative_to(html_dir).as_posix().replace("/", "__") + ".png")
        failures += screenshot(page, png, chromium)
        print(f"screenshot {png}")
    for f in failures:
        print(f"FAIL {f}")
    print(f"checked {len(list(html_dir.rglob('*.html')))} pages, {len(failures)} problem(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
