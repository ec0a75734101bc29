"""Marshmallow fields for Firestore values that marshmallow does not know: document references."""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError, fields

from boiler_core.documents import Ref


class Reference(fields.Field):  # type: ignore[type-arg]
    """A reference to a document of ``collection``.

    Accepts a :class:`~boiler_core.documents.Ref`, a Firestore ``DocumentReference``, a path
    ``"users/tijuana"`` or a bare id ``"tijuana"``; loads to a :class:`Ref`.
    """

    default_error_messages = {  # noqa: RUF012 (marshmallow's own convention)
        "invalid": "Not a reference to a document of {collection}.",
    }

    def __init__(self, collection: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.collection = collection

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Ref:
        path = getattr(value, "path", value)
        if not isinstance(path, str) or not path:
            raise self.make_error("invalid", collection=self.collection)
        if "/" not in path:
            path = f"{self.collection}/{path}"
        ref = Ref(path)
        if ref.collection != self.collection or "/" in ref.id or not ref.id:
            raise ValidationError(
                f"Expected a reference to {self.collection}/{{id}}, got '{path}'."
            )
        return ref

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        if value is None:
            return None
        return str(getattr(value, "path", value))
