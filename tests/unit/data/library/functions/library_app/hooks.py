"""Computed fields of the ``book_cards`` test view."""

from __future__ import annotations

from boiler_core import Sources


def blurb(sources: Sources) -> str:
    """``TITLE by AUTHOR``."""
    author = sources.one("author")
    name = author.get("name") if author is not None else "nobody"
    return f"{sources.root.get('title')} by {name}"


def everything(sources: Sources) -> int:
    """How many documents the view reads (a hook without ``reads``)."""
    return 1 + len(sources.many("loans")) + len(sources.many("watchers"))
