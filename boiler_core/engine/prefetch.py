"""Which documents a recompute will read that can be named before the first join is loaded (pure).

Round trips dominate a trigger's latency, so the transaction asks for everything it can predict
in one ``get_all``: the master view documents, the copies the change names, and, once the root
documents are known, the targets of the root's ``ref``/``refs`` joins and the copies for their
members. Later steps ask again through a :class:`~boiler_core.engine.reads.CachedReader` and are
answered without a read. A prediction that turns out unneeded (a copy for a member whose document
is missing) costs one read; nothing predicted is ever read twice.
"""

from __future__ import annotations

from collections.abc import Iterable

from boiler_core.documents import Doc
from boiler_core.engine.links import link_ids, linked_paths
from boiler_core.engine.outputs import copy_path
from boiler_core.manifest.model import ROOT, View


def from_roots(view: View, roots: Iterable[Doc]) -> list[str]:
    """Targets of the root's ``ref``/``refs`` joins and the copies for their members."""
    joins = [j for j in view.joins if j.parent == ROOT and j.link_on_parent]
    copies = [(c, j) for c in view.copies if (j := view.join(c.for_each)) in joins]
    paths: dict[str, None] = {}
    for root in roots:
        for join in joins:
            paths.update(dict.fromkeys(linked_paths(join, root)))
        for copy, join in copies:
            members = link_ids(join, root.data)
            paths.update(dict.fromkeys(copy_path(view, copy, root.id, m) for m in members))
    return list(paths)
