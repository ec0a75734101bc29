"""What a hook sees: :class:`Sources`, the root document of a view and its joined documents."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from boiler_core.documents import Doc


class Sources:
    """The documents one view document is computed from.

    ``linked[join][parent_path]`` lists the documents of ``join`` linked to the parent document at
    ``parent_path`` (the root, or a document of the parent join), in link order.
    """

    def __init__(
        self,
        root: Doc,
        parents: Mapping[str, str],
        linked: Mapping[str, Mapping[str, Sequence[Doc]]],
    ) -> None:
        self.root = root
        self._parents = parents
        self._linked = linked

    def many(self, join: str) -> list[Doc]:
        """Documents of a join hanging from the root (missing documents are left out)."""
        return self.children(join, self.root)

    def one(self, join: str) -> Doc | None:
        """The document of a single join reached from the root through single joins."""
        parent_name = self._parents[join]
        parent = self.root if parent_name == "$root" else self.one(parent_name)
        return None if parent is None else self.child(join, parent)

    def children(self, join: str, parent: Doc) -> list[Doc]:
        """Documents of ``join`` linked to ``parent`` (a document of the join's parent)."""
        return list(self._linked.get(join, {}).get(parent.path, ()))

    def reached(self) -> dict[str, list[Doc]]:
        """Every document the view document is computed from, by join name (the root under
        ``$root``): each join's documents reachable from the root, each once per join."""
        reached: dict[str, list[Doc]] = {"$root": [self.root]}
        pending = dict(self._parents)
        while pending:
            ready = [join for join, parent in pending.items() if parent in reached]
            if not ready:  # a join whose parent is unknown: nothing reaches it
                break
            for join in ready:
                parent = pending.pop(join)
                docs = [d for p in reached[parent] for d in self.children(join, p)]
                reached[join] = list({d.path: d for d in docs}.values())
        return reached

    def child(self, join: str, parent: Doc) -> Doc | None:
        """The first document of ``join`` linked to ``parent``, or None."""
        docs = self.children(join, parent)
        return docs[0] if docs else None
