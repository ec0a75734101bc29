"""Which file of a page folder a request path names, and its content type. Pure: no I/O but
``Path.resolve``."""

from __future__ import annotations

import posixpath
import urllib.parse
from pathlib import Path

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".map": "application/json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
    ".txt": "text/plain; charset=utf-8",
    ".woff2": "font/woff2",
}
INDEX = "index.html"


def resolve(root: Path, request_path: str) -> Path | None:
    """The file under ``root`` for a URL path (``/`` is ``index.html``), or None when the path
    leaves ``root``, names a hidden file, or the file does not exist."""
    path = urllib.parse.unquote(urllib.parse.urlsplit(request_path).path)
    parts = [part for part in posixpath.normpath("/" + path).split("/") if part]
    if any(part.startswith(".") for part in parts):
        return None
    base = root.resolve()
    target = base.joinpath(*parts) if parts else base
    if target.is_dir():
        target = target / INDEX
    target = target.resolve()
    if not target.is_relative_to(base) or not target.is_file():
        return None
    return target


def content_type(path: Path) -> str:
    """The ``Content-Type`` of a served file (``application/octet-stream`` when unknown)."""
    return CONTENT_TYPES.get(path.suffix.lower(), "application/octet-stream")
