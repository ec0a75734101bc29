""":class:`TransactionContext`: the :class:`~boiler_core.mutation_api.MutationContext` of a request.

One context serves one attempt of a mutation's transaction. Reads go to the transaction (each
path once; later reads of a path see this request's own pending writes). Writes are checked and
buffered, then :meth:`TransactionContext.flush` hands them to the transaction after the handler
returned, so a handler may interleave reads and writes although Firestore wants every read of a
transaction before its first write.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping, Sequence
from typing import Any

from boiler_core.documents import Doc
from boiler_core.errors import Conflict, NotFound
from boiler_core.http.problems import ApiError
from boiler_core.manifest.model import Manifest
from boiler_core.store.port import Transaction

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1
MAX_DEPTH = 20
"""The deepest nesting of maps and arrays Firestore stores in one field's value."""
RESERVED_NAME = re.compile(r"^__.*__$")
"""Field names Firestore reserves (``__name__``, ``__x__``)."""


class WriteOutsideDomain(Exception):
    """Raised when a handler writes a document outside the domain collections (a bug: views are
    written by the triggers only). Answered as an internal error."""


class TransactionContext:
    """Transactional reads and buffered writes of one mutation attempt."""

    def __init__(
        self, tx: Transaction, manifest: Manifest, params: Mapping[str, str], uid: str | None
    ) -> None:
        self._tx = tx
        self._manifest = manifest
        self._params = dict(params)
        self._uid = uid
        self._read: dict[str, Doc | None] = {}
        self._pending: dict[str, dict[str, Any] | None] = {}

    @property
    def params(self) -> Mapping[str, str]:
        """Route variables, e.g. ``{"meeting": "meeting_1"}``."""
        return self._params

    @property
    def uid(self) -> str | None:
        """The caller's Firebase uid, or None for an anonymous caller."""
        return self._uid

    @property
    def transaction(self) -> Transaction:
        """The underlying transaction, for reads the context does not offer (queries)."""
        return self._tx

    def get(self, path: str) -> Doc | None:
        """The document at ``path`` as this request sees it, or None."""
        return self.get_all([path])[path]

    def get_all(self, paths: Sequence[str]) -> dict[str, Doc | None]:
        """Several documents in one round trip; missing ones map to None."""
        unread = [p for p in dict.fromkeys(paths) if p not in self._read and p not in self._pending]
        if unread:
            self._read.update(self._tx.get_all(unread))
        out: dict[str, Doc | None] = {}
        for path in paths:
            if path in self._pending:
                data = self._pending[path]
                out[path] = None if data is None else Doc(path, copy.deepcopy(data))
            else:
                out[path] = self._read[path]
        return out

    def update(self, path: str, fields: Mapping[str, Any]) -> None:
        """Replace top-level ``fields`` of an existing document; NotFound when it is missing."""
        current = self.get(path)
        if current is None:
            raise NotFound(f"no document at {path}")
        self._write(path, {**current.data, **fields})

    def create(self, path: str, data: Mapping[str, Any]) -> None:
        """Create a document; Conflict when it already exists."""
        if self.get(path) is not None:
            raise Conflict(f"a document already exists at {path}")
        self._write(path, data)

    def set(self, path: str, data: Mapping[str, Any]) -> None:
        """Create or replace a document."""
        self._write(path, data)

    def delete(self, path: str) -> None:
        """Delete a document (a no-op when it does not exist)."""
        self._check_domain(path)
        self._pending[path] = None

    def flush(self) -> int:
        """Hand the buffered writes to the transaction; return how many there were."""
        for path, data in sorted(self._pending.items()):
            if data is None:
                self._tx.delete(path)
            else:
                self._tx.set(path, data)
        return len(self._pending)

    def _write(self, path: str, data: Mapping[str, Any]) -> None:
        self._check_domain(path)
        _check_storable(data)
        self._pending[path] = copy.deepcopy(dict(data))

    def _check_domain(self, path: str) -> None:
        for collection in self._manifest.collections.values():
            if collection.path.match(path) is not None:
                return
        names = ", ".join(self._manifest.collections)
        raise WriteOutsideDomain(
            f"a mutation handler wrote '{path}', which is not a document of a domain collection "
            f"({names}); handlers write domain documents only, the triggers write the views"
        )


def _check_storable(data: Mapping[str, Any]) -> None:
    """422 for what Firestore cannot store and a client can send through a body schema that
    takes any JSON (``fields.Raw``, ``fields.Dict``): integers beyond 64 bits, an array directly
    in an array, maps and arrays nested deeper than :data:`MAX_DEPTH`, empty or reserved field
    names. Firestore would refuse the commit; refused here, the client learns why."""
    for name, value in data.items():
        _check_value(value, _checked_name(name, ""), 0, in_array=False)


def _check_value(value: Any, where: str, depth: int, *, in_array: bool) -> None:
    if isinstance(value, bool):
        return
    if isinstance(value, int) and not INT64_MIN <= value <= INT64_MAX:
        raise ApiError(
            422, f"the number {value} is outside the 64-bit integer range Firestore stores"
        )
    if isinstance(value, Mapping | list | tuple) and depth == MAX_DEPTH:
        raise _unstorable(f"{where} nests maps and arrays deeper than {MAX_DEPTH} levels")
    if isinstance(value, Mapping):
        for key, item in value.items():
            _check_value(item, _checked_name(key, where), depth + 1, in_array=False)
    elif isinstance(value, list | tuple):
        if in_array:
            raise _unstorable(f"{where} is an array directly inside an array")
        for index, item in enumerate(value):
            _check_value(item, f"{where}[{index}]", depth + 1, in_array=True)


def _checked_name(name: object, where: str) -> str:
    """``where.name``, or 422 for a field name Firestore refuses."""
    if not isinstance(name, str) or not name or RESERVED_NAME.match(name):
        place = f" in {where}" if where else ""
        raise _unstorable(f"the field name {name!r}{place} is empty or reserved (__name__)")
    path = f"{where}.{name}" if where else name
    return path if len(path) <= 80 else "..." + path[-77:]


def _unstorable(problem: str) -> ApiError:
    return ApiError(422, f"Firestore cannot store this: {problem}")
