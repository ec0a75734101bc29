"""Marshmallow schemas of the HTTP test app."""

from marshmallow import Schema, fields, validate


class BoardSchema(Schema):
    """A board that editors (``people``) share."""

    title = fields.String(required=True)
    size = fields.Integer(load_default=0)
    editors = fields.List(fields.String(), load_default=list)


class NoteSchema(Schema):
    """A note on a board."""

    board = fields.String(required=True)
    text = fields.String(required=True)


class RenameBody(Schema):
    """Body of ``PATCH /board_pages/{board}``."""

    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    size = fields.Integer()


class SettingsBody(Schema):
    """Body of ``PUT /boards/{board}/settings``: any JSON the client chooses, stored as is."""

    settings = fields.Dict(keys=fields.String(), values=fields.Raw(), required=True)


class NoteBody(Schema):
    """Body of ``POST /boards/{board}/notes``."""

    id = fields.String(required=True, validate=validate.Regexp(r"^[a-z0-9-]{1,40}$"))
    text = fields.String(required=True)
