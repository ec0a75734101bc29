"""Marshmallow schemas of the library test app."""

from __future__ import annotations

from marshmallow import Schema, fields


class AuthorSchema(Schema):
    """An ``authors`` document."""

    name = fields.String(required=True)


class RenewBody(Schema):
    """Body of ``POST book-loans/{loan}/renew``."""

    days = fields.Integer(required=True)
