"""Keep the HTML book free of external URLs: drop sphinx-thebe's inline script naming a CDN.

Thebe (live code cells) is off in this book; sphinx-thebe still injects a script with the CDN address.
"""
from __future__ import annotations

from typing import Any


def _strip_cdn_scripts(app: Any, pagename: str, templatename: str, context: dict, doctree: Any) -> None:
    scripts = context.get("script_files")
    if scripts:
        context["script_files"] = [s for s in scripts if "unpkg.com" not in str(getattr(s, "attributes", {}).get("body", ""))]


def setup(app: Any) -> dict:
    app.connect("html-page-context", _strip_cdn_scripts, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
