"""Walking a whole collection page by page, by cursor (the last path seen), never by offset.

An offset query still reads (and bills) every skipped document and shifts when documents are
added or removed meanwhile; a cursor resumes exactly after the last document processed, which is
also what a checkpoint stores to resume an interrupted backfill.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from boiler_core.store.port import Lister

DEFAULT_PAGE_SIZE = 300
"""Paths per listing request."""


@dataclass(frozen=True)
class Source:
    """A collection to walk: a collection path, or a collection id listed as a group."""

    collection: str
    group: bool = False

    def __str__(self) -> str:
        return f"collection group '{self.collection}'" if self.group else f"'{self.collection}'"


def pages(
    store: Lister,
    source: Source,
    *,
    after: str | None = None,
    page_size: int = DEFAULT_PAGE_SIZE,
) -> Iterator[list[str]]:
    """Yield the document paths of ``source`` in path order, ``page_size`` at a time, starting
    after the cursor ``after`` (None: from the start). The last path of each page is the cursor
    of the next."""
    cursor = after
    while True:
        page = store.list_paths(
            source.collection, group=source.group, after=cursor, limit=page_size
        )
        if not page:
            return
        yield page
        if len(page) < page_size:
            return
        cursor = page[-1]


def all_paths(store: Lister, source: Source, *, page_size: int = DEFAULT_PAGE_SIZE) -> list[str]:
    """Every document path of ``source`` (for small collections and tests)."""
    return [path for page in pages(store, source, page_size=page_size) for path in page]


def doc_id(path: str) -> str:
    """The last segment of a document path."""
    return path.rsplit("/", 1)[-1]
