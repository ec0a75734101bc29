"""Writing a domain document through any store the way an app does, and the change it makes.

:func:`write_change` runs one write in a transaction of any :class:`~boiler_core.store.port.Store`
(the in-memory one or Firestore's) and returns the :class:`~boiler_core.engine.change.Change` a
trigger would receive, from the real before and after.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from boiler_core.documents import Doc
from boiler_core.engine.change import Change
from boiler_core.store.port import Store, Transaction


def write_change(store: Store, path: str, data: Mapping[str, Any] | None) -> Change:
    """Set (or, with None, delete) the top-level document ``path`` in a transaction; return the
    change a trigger would receive: the stored data and update time before, and the data written
    with the update time its commit gave it."""
    collection, _, doc_id = path.partition("/")
    if not doc_id or "/" in doc_id:
        raise ValueError(f"'{path}' is not a top-level document path (collection/id)")

    def apply(tx: Transaction) -> Doc | None:
        before = tx.get_all([path])[path]
        if data is None:
            tx.delete(path)
        else:
            tx.set(path, data)
        return before

    before = store.run_transaction(apply, max_attempts=20)
    after = None if data is None else dict(data)
    return Change(
        collection,
        doc_id,
        None if before is None else before.data,
        after,
    )
