"""Strict booleans and numbers in request bodies: the JSON type the OpenAPI document declares.

marshmallow coerces far more than the OpenAPI document the API serves allows. ``fields.Boolean``
(``type: boolean``) takes ``"yes"``, ``"off"``, ``"1"``, ``0``, ``1`` and ``1.0`` (its ``truthy``
and ``falsy`` sets). ``fields.Integer`` (``type: integer``) takes ``"5"`` and ``" 5 "`` and cuts
``5.5`` to ``5``; ``fields.Float``, ``fields.Number`` and ``fields.Decimal`` (``type: number``)
take ``"5.5"`` and ``"1e3"``. So before a mutation's body schema loads a body,
:func:`scalar_problems` walks the body along the schema and reports every value such a field would
coerce, with the field's own ``invalid`` message, keyed as marshmallow keys its errors: a boolean
field takes JSON ``true``/``false`` only; a number field a JSON number only (never a string or a
boolean); an integer field a JSON number without a fractional part (``5`` or ``5.0``, as JSON
Schema's ``integer`` allows). It follows the schema wherever such a field can hide: nested schemas
(``Nested``, ``Pluck``, ``many`` or not), ``List``, ``Tuple``, and the keys and values of
``Dict``/``Mapping``. It applies to every body schema an app declares, whatever ``truthy``/
``falsy`` or ``strict`` its fields set. ``null`` is left to marshmallow (``allow_none``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from marshmallow import Schema, fields

Problems = dict[Any, Any]
"""marshmallow-shaped error messages: field key (or list index) to messages or deeper problems."""


def scalar_problems(schema: Schema, payload: Any) -> Problems:
    """Every value of ``payload`` that one of ``schema``'s boolean or number fields would
    coerce from another JSON type."""
    if not isinstance(payload, Mapping):
        return {}
    problems: Problems = {}
    for name, field in schema.load_fields.items():
        key = field.data_key if field.data_key is not None else name
        if key in payload:
            found = _value_problems(field, payload[key])
            if found:
                problems[key] = found
    return problems


def merged(messages: Problems, problems: Problems) -> Problems:
    """marshmallow's ``messages`` with ``problems`` added where marshmallow said nothing."""
    result = dict(messages)
    for key, found in problems.items():
        if key not in result:
            result[key] = found
        elif isinstance(result[key], dict) and isinstance(found, dict):
            result[key] = merged(result[key], found)
    return result


def _value_problems(field: fields.Field[Any], value: Any) -> Any:
    """Messages (a list) or problems (a dict) for one value of ``field``; None when fine."""
    if value is None:
        return None
    if isinstance(field, fields.Boolean):
        return None if isinstance(value, bool) else [field.error_messages["invalid"]]
    if isinstance(field, fields.Number):  # Integer, Float, Decimal
        return None if _json_number(field, value) else [field.error_messages["invalid"]]
    if isinstance(field, fields.Pluck):
        plucked = field.schema.fields[field.field_name]  # Pluck loads {its data key: value}
        key = plucked.data_key if plucked.data_key is not None else field.field_name
        if field.many:
            return _each(value, lambda item: scalar_problems(field.schema, {key: item}))
        return scalar_problems(field.schema, {key: value}) or None
    if isinstance(field, fields.Nested):
        schema = field.schema
        if field.many or schema.many:
            return _each(value, lambda item: scalar_problems(schema, item))
        return scalar_problems(schema, value) or None
    if isinstance(field, fields.List):
        inner = field.inner
        return _each(value, lambda item: _value_problems(inner, item))
    if isinstance(field, fields.Tuple):
        if not isinstance(value, list | tuple):
            return None
        pairs = zip(field.tuple_fields, value, strict=False)
        found = {i: p for i, (f, item) in enumerate(pairs) if (p := _value_problems(f, item))}
        return found or None
    if isinstance(field, fields.Mapping) and isinstance(value, Mapping):
        return _mapping_problems(field, value)
    return None


def _json_number(field: fields.Number[Any], value: Any) -> bool:
    """Whether ``value`` is a JSON number ``field`` may take as it is: never a string or a
    boolean; for an integer field, no fractional part (``5.0`` is 5, ``5.5`` is refused)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    if isinstance(field, fields.Integer) and isinstance(value, float):
        return value.is_integer()
    return True


def _each(value: Any, check: Any) -> Problems | None:
    if not isinstance(value, list | tuple):
        return None
    found = {index: problems for index, item in enumerate(value) if (problems := check(item))}
    return found or None


def _mapping_problems(field: fields.Mapping[Any], value: Mapping[Any, Any]) -> Problems | None:
    found: Problems = {}
    for key, item in value.items():
        entry: Problems = {}
        if field.key_field is not None and (p := _value_problems(field.key_field, key)):
            entry["key"] = p
        if field.value_field is not None and (p := _value_problems(field.value_field, item)):
            entry["value"] = p
        if entry:
            found[key] = entry
    return found or None
